"""Retention: which learners have been inactive longer than their organisations keep them.

A person is due when ALL of these hold:

- every organisation they belong to has a ``learner_retention_days`` (an organisation without
  one keeps its learners: its rule says "keep"), and they are a learner there and nothing else
  (staff accounts are never erased by retention, nor platform staff);
- their last activity is older than the longest of those periods (so every organisation's rule
  says so). Activity: signing in, an API token used, joining, an enrolment changed or a session
  they are enrolled in taking place, attendance recorded, a booking requested or changed, a loan
  started or returned.

A due person with an equipment loan not returned is reported, not erased (erasure would be
refused). Reads in a bounded number of queries: three, plus one per 500 candidates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from parcours.accounts.models import ApiToken, Membership, Organisation, Role, User
from parcours.enrolment.models import Attendance, Enrolment, SessionSlot
from parcours.scheduling.models import Booking, Loan

CHUNK = 500


@dataclass
class RetentionPlan:
    due: list[int] = field(default_factory=list)
    held_by_open_loan: list[int] = field(default_factory=list)


def _max_of(queryset: QuerySet[Any], column: str) -> Subquery:
    """The largest ``column`` of ``queryset`` (already filtered on OuterRef("pk"))."""
    return Subquery(
        queryset.order_by(f"-{column}").values(column)[:1], output_field=DateTimeField()
    )


def _activity_columns() -> dict[str, Subquery]:
    me = OuterRef("pk")
    return {
        "last_enrolment": _max_of(Enrolment.objects.filter(learner=me), "updated_at"),
        "last_slot": _max_of(SessionSlot.objects.filter(session__enrolments__learner=me), "end"),
        "last_attendance": _max_of(Attendance.objects.filter(enrolment__learner=me), "recorded_at"),
        "last_booking": _max_of(Booking.objects.filter(requester=me), "updated_at"),
        "last_loan_start": _max_of(Loan.objects.filter(borrower=me), "start"),
        "last_loan_return": _max_of(
            Loan.objects.filter(borrower=me, returned_at__isnull=False), "returned_at"
        ),
        "last_token_use": _max_of(
            ApiToken.objects.filter(user=me, last_used_at__isnull=False), "last_used_at"
        ),
    }


def last_activity(user: User) -> dt.datetime:
    values = [user.date_joined, user.last_login]
    values += [getattr(user, name) for name in _activity_columns()]
    return max(v for v in values if v is not None)


def plan(now: dt.datetime | None = None) -> RetentionPlan:
    now = now or timezone.now()
    days_by_org = dict(
        Organisation.objects.filter(learner_retention_days__isnull=False).values_list(
            "pk", "learner_retention_days"
        )
    )
    result = RetentionPlan()
    if not days_by_org:
        return result
    other_roles = [r for r in Role.values if r != Role.LEARNER]
    candidates = (
        User.objects.filter(
            erased_at__isnull=True,
            is_staff=False,
            is_superuser=False,
            memberships__organisation_id__in=list(days_by_org),
            memberships__role=Role.LEARNER,
        )
        .exclude(memberships__role__in=other_roles)
        .exclude(memberships__organisation__learner_retention_days__isnull=True)
        .distinct()
        .values_list("pk", flat=True)
    )
    ids = sorted(candidates)
    period: dict[int, int] = defaultdict(int)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for user_id, org_id in Membership.objects.filter(user_id__in=chunk).values_list(
            "user_id", "organisation_id"
        ):
            period[user_id] = max(period[user_id], days_by_org[org_id])
        people = (
            User.objects.filter(pk__in=chunk)
            .only("pk", "date_joined", "last_login")
            .annotate(**_activity_columns())
        )
        open_loans = set(
            Loan.objects.filter(borrower_id__in=chunk, returned_at__isnull=True).values_list(
                "borrower_id", flat=True
            )
        )
        for person in people:
            if last_activity(person) >= now - dt.timedelta(days=period[person.pk]):
                continue
            if person.pk in open_loans:
                result.held_by_open_loan.append(person.pk)
            else:
                result.due.append(person.pk)
    result.due.sort()
    result.held_by_open_loan.sort()
    return result
