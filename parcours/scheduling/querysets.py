"""Reads on resources, bookings, reservations and loans (QuerySet methods)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from parcours.accounts.models import STAFF_ROLES, Role

if TYPE_CHECKING:
    from parcours.accounts.permissions import Actor

# Reservations blocking longer than this are flagged ``long_span`` (see planning.overlapping_parts).
LONG_SPAN = dt.timedelta(days=2)

# Who sees an organisation's bookings beyond their own requests.
PLANNERS = (Role.LOGISTICS, Role.COORDINATOR, Role.TRAINER)


class ResourceQuerySet(models.QuerySet[Any]):
    def active(self) -> ResourceQuerySet:
        return self.filter(is_active=True)

    def of_kind(self, kind: str) -> ResourceQuerySet:
        return self.filter(kind=kind)

    def at_site(self, site: Any) -> ResourceQuerySet:
        return self.filter(site=site)

    def with_capacity(self, capacity: int | None) -> ResourceQuerySet:
        if not capacity:
            return self
        return self.filter(capacity__gte=capacity)

    def with_features(self, slugs: Iterable[str]) -> ResourceQuerySet:
        """Resources that have every one of these features (one grouped sub-query, any DB)."""
        wanted = sorted(set(slugs))
        if not wanted:
            return self
        through = self.model.features.through
        having_all = (
            through.objects.filter(feature__slug__in=wanted)
            .values("resource_id")
            .annotate(n=Count("feature_id", distinct=True))
            .filter(n=len(wanted))
            .values("resource_id")
        )
        return self.filter(pk__in=having_all)

    def visible_to(self, actor: Actor | None) -> ResourceQuerySet:
        """Resources of the actor's organisations, plus those of sites open to external
        requests for any staff member. Learners and the public see none."""
        if actor is None or not actor.user.is_authenticated:
            return self.none()
        if actor.is_platform_admin:
            return self
        own = actor.orgs_with_role(*STAFF_ROLES)
        if not own:
            return self.none()
        return self.filter(
            Q(organisation__in=own) | Q(site__policy__accepts_external_requests=True)
        )

    def manageable_by(self, actor: Actor) -> ResourceQuerySet:
        if actor.is_platform_admin:
            return self
        return self.filter(organisation__in=actor.orgs_with_role(Role.LOGISTICS))


class BookingQuerySet(models.QuerySet[Any]):
    def open(self) -> BookingQuerySet:
        return self.filter(status__in=["requested", "approved"])

    def pending(self) -> BookingQuerySet:
        return self.filter(status="requested")

    def approved(self) -> BookingQuerySet:
        return self.filter(status="approved")

    def upcoming(self, now: dt.datetime | None = None) -> BookingQuerySet:
        return self.filter(end__gt=now or timezone.now())

    def between(self, start: dt.datetime, end: dt.datetime) -> BookingQuerySet:
        return self.filter(start__lt=end, end__gt=start)

    def visible_to(self, actor: Actor | None) -> BookingQuerySet:
        """Planners (logistics, coordinators, trainers) see their organisations' bookings;
        everyone sees the bookings they requested. Others: nothing (404 on detail)."""
        if actor is None or not actor.user.is_authenticated:
            return self.none()
        if actor.is_platform_admin:
            return self
        orgs = actor.orgs_with_role(*PLANNERS)
        return self.filter(Q(organisation__in=orgs) | Q(requester=actor.user))

    def decidable_by(self, actor: Actor) -> BookingQuerySet:
        """Bookings whose requests this actor may approve or refuse (logistics of the org)."""
        if actor.is_platform_admin:
            return self
        return self.filter(organisation__in=actor.orgs_with_role(Role.LOGISTICS))


class ReservationQuerySet(models.QuerySet[Any]):
    def active(self) -> ReservationQuerySet:
        return self.filter(active=True)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> ReservationQuerySet:
        """Rows whose blocked range meets ``[start, end)`` (half-open: touching is fine)."""
        return self.filter(blocked_start__lt=end, blocked_end__gt=start).filter(
            Q(long_span=True) | Q(blocked_start__gte=start - LONG_SPAN)
        )


class LoanQuerySet(models.QuerySet[Any]):
    def outstanding(self) -> LoanQuerySet:
        return self.filter(returned_at__isnull=True).exclude(booking__status="cancelled")

    def overdue(self, now: dt.datetime | None = None) -> LoanQuerySet:
        return self.outstanding().filter(due__lt=now or timezone.now())
