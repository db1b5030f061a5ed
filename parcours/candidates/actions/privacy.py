"""The purge of candidates not selected after the retention period, and erasure on request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from parcours.accounts.models import AuditEntry, User
from parcours.candidates import uploads
from parcours.candidates.actions.applying import _declared
from parcours.candidates.models import (
    Answer,
    Application,
    ApplicationFile,
    Decision,
    InterviewScore,
    Message,
)

# --- Privacy -----------------------------------------------------------------------------------


def purgeable(now: dt.datetime | None = None) -> list[Application]:
    """Applications not selected whose call closed more than its retention period ago."""
    now = now or timezone.now()
    # The expiry (closing + retention days) is computed in Python: portable on both databases.
    candidates = (
        Application.objects.filter(purged_at=None, call__closes_at__lt=now)
        .exclude(decision=Decision.SELECTED)
        .select_related("call")
        .order_by("pk")
    )
    return [
        a
        for a in candidates.iterator(chunk_size=500)
        if a.call.closes_at + dt.timedelta(days=a.call.retention_days) < now
    ]


def purge(*, applications: Sequence[Application], now: dt.datetime | None = None) -> int:
    """Remove the personal data and files of these applications, keeping anonymous rows (stage,
    decision, dates, declared gender and birth year) for the funnel counts."""
    now = now or timezone.now()
    stored: list[str] = []
    with transaction.atomic():
        ids = [a.pk for a in applications]
        rows = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, purged_at=None)
            .select_related("person")
        )
        for application in rows:
            if not application.gender and application.birth_year is None:
                application.gender, application.birth_year = _declared(application.person)
        stored = list(
            ApplicationFile.objects.filter(application__in=rows).values_list(
                "stored_name", flat=True
            )
        )
        ApplicationFile.objects.filter(application__in=rows).delete()
        Answer.objects.filter(application__in=rows).delete()
        Message.objects.filter(application__in=rows).delete()
        InterviewScore.objects.filter(application__in=rows).update(comment="")
        for application in rows:
            application.person = None
            application.email = ""
            application.first_name = ""
            application.last_name = ""
            application.phone = ""
            application.purged_at = now
        Application.objects.bulk_update(
            rows,
            [
                "person",
                "email",
                "first_name",
                "last_name",
                "phone",
                "purged_at",
                "gender",
                "birth_year",
            ],
            batch_size=500,
        )
        # The audit log keeps what happened, not who it was about.
        for application in rows:
            AuditEntry.objects.filter(
                object_type="candidates.application", object_id=str(application.pk)
            ).update(object_repr=str(application)[:300])
        AuditEntry.objects.bulk_create(
            AuditEntry(
                at=now,
                action="candidates.application.purge",
                organisation_id=None,
                object_type="candidates.application",
                object_id=str(a.pk),
                object_repr=str(a)[:300],
            )
            for a in rows
        )
        transaction.on_commit(lambda: uploads.delete(stored))
    return len(rows)


def erase_person(person: User) -> int:
    """The person asked for erasure: their applications are purged now (called by privacy)."""
    rows = list(Application.objects.filter(person=person, purged_at=None))
    return purge(applications=rows)
