"""Applying without an account: the person, the answers, the checked files, the
acknowledgement; the link that pre-fills a re-application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit, invitations
from parcours.accounts.actions import create_user
from parcours.accounts.models import Role, User
from parcours.candidates import uploads
from parcours.candidates.actions._base import (
    MAX_TEXT,
    REAPPLY_MAX_AGE,
    REAPPLY_SALT,
    _plain,
    _queue,
    _refuse,
)
from parcours.candidates.models import (
    Answer,
    Application,
    ApplicationFile,
    Call,
    Message,
    Question,
)
from parcours.catalogue.models import Module
from parcours.lib.transactions import write_transaction

# --- Applying ----------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    email: str
    first_name: str
    last_name: str
    phone: str = ""
    consent: bool = False
    answers: dict[int, str] = field(default_factory=dict)  # question id -> text
    audience: str = ""  # what the person is (Module.Audience), checked against the call's
    reapply_token: str = ""


def _check_answer(question: Question, raw: str) -> str:
    value = _plain(raw, MAX_TEXT, question.label)
    if not value:
        if question.required and question.kind != Question.Kind.FILE:
            raise ValidationError({f"q{question.pk}": [_("Cette réponse est obligatoire.")]})
        return ""
    kind = question.kind
    if kind == Question.Kind.CHOICE and value not in question.choices:
        raise ValidationError({f"q{question.pk}": [_("Choisissez une des réponses proposées.")]})
    if kind == Question.Kind.YES_NO and value not in ("oui", "non"):
        raise ValidationError({f"q{question.pk}": [_("Répondez par oui ou par non.")]})
    if kind == Question.Kind.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({f"q{question.pk}": [_("Date invalide (AAAA-MM-JJ).")]}) from None
        if not 1900 <= day.year <= 2100:
            raise ValidationError({f"q{question.pk}": [_("Date hors des années 1900 à 2100.")]})
        value = day.isoformat()
    if kind == Question.Kind.NUMBER:
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise ValidationError({f"q{question.pk}": [_("Nombre invalide.")]}) from None
        if not number.is_finite() or abs(number) > Decimal("1e9"):
            raise ValidationError({f"q{question.pk}": [_("Nombre hors limites.")]})
        value = str(number)
    return value


def _declared(person: User | None) -> tuple[str, int | None]:
    """Gender and birth year from the learner profile, when it has them (they are optional and
    come from the reporting work): else not declared."""
    if person is None:
        return "", None
    profile = (
        getattr(person, "learner_profile", None) if hasattr(person, "learner_profile") else None
    )
    if profile is None:
        return "", None
    gender = getattr(profile, "gender", "") or ""
    birth_year = getattr(profile, "birth_year", None)
    return str(gender)[:16], birth_year if isinstance(birth_year, int) else None


def _find_or_invite(call: Call, data: ApplicationData) -> User:
    """The person with this e-mail, or a new account without password and an invitation to set
    one (the way enrolment creates people)."""
    person = User.objects.filter(email__iexact=data.email).first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            person = create_user(
                email=data.email,
                password=None,
                first_name=data.first_name,
                last_name=data.last_name,
                actor=None,
            )
    except IntegrityError:
        # The same person applied to another call at the same moment: their account exists now.
        return User.objects.get(email__iexact=data.email)
    invitations.invite(
        organisation=call.organisation,
        email=data.email,
        role=Role.LEARNER,
        invited_by=None,
        first_name=data.first_name,
        last_name=data.last_name,
        next_url=reverse("accounts:dashboard"),
    )
    return person


def reapply_token(application: Application) -> str:
    return signing.dumps({"a": application.pk}, salt=REAPPLY_SALT)


def application_from_token(token: str) -> Application | None:
    """The earlier application a re-application link points to (None if invalid or old)."""
    try:
        payload = signing.loads(token, salt=REAPPLY_SALT, max_age=REAPPLY_MAX_AGE)
    except signing.BadSignature:
        return None
    pk = payload.get("a") if isinstance(payload, dict) else None
    if not isinstance(pk, int):
        return None
    return Application.objects.filter(pk=pk, purged_at=None).select_related("previous").first()


def prefill(call: Call, earlier: Application) -> dict[str, Any]:
    """Initial values of the form from an earlier application (the same person's answers to
    questions with the same label, through the chain of previous applications)."""
    initial: dict[str, Any] = {
        "email": earlier.email,
        "first_name": earlier.first_name,
        "last_name": earlier.last_name,
        "phone": earlier.phone,
    }
    by_label: dict[str, str] = {}
    chain: list[Application] = []
    node: Application | None = earlier
    while node is not None and len(chain) < 5:
        chain.append(node)
        node = node.previous
    for answer in Answer.objects.filter(application__in=chain).select_related("question"):
        by_label.setdefault(answer.question.label.strip().lower(), answer.value)
    for question in call.questions.all():
        value = by_label.get(question.label.strip().lower())
        if value is not None and question.kind != Question.Kind.FILE:
            initial[f"q{question.pk}"] = value
    return initial


def _ack_message(application: Application) -> Message:
    call = application.call
    subject = _("Candidature reçue : %(t)s") % {"t": call.title}
    body = _(
        "Bonjour %(first)s,\n\nNous avons bien reçu votre candidature à « %(t)s » (%(org)s). "
        "Nous vous écrirons pour la suite de la sélection.\n\nVos données sont conservées "
        "%(days)s jours après la clôture de l'appel si vous n'êtes pas retenu·e.\n"
    ) % {
        "first": application.first_name,
        "t": call.title,
        "org": call.organisation.name,
        "days": call.retention_days,
    }
    return Message(application=application, kind="ack", subject=subject, body=body)


def apply(
    *,
    call: Call,
    data: ApplicationData,
    files: Mapping[str, UploadedFile] | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """A person applies to an open call, without an account. ``files``: ``"cv"`` and
    ``"q<id>"`` for file questions. Files are checked by content before anything is written,
    stored last inside the transaction and removed again if it rolls back."""
    now = now or timezone.now()
    if not call.is_open(now):
        raise _refuse(
            _("Cet appel à candidatures est clos : votre candidature n'a pas été enregistrée."),
            "closed",
        )
    email = (data.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Adresse e-mail invalide.")]}) from None
    data.email = email
    data.first_name = _plain(data.first_name, 150, _("prénom"))
    data.last_name = _plain(data.last_name, 150, _("nom"))
    data.phone = _plain(data.phone, 30, _("téléphone"))
    if not data.first_name or not data.last_name:
        raise ValidationError({"first_name": [_("Indiquez votre prénom et votre nom.")]})
    if not data.consent:
        raise ValidationError(
            {"consent": [_("Acceptez le traitement de vos données pour envoyer la candidature.")]}
        )
    admitted = [a for a in call.audiences or [] if a]
    if admitted and data.audience not in admitted:
        labels = dict(Module.Audience.choices)
        raise ValidationError(
            {
                "audience": [
                    _("Cet appel est réservé à : %(who)s.")
                    % {"who": ", ".join(str(labels.get(a, a)) for a in admitted)}
                ]
            }
        )
    questions = list(call.questions.all())
    answers = {q.pk: _check_answer(q, data.answers.get(q.pk, "")) for q in questions}
    uploaded = dict(files or {})
    if len(uploaded) > uploads.MAX_FILES + len(questions):
        raise _refuse(_("Trop de fichiers."), "invalid")
    checked: list[tuple[Question | None, uploads.CheckedFile]] = []
    cv = uploaded.get("cv")
    if cv is not None:
        checked.append((None, uploads.check_file(cv, label=_("CV"))))
    for asked in questions:
        if asked.kind != Question.Kind.FILE:
            continue
        upload = uploaded.get(f"q{asked.pk}")
        if upload is None:
            if asked.required:
                raise ValidationError({f"q{asked.pk}": [_("Joignez ce fichier.")]})
            continue
        checked.append((asked, uploads.check_file(upload, label=asked.label)))
    earlier = application_from_token(data.reapply_token) if data.reapply_token else None
    written: list[str] = []
    try:
        with write_transaction():
            # One writer per call at a time (PostgreSQL; SQLite's writers are serialised anyway):
            # a double click sends two identical forms, the second sees the first.
            Call.objects.select_for_update().filter(pk=call.pk).values_list("pk").first()
            if Application.objects.filter(call=call, email=email).exists():
                raise _refuse(
                    _(
                        "Une candidature à cet appel a déjà été reçue pour cette adresse e-mail. "
                        "Nous vous écrirons pour la suite ; inutile de la renvoyer."
                    ),
                    "duplicate",
                )
            person = _find_or_invite(call, data)
            gender, birth_year = _declared(person)
            first_stage = call.stages.order_by("order", "id").first()
            if first_stage is None:
                raise _refuse(_("Cet appel n'a pas d'étapes de sélection."), "state")
            try:
                with transaction.atomic():
                    application = Application.objects.create(
                        call=call,
                        person=person,
                        email=email,
                        first_name=data.first_name,
                        last_name=data.last_name,
                        phone=data.phone,
                        audience=data.audience if admitted else "",
                        stage=first_stage,
                        consent_at=now,
                        submitted_at=now,
                        previous=earlier if earlier and earlier.email == email else None,
                        gender=gender,
                        birth_year=birth_year,
                    )
            except IntegrityError:
                raise _refuse(
                    _(
                        "Une candidature à cet appel a déjà été reçue pour cette adresse e-mail. "
                        "Nous vous écrirons pour la suite ; inutile de la renvoyer."
                    ),
                    "duplicate",
                ) from None
            Answer.objects.bulk_create(
                Answer(application=application, question_id=pk, value=value)
                for pk, value in answers.items()
                if value
            )
            rows = []
            for question, item in checked:
                stored = uploads.new_stored_name(item.extension)
                rows.append(
                    ApplicationFile(
                        application=application,
                        question=question,
                        label=item.label,
                        original_name=item.original_name,
                        stored_name=stored,
                        content_type=item.content_type,
                        size=len(item.content),
                        sha256=item.sha256,
                        uploaded_at=now,
                    )
                )
            ApplicationFile.objects.bulk_create(rows)
            ack = _ack_message(application)
            ack.save()
            audit.record(
                "candidates.application.submit",
                actor=None,
                organisation=call.organisation,
                obj=application,
                changes={"call": call.pk, "files": len(rows)},
            )
            # Files last: nothing else can fail after them but the commit itself.
            for row, (_question, item) in zip(rows, checked, strict=True):
                uploads.write(row.stored_name, item.content)
                written.append(row.stored_name)
            _queue([ack.pk])
    except BaseException:
        uploads.delete(written)
        raise
    return application
