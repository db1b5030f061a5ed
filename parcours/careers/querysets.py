"""Reads of career files and follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When


class CareerFileQuerySet(models.QuerySet[Any]):
    def of_organisation(self, organisation_id: int) -> CareerFileQuerySet:
        return self.filter(organisation_id=organisation_id)

    def active(self, today: dt.date) -> CareerFileQuerySet:
        """Open files still within their follow-up (+12 months after the training; a file
        without an end date yet is followed)."""
        from parcours.careers.milestones import add_months

        horizon = add_months(today, -12)
        return self.filter(closed_at__isnull=True).filter(
            Q(training_end__isnull=True) | Q(training_end__gte=horizon)
        )

    def with_next_due(self, today: dt.date) -> CareerFileQuerySet:
        """Each file's earliest open next action (``next_due``) and whether it is overdue
        (``overdue``: 1 or 0), for the caseload's order: overdue first, then by due date.
        A correlated subquery on the file's own log (its index), not a join and GROUP BY."""
        from parcours.careers.models import FollowUp

        earliest = (
            FollowUp.objects.filter(
                file=OuterRef("pk"), done_at__isnull=True, next_due__isnull=False
            )
            .exclude(next_action="")
            .order_by("next_due")
            .values("next_due")[:1]
        )
        return self.annotate(next_due=Subquery(earliest, output_field=models.DateField())).annotate(
            overdue=Case(
                When(next_due__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )

    def caseload_order(self) -> CareerFileQuerySet:
        return self.order_by(
            "-overdue",
            models.F("next_due").asc(nulls_last=True),
            "person__last_name",
            "person__first_name",
            "pk",
        )


class FollowUpQuerySet(models.QuerySet[Any]):
    def open_actions(self) -> FollowUpQuerySet:
        return self.filter(done_at__isnull=True, next_due__isnull=False).exclude(next_action="")

    def reminders_due(self, today: dt.date) -> FollowUpQuerySet:
        """Open next actions due today or earlier whose reminder has not gone out."""
        return self.open_actions().filter(
            next_due__lte=today,
            reminded_at__isnull=True,
            file__manager__isnull=False,
            file__closed_at__isnull=True,
        )
