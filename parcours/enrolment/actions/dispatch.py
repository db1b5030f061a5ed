"""Domain events sent by a worker (``batched_events(background=True)``): what a batch holds,
as plain data a task can carry, and back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.dispatch import Signal

from parcours.enrolment import signals
from parcours.enrolment.actions._base import Event, _send_batch
from parcours.enrolment.actions.waitlist import _waitlisted_events
from parcours.enrolment.models import Enrolment
from parcours.lib.transactions import write_transaction

Payload = dict[str, list[Any]]


def _names() -> dict[Signal, str]:
    return {value: name for name, value in vars(signals).items() if isinstance(value, Signal)}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, str))


def to_payload(events: list[Event], deferred: list[Callable[[], list[Event]]]) -> Payload | None:
    """The batch as JSON-able data, or None when something in it cannot be carried (the
    caller then sends it in the request, as usual)."""
    names = _names()
    plain_events: list[Any] = []
    for signal, sender, kwargs in events:
        if sender is not Enrolment or signal not in names:
            return None
        if not all(_plain(v) for v in kwargs.values()):
            return None
        plain_events.append([names[signal], kwargs])
    waitlisted: list[Any] = []
    for later in deferred:
        if not (isinstance(later, partial) and later.func is _waitlisted_events):
            return None
        enrolment_id, session_id, queued_at = later.args
        waitlisted.append([enrolment_id, session_id, queued_at.isoformat()])
    return {"events": plain_events, "waitlisted": waitlisted}


def from_payload(payload: Payload) -> tuple[list[Event], list[Callable[[], list[Event]]]]:
    events: list[Event] = [
        (getattr(signals, name), Enrolment, dict(kwargs))
        for name, kwargs in payload.get("events", [])
    ]
    deferred: list[Callable[[], list[Event]]] = [
        partial(_waitlisted_events, int(e), int(s), dt.datetime.fromisoformat(q))
        for e, s, q in payload.get("waitlisted", [])
    ]
    return events, deferred


def send(payload: Payload) -> None:
    """In the worker: send the batch's events (as ``batched_events`` would have)."""
    events, deferred = from_payload(payload)
    _send_batch(events, deferred)


def enqueue(payload: Payload) -> None:
    """After commit: one task for the whole batch (on SQLite, in the writers' turn)."""
    from parcours.enrolment import tasks

    with write_transaction():
        tasks.send_domain_events.enqueue(payload)
