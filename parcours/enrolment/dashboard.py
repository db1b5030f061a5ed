"""Home-page panels of the enrolment app (registered in ``apps.py``; see accounts/dashboard.py).

Read-only, a fixed number of queries each; the coordinator's figures are those of the current
organisation only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from parcours.accounts import dashboard
from parcours.accounts.models import Role
from parcours.enrolment.models import Enrolment, Session, SessionSlot
from parcours.enrolment.states import EnrolmentStatus, SessionStatus
from parcours.lib.http import AuthedRequest
from parcours.pathways.models import Pathway
from parcours.scheduling.planning import day_span, local_day

#: Statuses of an enrolment still to come (a place, a request or a place in the queue).
COMING = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED)
#: How far ahead the coordinator is warned about under-filled sessions.
UNDERFILLED_WITHIN = dt.timedelta(days=14)
#: A trainer's panel lists at most this many slots.
TRAINER_SLOTS = 12


def next_session(request: AuthedRequest) -> dict[str, Any] | None:
    """The learner's next slot (an ongoing one counts), its session and where it happens."""
    now = timezone.now()
    user = request.user
    coming = Enrolment.objects.filter(learner=user, status__in=COMING).exclude(
        session__status=SessionStatus.CANCELLED
    )
    slot = (
        SessionSlot.objects.filter(
            end__gt=now, session__in=coming.values("session_id").filter(session__ends_at__gt=now)
        )
        .select_related("session__module", "session__site", "session__room")
        .order_by("start", "pk")
        .first()
    )
    if slot is None:
        if dashboard.holds_staff_role(request.actor, request.organisation):
            return None
        return {"slot": None}
    enrolment = coming.filter(session=slot.session_id).only("status").first()
    others = coming.filter(session__ends_at__gt=now).exclude(session=slot.session_id).count()
    return {
        "slot": slot,
        "session": slot.session,
        "enrolment": enrolment,
        "ongoing": slot.start <= now,
        "others": others,
    }


def trainer_week(request: AuthedRequest) -> dict[str, Any] | None:
    """The trainer's slots today and in the next seven days, with the roll call of the current
    (or next) one; only sessions of organisations the trainer belongs to."""
    now = timezone.now()
    _start_of_today, end_of_today = day_span(local_day(now))
    week_end = end_of_today + dt.timedelta(days=6)
    mine = (
        SessionSlot.objects.filter(
            session__trainers=request.user,
            session__organisation__in=list(request.actor.roles_by_org),
            session__status=SessionStatus.PUBLISHED,
            end__gt=now,
        )
        .select_related("session__module", "session__site", "session__room")
        .order_by("start", "pk")
    )
    slots = list(mine.filter(start__lt=week_end)[:TRAINER_SLOTS])
    org = request.organisation
    if not slots and (
        org is None or Role.TRAINER not in request.actor.roles_by_org.get(org.pk, ())
    ):
        return None  # an administrator who does not train: nothing to say
    return {
        # Nothing this week: the next slot after it (one more query, only then).
        "after_the_week": None if slots else mine.first(),
        "current": slots[0] if slots else None,
        "current_is_ongoing": bool(slots) and slots[0].start <= now,
        "today": [s for s in slots if s.start < end_of_today],
        "later": [s for s in slots if s.start >= end_of_today],
    }


def coordinator_actions(request: AuthedRequest) -> dict[str, Any] | None:
    """What waits for the coordinator in the current organisation: three queries."""
    org = request.organisation
    if org is None:
        return None
    now = timezone.now()
    waiting = Enrolment.objects.filter(session__organisation=org, session__ends_at__gt=now).exclude(
        session__status=SessionStatus.CANCELLED
    )
    figures = waiting.aggregate(
        requests=Count("pk", filter=Q(status=EnrolmentStatus.REQUESTED)),
        waitlisted=Count("pk", filter=Q(status=EnrolmentStatus.WAITLISTED)),
        waitlist_sessions=Count(
            "session", distinct=True, filter=Q(status=EnrolmentStatus.WAITLISTED)
        ),
    )
    underfilled = (
        Session.objects.of_organisation(org)
        .published()
        .filter(starts_at__gt=now, starts_at__lte=now + UNDERFILLED_WITHIN)
        # Fewer than half the seats taken, in integers: 2 * taken < capacity.
        .filter(capacity__gt=F("seats_taken") * 2)
        .count()
    )
    drafts = Pathway.objects.filter(organisation=org, status=Pathway.Status.DRAFT).count()
    return {**figures, "underfilled": underfilled, "draft_pathways": drafts}


def register() -> None:
    dashboard.register(
        dashboard.Panel(
            key="enrolment.next_session",
            order=10,
            applies=dashboard.everyone,
            build=next_session,
            template="enrolment/dashboard/next_session.html",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="enrolment.trainer_week",
            order=5,
            applies=dashboard.with_role(Role.TRAINER),
            build=trainer_week,
            template="enrolment/dashboard/trainer_week.html",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="enrolment.coordinator_actions",
            order=1,
            applies=dashboard.with_role(Role.COORDINATOR),
            build=coordinator_actions,
            template="enrolment/dashboard/coordinator_actions.html",
        )
    )
