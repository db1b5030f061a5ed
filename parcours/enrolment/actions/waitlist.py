"""Seats and the waitlist: promotion in queue order, and the announcements of new
enrolments and promotions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parcours.accounts import audit
from parcours.enrolment import signals
from parcours.enrolment.actions._base import (
    Event,
    S,
    _on_commit,
    _save_seats,
    _send,
    _set_status,
    defer_events,
)
from parcours.enrolment.models import (
    Enrolment,
    Session,
)
from parcours.enrolment.states import (
    SessionStatus,
)


def _promote(session: Session, now: dt.datetime | None = None) -> list[Enrolment]:
    """Give free seats to the waitlist, first in line first (the session row is locked).

    Nobody is promoted once the session has started, nor in a session that is not published.
    """
    now = now or timezone.now()
    if session.status != SessionStatus.PUBLISHED or (
        session.starts_at and session.starts_at <= now
    ):
        return []
    free = session.capacity - session.seats_taken
    if free <= 0:
        return []
    promoted = list(session.enrolments.waitlist().select_related("learner")[:free])
    for enrolment in promoted:
        _set_status(enrolment, S.CONFIRMED)
    if promoted:
        session.seats_taken += len(promoted)
        _save_seats(session)
    return promoted


def _announce_promotions(session: Session, promoted: Iterable[Enrolment]) -> None:
    for enrolment in promoted:
        audit.record(
            "enrolment.promote",
            actor=None,
            organisation=session.organisation,
            obj=enrolment,
            changes={"learner": enrolment.learner_id},
        )
        _on_commit(
            signals.enrolment_promoted,
            Enrolment,
            enrolment_id=enrolment.pk,
            session_id=session.pk,
        )


def _announce_new(enrolment: Enrolment) -> None:
    kwargs: dict[str, Any] = {"enrolment_id": enrolment.pk, "session_id": enrolment.session_id}
    if enrolment.status == S.CONFIRMED:
        _on_commit(signals.enrolment_confirmed, Enrolment, **kwargs)
    elif enrolment.status == S.WAITLISTED:
        later = partial(_waitlisted_events, enrolment.pk, enrolment.session_id, enrolment.queued_at)
        if not defer_events(later):
            transaction.on_commit(partial(_send_some, later))
    elif enrolment.status == S.REQUESTED:
        _on_commit(signals.enrolment_requested, Enrolment, **kwargs)


def _send_some(later: Callable[[], list[Event]]) -> None:
    events = later()
    if events:
        _send(events)


def _waitlisted_events(enrolment_id: int, session_id: int, queued_at: dt.datetime) -> list[Event]:
    """``enrolment_waitlisted`` with the person's place in the queue, counted after commit
    (outside the session's lock). Not sent if they already left the queue (promoted by a
    cancellation in between, or cancelled): those events tell their story."""
    ahead = list(
        Enrolment.objects.waitlist()
        .filter(session_id=session_id)
        .filter(Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, pk__lte=enrolment_id))
        .order_by()
        .values_list("pk", flat=True)
    )
    if enrolment_id not in ahead:  # left the queue already (``ahead`` counts them too)
        return []
    kwargs = {"enrolment_id": enrolment_id, "session_id": session_id}
    return [(signals.enrolment_waitlisted, Enrolment, {**kwargs, "position": len(ahead)})]
