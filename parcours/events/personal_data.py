"""The events' part of a person's data export and erasure (called by ``privacy``).

A registration holds the person's choices and ticket code; the seats themselves are enrolments
(exported and kept by the enrolment part). Erasure deletes the registrations: the ticket and
the pending choices go; the enrolments stay with the pseudonymous account (anonymous counts).
"""

from __future__ import annotations

from typing import Any

from parcours.accounts.models import User
from parcours.events.models import Registration


def export(person: User) -> list[dict[str, Any]]:
    return [
        {
            "event": r.event.title,
            "organisation": r.event.organisation.name,
            "status": r.status,
            "ticket_code": r.ticket_code,
            "workshops_pending": list(r.wanted),
            "created_at": r.created_at.isoformat(),
            "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
        }
        for r in Registration.objects.filter(person=person)
        .select_related("event", "event__organisation")
        .order_by("pk")
    ]


def erase(person: User) -> int:
    """Inside the erasure's transaction. Returns the registrations deleted."""
    deleted, _detail = Registration.objects.filter(person=person).delete()
    return deleted
