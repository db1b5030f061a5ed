"""The selection: reading a file (audited), moving candidates, inviting them to a session,
test scores, interview grids, decisions and their e-mails, referral and re-application."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parcours.accounts import audit
from parcours.accounts.permissions import Actor, require_role
from parcours.candidates.actions._base import (
    _CONTROL,
    MANAGERS,
    MAX_TEXT,
    _bulk_audit,
    _locked,
    _plain,
    _queue,
    _refuse,
    require_reader,
)
from parcours.candidates.actions.applying import reapply_token
from parcours.candidates.models import (
    Application,
    Call,
    Decision,
    InterviewScore,
    Message,
    Score,
    Stage,
)
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url


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


def _write_stage(ids: list[int], stage: Stage | None, milestone: str, now: dt.datetime) -> None:
    """Move these applications to ``stage`` and stamp the milestone it marks (first time only),
    in a few statements whatever their number."""
    rows = Application.objects.filter(pk__in=ids)
    if stage is not None:
        rows.update(stage=stage, updated_at=now)
    if milestone in (Stage.Milestone.INFORMATION, Stage.Milestone.TESTS):
        rows.filter(informed_at=None).update(informed_at=now)
    if milestone == Stage.Milestone.TESTS:
        rows.filter(tested_at=None).update(tested_at=now)


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
        _write_stage([a.pk for a in moved], stage, stage.milestone, now)
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
        _write_stage([a.pk for a in rows], stage, purpose, now)
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
        gettext_noop("Votre candidature à {appel} est retenue"),
        gettext_noop(
            "Bonjour {prenom},\n\nNous avons le plaisir de vous annoncer que votre candidature à "
            "« {appel} » est retenue. Nous vous enverrons les dates et le lieu de la formation.\n\n"
            "{organisation}"
        ),
    ),
    Decision.WAITLISTED: (
        gettext_noop("Votre candidature à {appel} : liste d'attente"),
        gettext_noop(
            "Bonjour {prenom},\n\nVotre candidature à « {appel} » est sur notre liste d'attente. "
            "Nous vous écrirons si une place se libère.\n\n{organisation}"
        ),
    ),
    Decision.NOT_SELECTED: (
        gettext_noop("Votre candidature à {appel}"),
        gettext_noop(
            "Bonjour {prenom},\n\nVotre candidature à « {appel} » n'a pas été retenue cette fois. "
            "Merci de l'intérêt que vous portez à nos formations.\n\n{organisation}"
        ),
    ),
    Decision.REFERRED: (
        gettext_noop("Votre candidature à {appel} : le programme préparatoire"),
        gettext_noop(
            "Bonjour {prenom},\n\nVotre candidature à « {appel} » n'a pas été retenue cette fois, "
            "mais nous vous proposons notre programme préparatoire ; à son terme, vous pourrez "
            "poser à nouveau votre candidature.\n\n{organisation}"
        ),
    ),
    "reapply": (
        gettext_noop("Posez à nouveau votre candidature à {appel}"),
        gettext_noop(
            "Bonjour {prenom},\n\nLe programme préparatoire se termine. "
            "Vous pouvez poser à nouveau votre candidature à « {appel} » : "
            "vos réponses précédentes sont déjà remplies.\n\n"
            "{lien}\n\n{organisation}"
        ),
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
        # One statement for all (the same values for everyone): a CASE per row would not scale.
        decided = Application.objects.filter(pk__in=[a.pk for a in rows])
        if stage is not None:
            decided.update(decision=decision, decided_at=now, stage=stage, updated_at=now)
        else:
            decided.update(decision=decision, decided_at=now, updated_at=now)
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
