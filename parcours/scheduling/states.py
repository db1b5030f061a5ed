"""The booking state machine: the one place that says which status may follow which.

``docs/scheduling.md`` draws it; ``tests/test_states.py`` checks the drawing against
``TRANSITIONS`` so the two cannot drift apart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandée")
    APPROVED = "approved", _("Confirmée")
    REFUSED = "refused", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")


# status -> statuses it may move to. A requested booking holds no slot (its reservations are
# inactive); an approved one does. ``approved -> requested`` happens when a requester who needs
# approval moves their own confirmed booking: the new times go back to the queue.
TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.APPROVED, BookingStatus.REFUSED, BookingStatus.CANCELLED}
    ),
    BookingStatus.APPROVED: frozenset({BookingStatus.CANCELLED, BookingStatus.REQUESTED}),
    BookingStatus.REFUSED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
}

# Statuses whose reservations block the resource.
HOLDING = frozenset({BookingStatus.APPROVED})
# Statuses that are still "alive" (shown on plannings, can be changed).
OPEN = frozenset({BookingStatus.REQUESTED, BookingStatus.APPROVED})


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def mermaid() -> str:
    """The state diagram in Mermaid syntax (what docs/scheduling.md must contain)."""
    lines = ["stateDiagram-v2", "    [*] --> requested", "    [*] --> approved"]
    for source in BookingStatus.values:
        for target in sorted(TRANSITIONS[source]):
            lines.append(f"    {source} --> {target}")
    for source in BookingStatus.values:
        if not TRANSITIONS[source]:
            lines.append(f"    {source} --> [*]")
    return "\n".join(lines)
