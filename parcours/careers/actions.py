"""Every write of the career follow-up: assigning people to a career manager, the follow-up log
and its next actions, outcomes at milestones, the +6 months survey by e-mailed link.

Each action checks the role first (career notes: the organisation's career managers only),
validates, writes in one transaction and records an audit entry. Opening a file is audited too
(``open_file``): its notes are personal data read by staff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Membership, Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.candidates.models import Application
from parcours.careers import milestones, permissions
from parcours.careers.models import (
    CareerFile,
    ContractType,
    FollowUp,
    Milestone,
    Outcome,
    OutcomeStatus,
    OutcomeSurvey,
)
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import ACTIVE
from parcours.lib.ids import MAX_ID
from parcours.lib.transactions import write_transaction

MAX_NOTE = 10_000
MAX_ACTION = 300
MAX_OUTCOME_NOTE = 300
MAX_BULK = 500
MIN_YEAR, MAX_YEAR = 2000, 2100
SURVEY_DAYS = 30  # how long a survey link works
SURVEY_SALT = "parcours.careers.survey"


def _today() -> dt.date:
    return timezone.localdate()


def _bad_text(value: str) -> bool:
    return "\x00" in value


def _date_ok(value: dt.date | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def _date_error() -> str:
    return _("Les dates doivent être comprises entre %(a)d et %(b)d.") % {
        "a": MIN_YEAR,
        "b": MAX_YEAR,
    }


# --- Reading a file (audited) -------------------------------------------------------------------


def open_file(actor: Actor, organisation: Organisation, file_id: int) -> CareerFile:
    """The career file ``file_id`` of the organisation, for one of its career managers, with
    an audit entry for the read. 403 before any look-up; 404 outside the organisation."""
    permissions.require_career_manager(actor, organisation)
    if not 1 <= file_id <= MAX_ID:
        raise Http404
    file = (
        CareerFile.objects.select_related("person", "manager", "session__module", "application")
        .filter(pk=file_id, organisation=organisation)
        .first()
    )
    if file is None:
        raise Http404
    audit.record(
        "career_file.view", actor=actor.user, organisation=organisation, obj=file, changes={}
    )
    return file


# --- Assigning people -------------------------------------------------------------------------


def _person_belongs(organisation: Organisation, person: User) -> bool:
    """The person has something to do with the organisation: a membership, an enrolment in one
    of its sessions, or an application to one of its calls."""
    return (
        Membership.objects.filter(organisation=organisation, user=person).exists()
        or Enrolment.objects.filter(session__organisation=organisation, learner=person).exists()
        or Application.objects.filter(call__organisation=organisation, person=person).exists()
    )


def _manager_ok(organisation: Organisation, manager: User) -> bool:
    return (
        manager.is_active
        and Membership.objects.filter(
            organisation=organisation, user=manager, role=Role.CAREER_MANAGER
        ).exists()
    )


def _training_dates(session: Session | None) -> tuple[dt.date | None, dt.date | None]:
    if session is None or session.starts_at is None or session.ends_at is None:
        return None, None
    return session.starts_at.astimezone(BRUSSELS).date(), session.ends_at.astimezone(
        BRUSSELS
    ).date()


def assign(
    *,
    actor: Actor,
    organisation: Organisation,
    person: User,
    manager: User,
    application: Application | None = None,
    session: Session | None = None,
) -> CareerFile:
    """Put a person in a career manager's caseload (their file is created the first time;
    afterwards the manager, the application and the training are updated). The training's
    dates, which the milestones follow, come from ``session``."""
    permissions.require_assigner(actor, organisation)
    errors: dict[str, list[str]] = {}
    if not _manager_ok(organisation, manager):
        errors["manager"] = [_("Choisissez un·e chargé·e de suivi de votre organisation.")]
    if not _person_belongs(organisation, person):
        errors["person"] = [_("Cette personne n'est pas connue de votre organisation.")]
    if application is not None and (
        application.call.organisation_id != organisation.pk or application.person_id != person.pk
    ):
        errors["application"] = [_("Cette candidature ne correspond pas à cette personne.")]
    if session is not None and session.organisation_id != organisation.pk:
        errors["session"] = [_("Choisissez une session de votre organisation.")]
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        file, created = CareerFile.objects.select_for_update().get_or_create(
            organisation=organisation, person=person, defaults={"manager": manager}
        )
        before = {"manager": file.manager_id, "session": file.session_id}
        file.manager = manager
        if application is not None:
            file.application = application
        if session is not None:
            file.session = session
            file.training_start, file.training_end = _training_dates(session)
        file.closed_at = None
        file.save()
        audit.record(
            "career_file.assign",
            actor=actor.user,
            organisation=organisation,
            obj=file,
            changes={
                "created": created,
                "before": before,
                "manager": manager.pk,
                "session": file.session_id,
                "application": file.application_id,
            },
        )
    return file


def assign_from_application(
    *, actor: Actor, application: Application, manager: User, session: Session | None = None
) -> CareerFile:
    organisation = application.call.organisation
    permissions.require_assigner(actor, organisation)
    if application.person is None:
        raise ValidationError(
            {"application": [_("Cette candidature n'a plus de personne liée (anonymisée).")]}
        )
    return assign(
        actor=actor,
        organisation=organisation,
        person=application.person,
        manager=manager,
        application=application,
        session=session,
    )


def assign_from_session(
    *, actor: Actor, session: Session, learner_ids: Iterable[int], manager: User
) -> list[CareerFile]:
    """Assign some of a session's learners (enrolled, not cancelled) to a career manager; the
    session is their training. All or nothing."""
    organisation = session.organisation
    permissions.require_assigner(actor, organisation)
    ids = sorted({i for i in learner_ids if isinstance(i, int) and 1 <= i <= MAX_ID})
    if not ids:
        raise ValidationError({"learners": [_("Choisissez au moins une personne.")]})
    if len(ids) > MAX_BULK:
        raise ValidationError(
            {"learners": [_("%(n)d personnes au plus à la fois.") % {"n": MAX_BULK}]}
        )
    learners = list(
        User.objects.filter(
            pk__in=Enrolment.objects.filter(
                session=session, learner_id__in=ids, status__in=ACTIVE
            ).values("learner_id")
        ).order_by("pk")
    )
    if len(learners) != len(ids):
        raise ValidationError({"learners": [_("Ces personnes ne sont pas toutes inscrites.")]})
    with write_transaction():
        return [
            assign(
                actor=actor,
                organisation=organisation,
                person=learner,
                manager=manager,
                session=session,
            )
            for learner in learners
        ]


def set_training_dates(
    *, actor: Actor, file: CareerFile, start: dt.date | None, end: dt.date | None
) -> CareerFile:
    """The training's first and last days (when they do not come from a session)."""
    permissions.require_career_manager(actor, file.organisation_id)
    if not (_date_ok(start) and _date_ok(end)):
        raise ValidationError({"training_end": [_date_error()]})
    if start and end and end < start:
        raise ValidationError({"training_end": [_("La fin de formation doit suivre son début.")]})
    with write_transaction():
        CareerFile.objects.filter(pk=file.pk).update(training_start=start, training_end=end)
        file.training_start, file.training_end = start, end
        audit.record(
            "career_file.training_dates",
            actor=actor.user,
            organisation=file.organisation,
            obj=file,
            changes={"start": start and start.isoformat(), "end": end and end.isoformat()},
        )
    return file


def close_file(*, actor: Actor, file: CareerFile) -> CareerFile:
    permissions.require_career_manager(actor, file.organisation_id)
    with write_transaction():
        file.closed_at = timezone.now()
        CareerFile.objects.filter(pk=file.pk).update(closed_at=file.closed_at)
        audit.record(
            "career_file.close", actor=actor.user, organisation=file.organisation, obj=file
        )
    return file


# --- Follow-up log ------------------------------------------------------------------------------


def log_followup(
    *,
    actor: Actor,
    file: CareerFile,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    next_action: str = "",
    next_due: dt.date | None = None,
) -> FollowUp:
    """A meeting, call, e-mail or note in the person's log, with an optional next action due
    on a date (the career manager is reminded by e-mail when it falls due)."""
    permissions.require_career_manager(actor, file.organisation_id)
    errors: dict[str, list[str]] = {}
    if kind not in FollowUp.Kind.values:
        errors["kind"] = [_("Type de suivi inconnu.")]
    if not _date_ok(happened_on):
        errors["happened_on"] = [_date_error()]
    if not _date_ok(next_due):
        errors["next_due"] = [_date_error()]
    if _bad_text(note) or _bad_text(next_action) or "\n" in next_action:
        errors["note"] = [_("Caractère invalide (caractère de contrôle).")]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("La note compte %(n)d caractères au plus.") % {"n": MAX_NOTE}]
    next_action = next_action.strip()
    if len(next_action) > MAX_ACTION:
        errors["next_action"] = [
            _("La prochaine action compte %(n)d caractères au plus.") % {"n": MAX_ACTION}
        ]
    if next_due is not None and not next_action:
        errors["next_action"] = [_("Décrivez la prochaine action prévue à cette date.")]
    if next_action and next_due is None:
        errors["next_due"] = [_("Indiquez pour quand est prévue la prochaine action.")]
    if not note.strip() and not next_action:
        errors["note"] = [_("Écrivez une note ou une prochaine action.")]
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        entry = FollowUp.objects.create(
            file=file,
            kind=kind,
            happened_on=happened_on,
            note=note.strip(),
            author=actor.user,
            next_action=next_action,
            next_due=next_due,
        )
        # The text is not copied into the audit log: it stays where only career managers read.
        audit.record(
            "career_followup.create",
            actor=actor.user,
            organisation=file.organisation,
            obj=entry,
            changes={"file": file.pk, "kind": kind, "next_due": next_due and next_due.isoformat()},
        )
    return entry


def complete_action(*, actor: Actor, followup: FollowUp) -> FollowUp:
    """Mark a follow-up's next action done (idempotent)."""
    permissions.require_career_manager(actor, followup.file.organisation_id)
    with write_transaction():
        done = timezone.now()
        if FollowUp.objects.filter(pk=followup.pk, done_at__isnull=True).update(done_at=done):
            followup.done_at = done
            audit.record(
                "career_followup.done",
                actor=actor.user,
                organisation=followup.file.organisation,
                obj=followup,
            )
    return followup


# --- Outcomes ------------------------------------------------------------------------------------


def _outcome_errors(status: str, contract: str, note: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status not in OutcomeStatus.values:
        errors["status"] = [_("Situation inconnue.")]
    if status == OutcomeStatus.EMPLOYED and contract not in ContractType.values:
        errors["contract"] = [_("Indiquez le type de contrat.")]
    if status != OutcomeStatus.EMPLOYED and contract:
        errors["contract"] = [_("Le type de contrat ne s'indique que pour un emploi.")]
    if _bad_text(note) or "\n" in note:
        errors["note"] = [_("Caractère invalide (caractère de contrôle).")]
    elif len(note) > MAX_OUTCOME_NOTE:
        errors["note"] = [
            _("La précision compte %(n)d caractères au plus.") % {"n": MAX_OUTCOME_NOTE}
        ]
    return errors


def _write_outcome(
    file: CareerFile,
    milestone: str,
    status: str,
    contract: str,
    note: str,
    source: str,
    user: User | None,
) -> Outcome:
    outcome, _created = Outcome.objects.update_or_create(
        file=file,
        milestone=milestone,
        defaults={
            "status": status,
            "contract": contract if status == OutcomeStatus.EMPLOYED else "",
            "note": note.strip(),
            "source": source,
            "recorded_by": user,
        },
    )
    return outcome


def record_outcome(
    *,
    actor: Actor,
    file: CareerFile,
    milestone: str,
    status: str,
    contract: str = "",
    note: str = "",
) -> Outcome:
    """Where the person stands at a milestone (replaces what was recorded for it)."""
    permissions.require_career_manager(actor, file.organisation_id)
    errors = _outcome_errors(status, contract, note)
    if milestone not in Milestone.values:
        errors["milestone"] = [_("Jalon inconnu.")]
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        outcome = _write_outcome(
            file, milestone, status, contract, note, Outcome.Source.MANAGER, actor.user
        )
        audit.record(
            "career_outcome.record",
            actor=actor.user,
            organisation=file.organisation,
            obj=file,
            changes={"milestone": milestone, "status": status, "contract": outcome.contract},
        )
    return outcome


# --- The +6 months survey -----------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_survey_token() -> tuple[str, str]:
    """A fresh (link token, stored hash): the link carries the random value signed."""
    raw = secrets.token_urlsafe(32)
    return signing.dumps(raw, salt=SURVEY_SALT), token_hash(raw)


def request_survey(*, actor: Actor | None, file: CareerFile) -> OutcomeSurvey:
    """Send the outcome survey to the person by e-mail (a task makes the link and sends it).
    ``actor`` is None when the scheduled command sends it at +6 months. An earlier survey of
    the file that was not answered stops working."""
    if actor is not None:
        permissions.require_career_manager(actor, file.organisation_id)
    if not file.person.email or not file.person.is_active:
        raise ValidationError({"survey": [_("Cette personne n'a pas d'adresse e-mail active.")]})
    now = timezone.now()
    with write_transaction():
        OutcomeSurvey.objects.filter(file=file, answered_at__isnull=True).update(expires_at=now)
        survey = OutcomeSurvey.objects.create(
            file=file,
            created_by=actor.user if actor is not None else None,
            expires_at=now + dt.timedelta(days=SURVEY_DAYS),
        )
        audit.record(
            "career_survey.request",
            actor=actor.user if actor is not None else None,
            organisation=file.organisation,
            obj=survey,
        )
        from parcours.careers import tasks

        survey_id = survey.pk
        transaction.on_commit(lambda: tasks.send_survey.enqueue(survey_id))
    return survey


def survey_for_token(token: str) -> OutcomeSurvey | None:
    """The open survey behind a link (None: forged, expired, answered or replaced)."""
    if not token or len(token) > 200:
        return None
    try:
        raw = signing.loads(token, salt=SURVEY_SALT, max_age=dt.timedelta(days=SURVEY_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(raw, str):
        return None
    return (
        OutcomeSurvey.objects.select_related("file__person", "file__organisation")
        .filter(token_hash=token_hash(raw), answered_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@dataclass(frozen=True)
class SurveyAnswer:
    status: str
    contract: str = ""
    note: str = ""


def answer_survey(*, token: str, answer: SurveyAnswer) -> Outcome:
    """The person's answer: recorded as the +6 months outcome. The link works once."""
    errors = _outcome_errors(answer.status, answer.contract, answer.note)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        survey = survey_for_token(token)
        # The conditional update is the single use: of two racing answers, one wins.
        if survey is None or not OutcomeSurvey.objects.filter(
            pk=survey.pk, answered_at__isnull=True
        ).update(answered_at=timezone.now()):
            raise PermissionDenied(_("Ce lien n'est plus valable (déjà utilisé ou expiré)."))
        file = survey.file
        outcome = _write_outcome(
            file,
            Milestone.M6,
            answer.status,
            answer.contract,
            answer.note,
            Outcome.Source.SURVEY,
            None,
        )
        audit.record(
            "career_survey.answer",
            actor=None,
            organisation=file.organisation,
            obj=survey,
            changes={"status": answer.status, "contract": outcome.contract},
        )
    return outcome


def surveys_due(today: dt.date | None = None) -> list[CareerFile]:
    """Files whose +6 months milestone has come, with no +6 outcome and no survey yet."""
    today = today or _today()
    latest_end = milestones.add_months(today, -6)
    return list(
        CareerFile.objects.filter(
            closed_at__isnull=True,
            training_end__isnull=False,
            training_end__lte=latest_end,
            training_end__gt=milestones.add_months(today, -12),
            person__is_active=True,
        )
        .exclude(person__email="")
        .exclude(outcomes__milestone=Milestone.M6)
        .exclude(surveys__isnull=False)
        .select_related("person", "organisation")
    )
