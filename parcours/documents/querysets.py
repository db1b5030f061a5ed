"""Reads: attestations, calendar feeds and what they contain, reminders that are due."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus

if TYPE_CHECKING:
    from parcours.accounts.models import Organisation, Site, User
    from parcours.enrolment.models import Enrolment, Session

# Statuses for which a learner may hold an attestation: attendance met the rule, or the
# session was closed with some presence.
ATTESTABLE: frozenset[str] = frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.ATTENDED})
# How far back calendar feeds go (older events are dropped from subscriptions).
FEED_HISTORY = dt.timedelta(days=180)
# A reminder goes out this long before the first slot.
REMINDER_LEAD = dt.timedelta(hours=48)


class AttestationQuerySet(models.QuerySet):
    def valid(self) -> AttestationQuerySet:
        return self.filter(revoked_at__isnull=True)

    def of_learner(self, learner: User | int) -> AttestationQuerySet:
        return self.filter(learner=learner)

    def of_organisation(self, organisation: Organisation | int) -> AttestationQuerySet:
        return self.filter(organisation=organisation)

    def for_pdf(self) -> AttestationQuerySet:
        return self.select_related("learner", "organisation", "session")


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)

    def by_token(self, token: str) -> CalendarFeedQuerySet:
        from parcours.documents.models import hash_token

        return self.active().filter(token_hash=hash_token(token))


def attestable_enrolments(session: Session | int) -> models.QuerySet[Enrolment]:
    """The enrolments of a session that may have an attestation, learners by name."""
    from parcours.enrolment.models import Enrolment

    return (
        Enrolment.objects.filter(session=session, status__in=ATTESTABLE)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def _feed_sessions(now: dt.datetime | None) -> models.QuerySet[Session]:
    from parcours.enrolment.models import Session

    now = now or timezone.now()
    return (
        Session.objects.filter(ends_at__gte=now - FEED_HISTORY)
        .select_related("module", "site", "room", "organisation", "calendar")
        .order_by("starts_at", "pk")
    )


def learner_feed_sessions(
    learner: User | int, now: dt.datetime | None = None
) -> models.QuerySet[Session]:
    """The sessions where the learner holds a seat, and those cancelled by the organiser
    (so that calendar applications show them as cancelled instead of just dropping them)."""
    from parcours.enrolment.models import Enrolment

    mine = Enrolment.objects.filter(learner=learner).filter(
        models.Q(status__in=SEAT_HOLDING)
        | models.Q(status=EnrolmentStatus.CANCELLED, session__status=SessionStatus.CANCELLED)
    )
    return _feed_sessions(now).filter(pk__in=mine.values("session_id"))


def trainer_feed_sessions(
    trainer: User | int, now: dt.datetime | None = None
) -> models.QuerySet[Session]:
    return _feed_sessions(now).filter(
        trainers=trainer, status__in=[SessionStatus.PUBLISHED, SessionStatus.CANCELLED]
    )


def site_feed_sessions(
    site: Site | int, now: dt.datetime | None = None
) -> models.QuerySet[Session]:
    return _feed_sessions(now).filter(
        site=site, status__in=[SessionStatus.PUBLISHED, SessionStatus.CANCELLED]
    )


def due_reminders(now: dt.datetime | None = None) -> models.QuerySet[Enrolment]:
    """Confirmed enrolments whose session starts within the next 48 hours and that have not
    had their reminder for that start. People confirmed after the reminder moment (less than
    48 hours before the start) are left out: their confirmation e-mail came just before."""
    from parcours.documents.models import ReminderSent
    from parcours.enrolment.models import Enrolment

    now = now or timezone.now()
    already = ReminderSent.objects.filter(
        enrolment=models.OuterRef("pk"), session_start=models.OuterRef("session__starts_at")
    )
    return (
        Enrolment.objects.filter(
            status=EnrolmentStatus.CONFIRMED,
            session__status=SessionStatus.PUBLISHED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMINDER_LEAD,
            confirmed_at__lte=models.F("session__starts_at") - REMINDER_LEAD,
        )
        .exclude(models.Exists(already))
        .order_by("session__starts_at", "pk")
    )
