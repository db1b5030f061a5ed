"""Enrolment imports (CSV / Excel): every row checked, all or nothing unless the coordinator
chooses the valid rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts import audit
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.enrolment.actions._base import (
    MANAGERS,
    NO_RESTRICTION,
    SCHOOL,
    S,
    Source,
    _allowed_domains,
    _email_domain,
    _lock_session,
    _save_seats,
)
from parcours.enrolment.actions.enrolments import _overlapping, create_invited_learner
from parcours.enrolment.actions.waitlist import _announce_new
from parcours.enrolment.importing import ImportRow, RowError
from parcours.enrolment.models import (
    Enrolment,
    LearnerProfile,
    Session,
)
from parcours.enrolment.states import (
    ACTIVE,
    SessionStatus,
)
from parcours.lib.transactions import write_transaction

# --- Imports -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    total: int
    errors: list[RowError] = field(default_factory=list)
    valid: list[ImportRow] = field(default_factory=list)
    created: list[Enrolment] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def import_enrolments(
    *,
    actor: Actor,
    session: Session,
    rows: Sequence[ImportRow],
    parse_errors: Sequence[RowError] = (),
    valid_only: bool = False,
    source: str = Source.IMPORT,
) -> ImportReport:
    """Enrol the people of a file. Every bad row is reported with its line number and reason;
    nothing is written when a row is bad, unless ``valid_only`` (the coordinator saw the
    report and chose to import the valid rows). Imported people take seats directly (no
    waitlist): rows that would exceed the capacity are errors ("session complète"). A school
    contact's rows become requests when the session needs approval."""
    require_role(actor, session.organisation_id, SCHOOL if source == Source.SCHOOL else MANAGERS)
    report = ImportReport(total=len(rows) + len(parse_errors), errors=list(parse_errors))
    now = timezone.now()
    with write_transaction():
        session = _lock_session(session)
        allowed = _allowed_domains(session.organisation)
        emails = [r.email.strip().lower() for r in rows]
        known = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        already = set(
            session.enrolments.filter(status__in=ACTIVE).values_list("learner__email", flat=True)
        )
        needs_approval = session.requires_approval and source == Source.SCHOOL
        seats_left = session.capacity - session.seats_taken
        first_line: dict[str, int] = {}
        if session.status == SessionStatus.CANCELLED or (
            session.ends_at is not None and session.ends_at <= now
        ):
            report.errors.append(RowError(0, _("Cette session n'accepte plus d'inscriptions.")))
            return report
        for row in rows:
            email = row.email.strip().lower()
            problem = _row_problem(row, email, allowed, known, already, first_line, session)
            if problem is None and not needs_approval:
                if seats_left <= 0:
                    problem = ngettext(
                        "session complète (%(n)d place).",
                        "session complète (%(n)d places).",
                        session.capacity,
                    ) % {"n": session.capacity}
                else:
                    seats_left -= 1
            if problem is not None:
                report.errors.append(RowError(row.line, problem))
            else:
                first_line[email] = row.line
                report.valid.append(row)
        report.errors.sort(key=lambda e: e.line)
        if report.errors and not valid_only:
            return report
        for row in report.valid:
            email = row.email.strip().lower()
            learner = known.get(email) or create_invited_learner(
                actor=actor,
                organisation=session.organisation,
                email=email,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            if session.audience not in NO_RESTRICTION:
                LearnerProfile.objects.get_or_create(
                    user=learner, defaults={"audience": session.audience}
                )
            status = S.REQUESTED if needs_approval else S.CONFIRMED
            enrolment = Enrolment.objects.create(
                session=session,
                learner=learner,
                status=status,
                source=source,
                requested_by=actor.user,
                queued_at=now,
                confirmed_at=now if status == S.CONFIRMED else None,
            )
            report.created.append(enrolment)
            _announce_new(enrolment)
        if not needs_approval:
            session.seats_taken += len(report.created)
            _save_seats(session)
        report.written = True
        audit.record(
            "enrolment.import",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={
                "created": len(report.created),
                "errors": len(report.errors),
                "valid_only": valid_only,
                "source": source,
            },
        )
    return report


def _row_problem(
    row: ImportRow,
    email: str,
    allowed: set[str],
    known: dict[str, User],
    already: set[str],
    first_line: dict[str, int],
    session: Session,
) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return _("adresse e-mail invalide « %(e)s ».") % {"e": row.email}
    if allowed and _email_domain(email) not in allowed:
        return _("domaine d'e-mail inconnu « %(d)s ».") % {"d": _email_domain(email)}
    if email in first_line:
        return _("doublon de la ligne %(n)d.") % {"n": first_line[email]}
    if email in already:
        return _("déjà inscrit·e à cette session.")
    # Required for everyone, known or not: a different answer would tell who has an account.
    if not row.first_name.strip() or not row.last_name.strip():
        return _("prénom et nom requis.")
    if len(row.first_name.strip()) > 150 or len(row.last_name.strip()) > 150:
        return _("prénom ou nom de plus de 150 caractères.")
    learner = known.get(email)
    if learner is None:
        return None
    clash = _overlapping(learner.pk, session)
    if clash is not None:
        if clash.organisation_id != session.organisation_id:
            return _("déjà inscrit·e à une autre session au même moment.")
        return _("déjà inscrit·e à une session au même moment (%(s)s).") % {"s": clash.code}
    if session.audience not in NO_RESTRICTION:
        declared = (
            LearnerProfile.objects.filter(user=learner).values_list("audience", flat=True).first()
        )
        if declared and declared != session.audience:
            return _("cette session est réservée au public « %(a)s ».") % {
                "a": Module.Audience(session.audience).label
            }
    return None
