"""Lending equipment: lend, return, check out to a person by e-mail, overdue reminders."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts import audit
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.lib.transactions import write_transaction
from parcours.scheduling import core, planning, tasks
from parcours.scheduling.actions.base import _Clash, _conflict
from parcours.scheduling.actions.bookings import _create_booking, _load_resources, _validate_times
from parcours.scheduling.models import (
    OPEN_LOAN_CONSTRAINT,
    Booking,
    Loan,
    Resource,
)
from parcours.scheduling.permissions import (
    require_logistics,
)
from parcours.scheduling.querysets import LoanQuerySet
from parcours.scheduling.states import BookingStatus

# --- Loans -------------------------------------------------------------------------------------


def lend(
    *,
    actor: Actor,
    resource: Resource | int,
    borrower: User,
    start: dt.datetime,
    due: dt.datetime,
    condition_out: str = "",
    notes: str = "",
) -> Loan:
    """Lend equipment (logistics). The loan's booking holds the item until it is returned, so
    nobody can book it for those dates; a conflict raises ``BookingConflict``."""
    items = _load_resources([resource])
    item = items[0]
    require_logistics(actor, item.organisation_id)
    if item.kind != Resource.Kind.EQUIPMENT:
        raise ValidationError({"resource": [_("Seul le matériel se prête.")]})
    _validate_times(start, due)
    title = _("Prêt : %(item)s à %(who)s") % {"item": item.name, "who": borrower}
    try:
        with write_transaction():
            booking = _create_booking(
                actor=actor,
                resources=items,
                status=BookingStatus.APPROVED,
                start=start,
                end=due,
                title=title,
                purpose=Booking.Purpose.LOAN,
                setup=0,
                cleanup=0,
                participants=None,
                notes=notes,
                source="",
                source_id="",
                requester_organisation=item.organisation,
            )
            # After the calendar check (an overlap names the loan in the way), before the
            # insert: an overdue item never returned is still out.
            if Loan.objects.filter(resource=item, returned_at=None).exists():
                raise _already_out(item)
            loan = Loan.objects.create(
                organisation_id=item.organisation_id,
                resource=item,
                booking=booking,
                borrower=borrower,
                lent_by=actor.user,
                start=start,
                due=due,
                condition_out=condition_out[:300],
            )
            audit.record(
                "loan.create",
                actor=actor.user,
                organisation=item.organisation,
                obj=loan,
                changes={"due": due.isoformat(), "borrower": borrower.email},
            )
    except _Clash as clash:
        raise _conflict(actor, clash, items, start, due, 0, 0, None) from None
    except IntegrityError as exc:
        # Two officers lending the same item at once (PostgreSQL): the partial unique
        # constraint refuses the second; nothing of it was written.
        if _is_open_loan_violation(exc):
            raise _already_out(item) from None
        raise
    return loan


def _already_out(item: Resource) -> ValidationError:
    return ValidationError(
        {
            "resource": [
                _(
                    "« %(item)s » est déjà prêté et n'a pas été rendu : enregistrez d'abord son "
                    "retour."
                )
                % {"item": item.name}
            ]
        }
    )


def _is_open_loan_violation(exc: IntegrityError) -> bool:
    text = str(exc)
    return OPEN_LOAN_CONSTRAINT in text or "scheduling_loan.resource_id" in text


def return_loan(
    *,
    actor: Actor,
    loan: Loan | int,
    returned_at: dt.datetime | None = None,
    condition_in: str = "",
) -> Loan:
    """Record that a loan came back; an early return frees the rest of the reserved time."""
    with write_transaction():
        record = (
            Loan.objects.select_for_update()
            .select_related("booking")
            .get(pk=loan if isinstance(loan, int) else loan.pk)
        )
        require_logistics(actor, record.organisation_id)
        if record.returned_at is not None:
            raise ValidationError(_("Ce prêt est déjà rendu."))
        when = returned_at or timezone.now()
        record.returned_at = when
        record.condition_in = condition_in[:300]
        record.save(update_fields=["returned_at", "condition_in"])
        booking = record.booking
        if when <= booking.start:
            booking.status = BookingStatus.CANCELLED
            booking.cancel_reason = _("Un prêt ne peut pas être rendu avant son début.")
            booking.save(update_fields=["status", "cancel_reason", "updated_at"])
            booking.reservations.update(active=False)
        elif when < booking.end:
            booking.end = when
            booking.save(update_fields=["end", "updated_at"])
            booking.reservations.update(blocked_end=when)
        audit.record(
            "loan.return",
            actor=actor.user,
            organisation=record.organisation,
            obj=record,
            changes={"returned_at": when.isoformat()},
        )
    return record


# Loans start and end at these local times when only dates are given.
LOAN_START = dt.time(8, 0)
LOAN_DUE = dt.time(17, 0)


def loan_times(
    start: dt.date, due: dt.date, *, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """A loan typed as dates: from now (or 08:00 on a later day) to 17:00 on the due date."""
    moment = now or timezone.now()
    begin = core.local_datetime(start, LOAN_START, planning.TZ)
    if start == planning.local_day(moment):
        begin = moment.replace(microsecond=0)
    end = core.local_datetime(due, LOAN_DUE, planning.TZ)
    return begin, end


def checkout_loan(
    *,
    actor: Actor,
    resource: Resource,
    borrower_email: str,
    start: dt.datetime,
    due: dt.datetime,
    first_name: str = "",
    last_name: str = "",
    condition_out: str = "",
) -> Loan:
    """Lend ``resource`` to the person with this e-mail (creating their account, without a
    password, when they have none yet). Raises ``BookingConflict`` when the item is booked or
    already out on those dates."""
    require_logistics(actor, resource.organisation_id)
    email = (borrower_email or "").strip().lower()
    if not email:
        raise ValidationError({"borrower_email": [_("Indiquez l'e-mail de l'emprunteur.")]})
    with transaction.atomic():
        # Only people the organisation knows (its members, its past borrowers) are found by
        # e-mail alone; anyone else must be named, whether or not the address has an account
        # elsewhere (which is then reused), so the form never reveals who exists elsewhere.
        org_id = resource.organisation_id
        member = (
            User.objects.filter(email__iexact=email)
            .filter(Q(memberships__organisation_id=org_id) | Q(loans__organisation_id=org_id))
            .first()
        )
        borrower = member or User.objects.filter(email__iexact=email).first()
        if member is None and not (first_name.strip() and last_name.strip()):
            raise ValidationError(
                {
                    "borrower_first_name": [
                        _(
                            "Cette personne n'est pas encore connue de l'organisation : "
                            "indiquez son prénom et son nom."
                        )
                    ]
                }
            )
        if borrower is None:
            borrower = account_actions.create_user(
                email=email,
                password=None,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                actor=actor.user,
            )
        return lend(
            actor=actor,
            resource=resource,
            borrower=borrower,
            start=start,
            due=due,
            condition_out=condition_out,
        )


def _not_reminded_on(day: dt.date) -> Q:
    return Q(last_reminded__isnull=True) | Q(last_reminded__lt=day)


def _remind(
    actor: Actor, organisation: Organisation, loans: LoanQuerySet, day: dt.date
) -> list[int]:
    """Inside the caller's transaction: mark the loans of ``loans`` not yet reminded on ``day``
    as reminded and queue one e-mail each after commit. Row locks on PostgreSQL (SQLite
    serialises writers), so two officers clicking at once send one e-mail, not two."""
    ids = list(
        loans.filter(_not_reminded_on(day))
        .select_for_update(of=("self",))
        .order_by("due")
        .values_list("pk", flat=True)
    )
    if ids:
        Loan.objects.filter(pk__in=ids).update(last_reminded=day)
        audit.record(
            "loan.remind",
            actor=actor.user,
            organisation=organisation,
            changes={"loans": ids, "day": day.isoformat()},
        )
        for loan_id in ids:
            transaction.on_commit(partial(tasks.send_loan_reminder.enqueue, loan_id))
    return ids


def send_loan_reminders(
    *, actor: Actor, organisation: Organisation, now: dt.datetime | None = None
) -> int:
    """Queue a reminder e-mail for every overdue loan of the organisation not already reminded
    today (local day); returns how many."""
    require_logistics(actor, organisation)
    moment = now or timezone.now()
    with transaction.atomic():
        loans = Loan.objects.filter(organisation=organisation).overdue(moment)
        ids = _remind(actor, organisation, loans, planning.local_day(moment))
    return len(ids)


def remind_loan(*, actor: Actor, loan: Loan, now: dt.datetime | None = None) -> Loan:
    """Queue a reminder e-mail for one overdue loan and record the day. Refused when the loan
    is not overdue (or returned) or was already reminded today."""
    require_logistics(actor, loan.organisation_id)
    moment = now or timezone.now()
    day = planning.local_day(moment)
    with transaction.atomic():
        overdue = Loan.objects.filter(pk=loan.pk).overdue(moment)
        if not _remind(actor, loan.organisation, overdue, day):
            current = (
                Loan.objects.filter(pk=loan.pk).values_list("last_reminded", flat=True).first()
            )
            if current == day:
                raise ValidationError(_("Un rappel a déjà été envoyé aujourd'hui pour ce prêt."))
            raise ValidationError(_("Ce prêt n'est pas en retard : aucun rappel à envoyer."))
    loan.last_reminded = day
    return loan
