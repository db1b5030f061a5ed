"""The enrolment and session state machines: the one place that says which status may follow
which. ``docs/enrolment.md`` draws them; ``tests/test_states.py`` checks the drawing against
``TRANSITIONS`` (``manage.py enrolment_diagram`` prints it) so the two cannot drift apart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Demande à approuver")
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("En liste d'attente")
    REJECTED = "rejected", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")
    ATTENDED = "attended", _("Présence partielle")
    NO_SHOW = "no_show", _("Absence")
    COMPLETED = "completed", _("Terminée")


S = EnrolmentStatus

# status -> {status it may move to: the event that moves it}.
EVENTS: dict[str, dict[str, str]] = {
    S.REQUESTED: {
        S.CONFIRMED: "approve",
        S.WAITLISTED: "approve, session full",
        S.REJECTED: "reject",
        S.CANCELLED: "cancel",
    },
    S.WAITLISTED: {S.CONFIRMED: "promote", S.CANCELLED: "cancel"},
    S.CONFIRMED: {
        S.CANCELLED: "cancel",
        S.COMPLETED: "attendance meets the rule",
        S.ATTENDED: "close, some presence",
        S.NO_SHOW: "close, no presence",
    },
    # Attendance corrected after the session was closed.
    S.ATTENDED: {S.COMPLETED: "attendance meets the rule", S.NO_SHOW: "correction"},
    S.NO_SHOW: {S.COMPLETED: "attendance meets the rule", S.ATTENDED: "correction"},
    S.COMPLETED: {},
    S.REJECTED: {},
    S.CANCELLED: {},
}

TRANSITIONS: dict[str, frozenset[str]] = {
    source: frozenset(targets) for source, targets in EVENTS.items()
}

# Where a new enrolment starts (self-enrolment, coordinator, import, school).
INITIAL: frozenset[str] = frozenset({S.REQUESTED, S.CONFIRMED, S.WAITLISTED})

# Statuses that occupy one of the session's seats (``Session.seats_taken`` counts them).
SEAT_HOLDING: frozenset[str] = frozenset({S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.COMPLETED})
# Statuses that are "alive": at most one per (session, learner), and they block overlaps.
ACTIVE: frozenset[str] = frozenset(set(S.values) - {S.CANCELLED, S.REJECTED})
# Statuses a roll call is taken for.
ON_ROLL: frozenset[str] = SEAT_HOLDING


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    CANCELLED = "cancelled", _("Annulée")


SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.DRAFT: frozenset({SessionStatus.PUBLISHED, SessionStatus.CANCELLED}),
    SessionStatus.PUBLISHED: frozenset({SessionStatus.CANCELLED}),
    SessionStatus.CANCELLED: frozenset(),
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def mermaid_enrolment() -> str:
    """The enrolment diagram in Mermaid syntax (what docs/enrolment.md must contain)."""
    lines = ["stateDiagram-v2"]
    lines += [f"    [*] --> {state}" for state in S.values if state in INITIAL]
    for source in S.values:
        for target, event in EVENTS[source].items():
            lines.append(f"    {source} --> {target}: {event}")
    lines += [f"    {state} --> [*]" for state in S.values if not TRANSITIONS[state]]
    return "\n".join(lines) + "\n"


def mermaid_session() -> str:
    """The session diagram in Mermaid syntax (what docs/enrolment.md must contain)."""
    lines = ["stateDiagram-v2", f"    [*] --> {SessionStatus.DRAFT.value}"]
    for source in SessionStatus.values:
        for target in sorted(SESSION_TRANSITIONS[source]):
            lines.append(f"    {source} --> {target}")
    return "\n".join(lines) + "\n"
