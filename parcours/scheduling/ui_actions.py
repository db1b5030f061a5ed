"""Writes the logistics pages need on top of ``actions`` (which stays the one way in: these
functions validate, check rights, then call its primitives inside one transaction).

- ``checkout_loan``: lend equipment to a person known by e-mail (an account without password
  is created for a teacher who has none), via ``actions.lend``.
- ``send_loan_reminders`` / ``remind_loan``: e-mail the borrowers of overdue loans (one task
  each), at most once a day per loan (``Loan.last_reminded``).
- ``request_outreach_checked``: a school's request for a mobile unit, with the set-up day before
  the first day, refused up front when the unit is already confirmed elsewhere on those days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts import audit
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, loan_tasks, planning
from parcours.scheduling.models import Loan, OutreachActivity, OutreachRequest, Resource
from parcours.scheduling.permissions import require_logistics
from parcours.scheduling.querysets import LoanQuerySet

# A mobile unit travels and is set up the day before the first activity day, so two schools
# are always at least one day apart: the unit is in one place at a time, with travel time.
SETUP_DAYS_BEFORE = 1
TRAVEL_DAYS_AFTER = 0
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
        borrower = User.objects.filter(email__iexact=email).first()
        if borrower is None:
            if not (first_name.strip() and last_name.strip()):
                raise ValidationError(
                    {
                        "borrower_first_name": [
                            _(
                                "Aucun compte n'a cette adresse : indiquez le prénom et le nom "
                                "de l'emprunteur pour l'enregistrer."
                            )
                        ]
                    }
                )
            borrower = account_actions.create_user(
                email=email,
                password=None,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                actor=actor.user,
            )
        return actions.lend(
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
            transaction.on_commit(partial(loan_tasks.send_loan_reminder.enqueue, loan_id))
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


def outreach_blocked_range(
    first_day: dt.date, last_day: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """What a request blocks on the unit: the set-up day(s) before to the end of the last day
    plus the travel day(s) after."""
    return (
        core.local_datetime(
            first_day - dt.timedelta(days=SETUP_DAYS_BEFORE), dt.time(0), planning.TZ
        ),
        core.local_datetime(
            last_day + dt.timedelta(days=1 + TRAVEL_DAYS_AFTER), dt.time(0), planning.TZ
        ),
    )


def request_outreach_checked(
    *,
    actor: Actor,
    activity: OutreachActivity,
    first_day: dt.date,
    last_day: dt.date,
    school_name: str,
    school_city: str,
    pupil_counts: Mapping[str, int],
    **details: Any,
) -> OutreachRequest:
    """``actions.request_outreach`` with the set-up day and travel time of the house rules,
    and a clear refusal up front when the unit is already confirmed elsewhere then (a request
    holds no slot, so without this check the school would only learn it at approval)."""
    blocked0, blocked1 = outreach_blocked_range(first_day, last_day)
    conflicts = planning.find_conflicts([activity.unit_id], blocked0, blocked1)
    if conflicts:
        first = conflicts[0]
        raise ValidationError(
            {
                "first_day": [
                    _(
                        "L'unité est déjà en déplacement du %(start)s au %(end)s. Elle a besoin "
                        "d'un jour de trajet et de montage avant chaque animation : choisissez "
                        "d'autres dates."
                    )
                    % {
                        "start": formats.date_format(
                            timezone.localtime(first.blocked_start), "j F Y"
                        ),
                        "end": formats.date_format(
                            timezone.localtime(first.blocked_end - dt.timedelta(seconds=1)),
                            "j F Y",
                        ),
                    }
                ]
            }
        )
    return actions.request_outreach(
        actor=actor,
        activity=activity,
        first_day=first_day,
        last_day=last_day,
        school_name=school_name,
        school_city=school_city,
        pupil_counts=pupil_counts,
        travel_days_before=SETUP_DAYS_BEFORE,
        travel_days_after=TRAVEL_DAYS_AFTER,
        **details,
    )


def create_outreach_activity(
    *,
    actor: Actor,
    unit: Resource,
    slug: str,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    audience: str = "",
    max_pupils_per_day: int | None = None,
) -> OutreachActivity:
    """Add (or update) an activity a mobile unit offers, with its teachers' kit text."""
    require_logistics(actor, unit.organisation_id)
    if unit.kind != Resource.Kind.MOBILE_UNIT:
        raise ValidationError({"unit": [_("Seule une unité mobile propose des animations.")]})
    if not title_fr.strip():
        raise ValidationError({"title_fr": [_("Donnez un titre à l'animation.")]})
    with transaction.atomic():
        activity, _created = OutreachActivity.objects.update_or_create(
            unit=unit,
            slug=slug,
            defaults={
                "organisation_id": unit.organisation_id,
                "title_fr": title_fr.strip(),
                "title_en": title_en.strip(),
                "description_fr": description_fr,
                "description_en": description_en,
                "audience": audience,
                "max_pupils_per_day": max_pupils_per_day,
                "is_active": True,
            },
        )
        audit.record(
            "outreach_activity.save",
            actor=actor.user,
            organisation=unit.organisation,
            obj=activity,
        )
    return activity
