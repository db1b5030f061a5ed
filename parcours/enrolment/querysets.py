"""Reads: sessions, enrolments, attendance figures. Every list page and API endpoint uses these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from parcours.enrolment.states import ACTIVE, SEAT_HOLDING, EnrolmentStatus, SessionStatus

if TYPE_CHECKING:
    from parcours.accounts.models import Organisation, User
    from parcours.accounts.permissions import Actor
    from parcours.catalogue.models import Module
    from parcours.enrolment.models import Enrolment


class SessionQuerySet(models.QuerySet):
    def published(self) -> SessionQuerySet:
        return self.filter(status=SessionStatus.PUBLISHED)

    def public(self) -> SessionQuerySet:
        """What anyone may see: published sessions of published modules (a draft or archived
        module's title never shows through its sessions)."""
        return self.filter(status=SessionStatus.PUBLISHED, module__status="published")

    def of_organisation(self, organisation: Organisation | int) -> SessionQuerySet:
        return self.filter(organisation=organisation)

    def upcoming(self, now: dt.datetime | None = None) -> SessionQuerySet:
        """Sessions that have not started yet (soonest first)."""
        return self.filter(starts_at__gt=now or timezone.now()).order_by("starts_at", "pk")

    def open_for_enrolment(self, now: dt.datetime | None = None) -> SessionQuerySet:
        now = now or timezone.now()
        return (
            self.public()
            .upcoming(now)
            .filter(models.Q(enrolment_opens__isnull=True) | models.Q(enrolment_opens__lte=now))
            .filter(models.Q(enrolment_closes__isnull=True) | models.Q(enrolment_closes__gt=now))
        )

    def visible_to(self, actor: Actor | None) -> SessionQuerySet:
        """Public sessions, plus every session of the organisations where actor is staff."""
        if actor is None or not actor.user.is_authenticated:
            return self.public()
        if actor.is_platform_admin:
            return self.all()
        from parcours.accounts.models import STAFF_ROLES

        staff_orgs = actor.orgs_with_role(*STAFF_ROLES)
        return self.filter(
            models.Q(status=SessionStatus.PUBLISHED, module__status="published")
            | models.Q(organisation__in=staff_orgs)
        )

    def for_listing(self) -> SessionQuerySet:
        """Everything a list shows, in a constant number of queries."""
        return self.select_related("module", "module__organisation", "site", "organisation")

    def with_details(self) -> SessionQuerySet:
        from parcours.enrolment.models import SessionSlot

        return self.for_listing().prefetch_related(
            "trainers", models.Prefetch("slots", queryset=SessionSlot.objects.order_by("start"))
        )


class EnrolmentQuerySet(models.QuerySet):
    def active(self) -> EnrolmentQuerySet:
        return self.filter(status__in=ACTIVE)

    def holding_seat(self) -> EnrolmentQuerySet:
        return self.filter(status__in=SEAT_HOLDING)

    def waitlist(self) -> EnrolmentQuerySet:
        """The queue, first in line first."""
        return self.filter(status=EnrolmentStatus.WAITLISTED).order_by("queued_at", "pk")

    def of_learner(self, learner: User | int) -> EnrolmentQuerySet:
        return self.filter(learner=learner)

    def for_listing(self) -> EnrolmentQuerySet:
        return self.select_related(
            "learner", "session", "session__module", "session__site", "session__organisation"
        )


def hours_attended(enrolment: Enrolment) -> Decimal:
    """Hours of the slots the learner was present at (what an attestation states)."""
    from parcours.enrolment.models import Attendance

    total = Decimal(0)
    for start, end in Attendance.objects.filter(enrolment=enrolment, present=True).values_list(
        "slot__start", "slot__end"
    ):
        total += Decimal((end - start).total_seconds()) / Decimal(3600)
    return total.quantize(Decimal("0.01"))


def min_attendance_percent(module: Module) -> int:
    """The module's completion threshold (its ``CompletionRule``, else the default); load the
    module with ``select_related("completion_rule")`` to spare the query."""
    from parcours.enrolment.models import DEFAULT_MIN_ATTENDANCE_PERCENT, CompletionRule

    try:
        return int(module.completion_rule.min_attendance_percent)
    except CompletionRule.DoesNotExist:
        return DEFAULT_MIN_ATTENDANCE_PERCENT


def meets_rule(present_slots: int, total_slots: int, percent: int) -> bool:
    """``present / total >= percent %``, in integers (no rounding surprises)."""
    return total_slots > 0 and present_slots * 100 >= percent * total_slots


def names_seen_by(organisation_id: int, learners: Iterable[User]) -> dict[int, str]:
    """What the staff of an organisation may call each learner (user id -> text).

    Their name when the person is the organisation's to know: a member of it, someone who
    enrolled themselves in one of its sessions, someone it invited, or someone who attended
    one of its sessions. Anyone else is shown by the e-mail address staff typed to enrol them:
    enrolling an address never reveals the name on somebody else's account (issue #9). Four
    queries whatever the number of people.
    """
    from parcours.accounts.models import Invitation, Membership
    from parcours.enrolment.models import Attendance, Enrolment

    people = {u.pk: u for u in learners}
    if not people:
        return {}
    ids = list(people)
    known = set(
        Membership.objects.filter(organisation_id=organisation_id, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    known |= set(
        Enrolment.objects.filter(
            session__organisation_id=organisation_id,
            learner_id__in=ids,
            source__in=[Enrolment.Source.SELF, Enrolment.Source.API],
        ).values_list("learner_id", flat=True)
    )
    known |= set(
        Attendance.objects.filter(
            enrolment__session__organisation_id=organisation_id,
            enrolment__learner_id__in=ids,
            present=True,
        ).values_list("enrolment__learner_id", flat=True)
    )
    invited = {
        e.lower()
        for e in Invitation.objects.filter(
            organisation_id=organisation_id,
            email__in=[u.email for u in people.values()],
        ).values_list("email", flat=True)
    }
    return {
        pk: (user.get_full_name() or user.email)
        if pk in known or user.email.lower() in invited
        else user.email
        for pk, user in people.items()
    }
