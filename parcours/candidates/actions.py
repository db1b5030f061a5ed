"""Every write of the candidates app: calls, applications, the selection board, decisions,
referral to the preparatory programme, the purge.

Validation errors are ``ValidationError`` with a French message and a ``code`` (``closed``,
``duplicate``, ``invalid``, ``too_large``, ``type``, ``mismatch``, ``consent``, ``state``)
that views and the API turn into a 4xx. Each action writes in one transaction and records
its audit entries; e-mails are queued (``tasks.send_messages``) after commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit, invitations
from parcours.accounts.actions import create_user
from parcours.accounts.models import AuditEntry, Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.candidates import uploads
from parcours.candidates.models import (
    Answer,
    Application,
    ApplicationFile,
    Call,
    Criterion,
    Decision,
    InterviewScore,
    Message,
    Question,
    Score,
    Stage,
)
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url

MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.CAREER_MANAGER)
MAX_BATCH = 2000
MAX_TEXT = 5000
REAPPLY_SALT = "parcours.candidates.reapply"
REAPPLY_MAX_AGE = 60 * 60 * 24 * 180  # seconds: the invitation to re-apply lasts six months

DEFAULT_STAGES: tuple[tuple[str, str], ...] = (
    ("Réception", ""),
    ("Séance d'information", Stage.Milestone.INFORMATION),
    ("Tests", Stage.Milestone.TESTS),
    ("Entretien", Stage.Milestone.INTERVIEW),
    ("Décision", Stage.Milestone.DECISION),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _plain(text: str, limit: int, label: str) -> str:
    text = (text or "").strip()
    if _CONTROL.search(text):
        raise _refuse(_("Caractère invalide dans « %(f)s ».") % {"f": label}, "invalid")
    if len(text) > limit:
        raise _refuse(
            _("« %(f)s » compte %(n)s caractères au plus.") % {"f": label, "n": limit}, "invalid"
        )
    return text


# --- Calls -------------------------------------------------------------------------------------


@dataclass
class QuestionData:
    label: str
    kind: str
    choices: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class CallData:
    title: str
    slug: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    places: int
    description: str = ""
    kind: str = Call.Kind.QUALIFYING
    module_id: int | None = None
    pathway_id: int | None = None
    session_ids: list[int] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    retention_days: int = 365
    stages: list[str] = field(default_factory=list)  # labels; empty: the default stages
    questions: list[QuestionData] = field(default_factory=list)
    criteria: list[tuple[str, int]] = field(default_factory=list)
    referral_call_id: int | None = None
    followup_call_id: int | None = None


def _check_call(organisation: Organisation, data: CallData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors.setdefault("title", []).append(_("Indiquez le titre de l'appel."))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", data.slug or ""):
        errors.setdefault("slug", []).append(
            _("L'adresse ne contient que des minuscules, des chiffres et des tirets.")
        )
    if data.closes_at <= data.opens_at:
        errors.setdefault("closes_at", []).append(_("La clôture doit suivre l'ouverture."))
    if not 1 <= data.places <= 10000:
        errors.setdefault("places", []).append(_("Le nombre de places va de 1 à 10 000."))
    if not 30 <= data.retention_days <= 3650:
        errors.setdefault("retention_days", []).append(
            _("La durée de conservation va de 30 à 3 650 jours.")
        )
    if len(data.stages) > 12 or any(not s.strip() or len(s) > 100 for s in data.stages):
        errors.setdefault("stages", []).append(_("Douze étapes au plus, chacune nommée."))
    kinds = {k for k, _label in Question.Kind.choices}
    for question in data.questions:
        if question.kind not in kinds or not question.label.strip():
            errors.setdefault("questions", []).append(_("Chaque question a un libellé et un type."))
        if question.kind == Question.Kind.CHOICE and not question.choices:
            errors.setdefault("questions", []).append(
                _("Une question à choix propose au moins un choix.")
            )
    for label, weight in data.criteria:
        if not label.strip() or not 1 <= weight <= 10:
            errors.setdefault("criteria", []).append(
                _("Chaque critère a un libellé et un poids de 1 à 10.")
            )
    if errors:
        raise ValidationError(errors)
    sessions = Session.objects.filter(pk__in=data.session_ids, organisation=organisation)
    if len(set(data.session_ids)) != sessions.count():
        raise _refuse(_("Une des sessions n'appartient pas à votre organisation."), "invalid")
    for other in (data.referral_call_id, data.followup_call_id):
        if (
            other is not None
            and not Call.objects.filter(pk=other, organisation=organisation).exists()
        ):
            raise _refuse(_("L'appel lié n'appartient pas à votre organisation."), "invalid")


def open_call(*, actor: Actor, organisation: Organisation, data: CallData) -> Call:
    """A coordinator opens a call, with its stages (default: received → information session →
    tests → interview → decision), questions and interview criteria."""
    require_role(actor, organisation, MANAGERS)
    _check_call(organisation, data)
    with transaction.atomic():
        if Call.objects.filter(organisation=organisation, slug=data.slug).exists():
            raise ValidationError({"slug": [_("Un appel porte déjà cette adresse.")]})
        call = Call.objects.create(
            organisation=organisation,
            slug=data.slug,
            title=data.title.strip()[:200],
            description=data.description.strip()[:MAX_TEXT],
            kind=data.kind,
            module_id=data.module_id,
            pathway_id=data.pathway_id,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            places=data.places,
            audiences=sorted(set(data.audiences)),
            retention_days=data.retention_days,
            referral_call_id=data.referral_call_id,
            followup_call_id=data.followup_call_id,
        )
        call.sessions.set(data.session_ids)
        if data.stages:
            stages = [Stage(call=call, order=i, label=s.strip()) for i, s in enumerate(data.stages)]
        else:
            stages = [
                Stage(call=call, order=i, label=_(label), milestone=milestone)
                for i, (label, milestone) in enumerate(DEFAULT_STAGES)
            ]
        Stage.objects.bulk_create(stages)
        Question.objects.bulk_create(
            Question(
                call=call,
                order=i,
                label=q.label.strip()[:300],
                kind=q.kind,
                choices=[c.strip()[:200] for c in q.choices if c.strip()],
                required=q.required,
            )
            for i, q in enumerate(data.questions)
        )
        Criterion.objects.bulk_create(
            Criterion(call=call, order=i, label=label.strip()[:200], weight=weight)
            for i, (label, weight) in enumerate(data.criteria)
        )
        audit.record(
            "candidates.call.open",
            actor=actor.user,
            organisation=organisation,
            obj=call,
            changes={"slug": call.slug, "places": call.places},
        )
    return call


def set_stages(*, actor: Actor, call: Call, labels: Sequence[str]) -> list[Stage]:
    """Rename, reorder, add or remove stages: ``labels`` in their new order. A stage that
    still holds candidates cannot be removed (its label may change)."""
    require_role(actor, call.organisation_id, MANAGERS)
    clean = [_plain(label, 100, _("étape")) for label in labels]
    if not clean or len(clean) > 12 or any(not label for label in clean):
        raise _refuse(_("Un appel a d'une à douze étapes, chacune nommée."), "invalid")
    with transaction.atomic():
        existing = list(call.stages.select_for_update().order_by("order", "id"))
        kept = existing[: len(clean)]
        for order, (stage, label) in enumerate(zip(kept, clean, strict=False)):
            stage.order, stage.label = order, label
            stage.save(update_fields=["order", "label"])
        for stage in existing[len(clean) :]:
            if stage.applications.exists():
                raise _refuse(
                    _("L'étape « %(s)s » contient encore des candidatures.") % {"s": stage.label},
                    "state",
                )
            stage.delete()
        for order in range(len(kept), len(clean)):
            Stage.objects.create(call=call, order=order, label=clean[order])
        audit.record(
            "candidates.call.stages",
            actor=actor.user,
            organisation=call.organisation,
            obj=call,
            changes={"stages": clean},
        )
    return list(call.stages.order_by("order", "id"))


# --- Applying ----------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    email: str
    first_name: str
    last_name: str
    phone: str = ""
    consent: bool = False
    answers: dict[int, str] = field(default_factory=dict)  # question id -> text
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


def _queue(message_ids: list[int]) -> None:
    if not message_ids:
        return

    def enqueue() -> None:
        from parcours.candidates import tasks

        tasks.send_messages.enqueue(message_ids)

    transaction.on_commit(enqueue)


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


# --- Reading -----------------------------------------------------------------------------------


def require_reader(actor: Actor, call: Call) -> None:
    require_role(actor, call.organisation_id, READERS)


def record_read(*, actor: Actor, application: Application, what: str = "file") -> None:
    """Reading a candidate's file (or one of their documents) is audited."""
    require_reader(actor, application.call)
    audit.record(
        f"candidates.application.read_{what}",
        actor=actor.user,
        organisation=application.call.organisation,
        obj=application,
    )


# --- The board ---------------------------------------------------------------------------------


def _bulk_audit(
    action: str,
    actor: Actor,
    organisation_id: int,
    applications: Sequence[Application],
    changes: dict[str, Any],
) -> None:
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=now,
            action=action,
            actor=actor.user,
            organisation_id=organisation_id,
            object_type="candidates.application",
            object_id=str(a.pk),
            object_repr=str(a)[:300],
            changes=changes,
        )
        for a in applications
    )


def _locked(call: Call, ids: Iterable[int]) -> list[Application]:
    wanted = sorted(set(ids))
    if not wanted:
        raise _refuse(_("Choisissez au moins une candidature."), "invalid")
    if len(wanted) > MAX_BATCH:
        raise _refuse(_("%(n)s candidatures au plus à la fois.") % {"n": MAX_BATCH}, "invalid")
    rows = list(
        Application.objects.select_for_update()
        .filter(call=call, pk__in=wanted, purged_at=None)
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise _refuse(_("Une des candidatures n'appartient pas à cet appel."), "invalid")
    return rows


def _milestone_fields(application: Application, milestone: str, now: dt.datetime) -> list[str]:
    if milestone == Stage.Milestone.INFORMATION and application.informed_at is None:
        application.informed_at = now
        return ["informed_at"]
    if milestone == Stage.Milestone.TESTS and application.tested_at is None:
        application.tested_at = now
        if application.informed_at is None:
            application.informed_at = now
            return ["tested_at", "informed_at"]
        return ["tested_at"]
    return []


def move(
    *, actor: Actor, call: Call, application_ids: Iterable[int], stage: Stage
) -> list[Application]:
    """Move one or many candidates to ``stage`` of the same call (audited, one entry each)."""
    require_role(actor, call.organisation_id, MANAGERS)
    if stage.call_id != call.pk:
        raise _refuse(_("Cette étape n'appartient pas à cet appel."), "invalid")
    now = timezone.now()
    with write_transaction():
        rows = _locked(call, application_ids)
        moved = [a for a in rows if a.stage_id != stage.pk]
        for application in moved:
            application.stage = stage
            _milestone_fields(application, stage.milestone, now)
        Application.objects.bulk_update(
            moved, ["stage", "informed_at", "tested_at", "updated_at"], batch_size=500
        )
        _bulk_audit(
            "candidates.application.move",
            actor,
            call.organisation_id,
            moved,
            {"stage": stage.pk, "label": stage.label},
        )
    return rows


def invite_to_session(
    *, actor: Actor, call: Call, application_ids: Iterable[int], session: Session, purpose: str
) -> list[Enrolment]:
    """Invite a group to an information session or a test: enrols them in ``session`` through
    enrolment's action (its e-mails and calendar files follow) and moves them to the stage of
    that purpose (``information`` or ``tests``) when the call has one."""
    require_role(actor, call.organisation_id, MANAGERS)
    if purpose not in (Stage.Milestone.INFORMATION, Stage.Milestone.TESTS):
        raise _refuse(
            _("Invitation à une séance d'information ou à des tests seulement."), "invalid"
        )
    if session.organisation_id != call.organisation_id:
        raise _refuse(_("Cette session n'appartient pas à votre organisation."), "invalid")
    stage = call.stages.filter(milestone=purpose).order_by("order").first()
    enrolled: list[Enrolment] = []
    now = timezone.now()
    with write_transaction():
        rows = _locked(call, application_ids)
        for application in rows:
            if application.person is None:
                continue
            already = Enrolment.objects.filter(
                session=session, learner_id=application.person_id
            ).first()
            if already is None:
                already = enrolment_actions.enrol(
                    actor=actor,
                    session=session,
                    learner=application.person,
                    source=Enrolment.Source.COORDINATOR,
                )
            enrolled.append(already)
            if stage is not None:
                application.stage = stage
            _milestone_fields(application, purpose, now)
        Application.objects.bulk_update(rows, ["stage", "informed_at", "tested_at", "updated_at"])
        _bulk_audit(
            "candidates.application.invite",
            actor,
            call.organisation_id,
            rows,
            {"session": session.pk, "purpose": purpose},
        )
    return enrolled


def record_score(
    *, actor: Actor, application: Application, test: str, score: Decimal, out_of: Decimal
) -> Score:
    require_role(actor, application.call.organisation_id, MANAGERS)
    test = _plain(test, 100, _("test"))
    if not test:
        raise ValidationError({"test": [_("Indiquez le nom du test.")]})
    if not (Decimal(0) < out_of <= Decimal(1000)) or not (Decimal(0) <= score <= out_of):
        raise ValidationError({"score": [_("La note va de 0 au maximum du test (1 000 au plus).")]})
    with transaction.atomic():
        row, _created = Score.objects.update_or_create(
            application=application,
            test=test,
            defaults={
                "score": score,
                "out_of": out_of,
                "recorded_by": actor.user,
                "recorded_at": timezone.now(),
            },
        )
        if application.tested_at is None:
            application.tested_at = timezone.now()
            application.save(update_fields=["tested_at", "updated_at"])
        audit.record(
            "candidates.application.score",
            actor=actor.user,
            organisation=application.call.organisation,
            obj=application,
            changes={"test": test, "score": str(score), "out_of": str(out_of)},
        )
    return row


def record_interview(
    *,
    actor: Actor,
    application: Application,
    scores: Mapping[int, tuple[int, str]],
) -> list[InterviewScore]:
    """The actor's interview grid for one candidate: criterion id -> (score 0 to 5, comment)."""
    require_role(actor, application.call.organisation_id, MANAGERS)
    criteria = {c.pk: c for c in application.call.criteria.all()}
    if not scores or any(pk not in criteria for pk in scores):
        raise _refuse(_("Notez les critères de la grille de cet appel."), "invalid")
    rows: list[InterviewScore] = []
    with transaction.atomic():
        for pk, (score, comment) in scores.items():
            if not 0 <= score <= 5:
                raise ValidationError({f"c{pk}": [_("La note va de 0 à 5.")]})
            row, _created = InterviewScore.objects.update_or_create(
                application=application,
                criterion_id=pk,
                interviewer=actor.user,
                defaults={
                    "score": score,
                    "comment": _plain(comment, MAX_TEXT, _("commentaire")),
                    "recorded_at": timezone.now(),
                },
            )
            rows.append(row)
        audit.record(
            "candidates.application.interview",
            actor=actor.user,
            organisation=application.call.organisation,
            obj=application,
            changes={"criteria": sorted(scores)},
        )
    return rows


def interview_result(application: Application) -> Decimal | None:
    """The weighted mean of every interviewer's scores, out of 5 (None without scores)."""
    total = Decimal(0)
    weights = 0
    for row in application.interview_scores.select_related("criterion"):
        total += Decimal(row.score * row.criterion.weight)
        weights += row.criterion.weight
    return (total / weights).quantize(Decimal("0.01")) if weights else None


# --- Decisions ---------------------------------------------------------------------------------

TEMPLATES: dict[str, tuple[str, str]] = {
    Decision.SELECTED: (
        "Votre candidature à {appel} est retenue",
        "Bonjour {prenom},\n\nNous avons le plaisir de vous annoncer que votre candidature à "
        "« {appel} » est retenue. Nous vous enverrons les dates et le lieu de la formation.\n\n"
        "{organisation}",
    ),
    Decision.WAITLISTED: (
        "Votre candidature à {appel} : liste d'attente",
        "Bonjour {prenom},\n\nVotre candidature à « {appel} » est sur notre liste d'attente. "
        "Nous vous écrirons si une place se libère.\n\n{organisation}",
    ),
    Decision.NOT_SELECTED: (
        "Votre candidature à {appel}",
        "Bonjour {prenom},\n\nVotre candidature à « {appel} » n'a pas été retenue cette fois. "
        "Merci de l'intérêt que vous portez à nos formations.\n\n{organisation}",
    ),
    Decision.REFERRED: (
        "Votre candidature à {appel} : le programme préparatoire",
        "Bonjour {prenom},\n\nVotre candidature à « {appel} » n'a pas été retenue cette fois, "
        "mais nous vous proposons notre programme préparatoire ; à son terme, vous pourrez "
        "poser à nouveau votre candidature.\n\n{organisation}",
    ),
    "reapply": (
        "Posez à nouveau votre candidature à {appel}",
        "Bonjour {prenom},\n\nLe programme préparatoire se termine. Vous pouvez poser à nouveau "
        "votre candidature à « {appel} » : vos réponses précédentes sont déjà remplies.\n\n"
        "{lien}\n\n{organisation}",
    ),
}


def template_for(kind: str) -> tuple[str, str]:
    """The default subject and text of a decision e-mail, in the active language; the
    coordinator edits them before sending. Placeholders: {prenom}, {nom}, {appel},
    {organisation} (and {lien} for re-applying)."""
    subject, body = TEMPLATES[kind]
    return _(subject), _(body)


_PLACEHOLDER = re.compile(r"\{(prenom|nom|appel|organisation|lien)\}")


def _render(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def _check_template(subject: str, body: str) -> tuple[str, str]:
    subject = _plain(subject, 200, _("objet"))
    body = (body or "").replace("\r\n", "\n").strip()
    if _CONTROL.search(body) or len(body) > MAX_TEXT:
        raise ValidationError({"body": [_("Le texte compte 5 000 caractères au plus.")]})
    if not subject or not body:
        raise ValidationError({"subject": [_("Indiquez l'objet et le texte de l'e-mail.")]})
    return subject, body


def decide(
    *,
    actor: Actor,
    call: Call,
    application_ids: Iterable[int],
    decision: str,
    subject: str,
    body: str,
) -> list[Application]:
    """Decide for one or many candidates and queue their e-mails (the text the coordinator
    edited, placeholders filled per person). Moves them to the decision stage."""
    require_role(actor, call.organisation_id, MANAGERS)
    if decision not in (Decision.SELECTED, Decision.WAITLISTED, Decision.NOT_SELECTED):
        raise _refuse(_("Décision inconnue."), "invalid")
    subject, body = _check_template(subject, body)
    stage = call.stages.filter(milestone=Stage.Milestone.DECISION).order_by("order").first()
    now = timezone.now()
    with write_transaction():
        rows = _locked(call, application_ids)
        messages = []
        for application in rows:
            application.decision = decision
            application.decided_at = now
            if stage is not None:
                application.stage = stage
            values = {
                "prenom": application.first_name,
                "nom": application.last_name,
                "appel": call.title,
                "organisation": call.organisation.name,
            }
            messages.append(
                Message(
                    application=application,
                    kind=f"decision:{decision}",
                    subject=_render(subject, values)[:200],
                    body=_render(body, values),
                    created_by=actor.user,
                    created_at=now,
                )
            )
        Application.objects.bulk_update(
            rows, ["decision", "decided_at", "stage", "updated_at"], batch_size=500
        )
        created = Message.objects.bulk_create(messages, batch_size=500)
        _bulk_audit(
            "candidates.application.decide",
            actor,
            call.organisation_id,
            rows,
            {"decision": decision},
        )
        _queue([m.pk for m in created if m.pk is not None] or _message_ids(rows, now))
    return rows


def _message_ids(rows: Sequence[Application], now: dt.datetime) -> list[int]:
    # Databases that do not return bulk-created ids (none of ours): read them back.
    return list(
        Message.objects.filter(application__in=rows, created_at=now).values_list("pk", flat=True)
    )


def refer(*, actor: Actor, application: Application, subject: str, body: str) -> Application:
    """Refer a candidate not selected to the preparatory programme's call (the call's
    ``referral_call``): a new application there, linked to this one, and the e-mail queued."""
    call = application.call
    require_role(actor, call.organisation_id, MANAGERS)
    target = call.referral_call
    if target is None:
        raise _refuse(_("Cet appel n'a pas de programme préparatoire lié."), "state")
    if application.decision in (Decision.SELECTED, Decision.REFERRED):
        raise _refuse(_("Seule une candidature non retenue peut être orientée."), "state")
    subject, body = _check_template(subject, body)
    now = timezone.now()
    with write_transaction():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.purged_at is not None:
            raise _refuse(_("Cette candidature a été anonymisée."), "state")
        first_stage = target.stages.order_by("order", "id").first()
        if first_stage is None:
            raise _refuse(_("L'appel du programme n'a pas d'étapes."), "state")
        existing = Application.objects.filter(call=target, email=application.email).first()
        if existing is not None:
            raise _refuse(
                _("Cette personne a déjà une candidature au programme préparatoire."), "duplicate"
            )
        referred = Application.objects.create(
            call=target,
            person=application.person,
            email=application.email,
            first_name=application.first_name,
            last_name=application.last_name,
            phone=application.phone,
            stage=first_stage,
            consent_at=application.consent_at,
            submitted_at=now,
            previous=application,
            gender=application.gender,
            birth_year=application.birth_year,
        )
        application.decision = Decision.REFERRED
        application.decided_at = now
        stage = call.stages.filter(milestone=Stage.Milestone.DECISION).order_by("order").first()
        if stage is not None:
            application.stage = stage
        application.save(update_fields=["decision", "decided_at", "stage", "updated_at"])
        values = {
            "prenom": application.first_name,
            "nom": application.last_name,
            "appel": call.title,
            "organisation": call.organisation.name,
        }
        message = Message.objects.create(
            application=application,
            kind=f"decision:{Decision.REFERRED}",
            subject=_render(subject, values)[:200],
            body=_render(body, values),
            created_by=actor.user,
        )
        audit.record(
            "candidates.application.refer",
            actor=actor.user,
            organisation=call.organisation,
            obj=application,
            changes={"to_call": target.pk, "application": referred.pk},
        )
        _queue([message.pk])
    return referred


def invite_to_reapply(
    *, actor: Actor, call: Call, application_ids: Iterable[int], subject: str, body: str
) -> list[Message]:
    """At the end of the preparatory programme, invite its people to apply again to the
    qualifying call (``call.followup_call``) with a link that pre-fills their answers."""
    require_role(actor, call.organisation_id, MANAGERS)
    target = call.followup_call
    if target is None:
        raise _refuse(_("Ce programme n'a pas de formation qualifiante liée."), "state")
    subject, body = _check_template(subject, body)
    now = timezone.now()
    with write_transaction():
        rows = _locked(call, application_ids)
        messages = []
        for application in rows:
            path = reverse("candidates:apply", args=[target.organisation.slug, target.slug])
            link = absolute_url(f"{path}?reprise={reapply_token(application)}")
            values = {
                "prenom": application.first_name,
                "nom": application.last_name,
                "appel": target.title,
                "organisation": call.organisation.name,
                "lien": link,
            }
            messages.append(
                Message(
                    application=application,
                    kind="reapply",
                    subject=_render(subject, values)[:200],
                    body=_render(body, values) + ("" if "{lien}" in body else f"\n\n{link}"),
                    created_by=actor.user,
                    created_at=now,
                )
            )
        created = Message.objects.bulk_create(messages)
        _bulk_audit(
            "candidates.application.invite_reapply",
            actor,
            call.organisation_id,
            rows,
            {"to_call": target.pk},
        )
        _queue([m.pk for m in created])
    return created


# --- E-mails -----------------------------------------------------------------------------------


def send_message(message_id: int) -> bool:
    """Send one queued message (idempotent: a sent message is not sent again)."""
    from django.core.mail import send_mail

    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("application")
            .filter(pk=message_id, status=Message.Status.QUEUED)
            .first()
        )
        if message is None or not message.application.email:
            return False
        send_mail(message.subject, message.body, None, [message.application.email])
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at"])
    return True


# --- Privacy -----------------------------------------------------------------------------------


def purgeable(now: dt.datetime | None = None) -> list[Application]:
    """Applications not selected whose call closed more than its retention period ago."""
    now = now or timezone.now()
    # The expiry (closing + retention days) is computed in Python: portable on both databases.
    candidates = (
        Application.objects.filter(purged_at=None, call__closes_at__lt=now)
        .exclude(decision=Decision.SELECTED)
        .select_related("call")
        .order_by("pk")
    )
    return [
        a
        for a in candidates.iterator(chunk_size=500)
        if a.call.closes_at + dt.timedelta(days=a.call.retention_days) < now
    ]


def purge(*, applications: Sequence[Application], now: dt.datetime | None = None) -> int:
    """Remove the personal data and files of these applications, keeping anonymous rows (stage,
    decision, dates, declared gender and birth year) for the funnel counts."""
    now = now or timezone.now()
    stored: list[str] = []
    with transaction.atomic():
        ids = [a.pk for a in applications]
        rows = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, purged_at=None)
            .select_related("person")
        )
        for application in rows:
            if not application.gender and application.birth_year is None:
                application.gender, application.birth_year = _declared(application.person)
        stored = list(
            ApplicationFile.objects.filter(application__in=rows).values_list(
                "stored_name", flat=True
            )
        )
        ApplicationFile.objects.filter(application__in=rows).delete()
        Answer.objects.filter(application__in=rows).delete()
        Message.objects.filter(application__in=rows).delete()
        InterviewScore.objects.filter(application__in=rows).update(comment="")
        for application in rows:
            application.person = None
            application.email = ""
            application.first_name = ""
            application.last_name = ""
            application.phone = ""
            application.purged_at = now
        Application.objects.bulk_update(
            rows,
            [
                "person",
                "email",
                "first_name",
                "last_name",
                "phone",
                "purged_at",
                "gender",
                "birth_year",
            ],
            batch_size=500,
        )
        # The audit log keeps what happened, not who it was about.
        for application in rows:
            AuditEntry.objects.filter(
                object_type="candidates.application", object_id=str(application.pk)
            ).update(object_repr=str(application)[:300])
        AuditEntry.objects.bulk_create(
            AuditEntry(
                at=now,
                action="candidates.application.purge",
                organisation_id=None,
                object_type="candidates.application",
                object_id=str(a.pk),
                object_repr=str(a)[:300],
            )
            for a in rows
        )
        transaction.on_commit(lambda: uploads.delete(stored))
    return len(rows)


def erase_person(person: User) -> int:
    """The person asked for erasure: their applications are purged now (called by privacy)."""
    rows = list(Application.objects.filter(person=person, purged_at=None))
    return purge(applications=rows)


def permission_denied() -> PermissionDenied:
    return PermissionDenied(_("Vous n'avez pas le rôle requis dans cette organisation."))


def staff_calls(actor: Actor) -> Q:
    """Calls whose candidates the actor may see."""
    if actor.is_platform_admin:
        return Q()
    return Q(organisation_id__in=actor.orgs_with_role(*READERS))
