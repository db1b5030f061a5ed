"""Completion: applying the module's attendance rule and recording the completions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.enrolment import signals
from parcours.enrolment.actions._base import (
    Event,
    Marks,
    S,
    _on_commit_events,
    _refuse,
)
from parcours.enrolment.models import (
    Attendance,
    Enrolment,
    Session,
    SessionSlot,
)
from parcours.enrolment.querysets import meets_rule, min_attendance_percent
from parcours.enrolment.states import ON_ROLL, SessionStatus, can_transition
from parcours.lib.transactions import write_transaction
from parcours.pathways import gates
from parcours.pathways.actions import CompletionEntry, record_completions
from parcours.pathways.models import Completion


def _evaluate(
    session: Session,
    slots: Sequence[SessionSlot],
    enrolments: Sequence[Enrolment],
    marks: Marks,
    actor: User | None,
    now: dt.datetime,
) -> list[Enrolment]:
    """Apply the module's completion rule to these enrolments (the session row is locked), in
    memory: ``marks`` are all the attendance marks of the session's ``slots``.

    Only slots that have **ended** count: a roll call taken during a slot records the marks,
    and the completion waits for the slot's end (``_schedule_completion`` then
    ``complete_due``). An enrolment whose presence at ended slots meets the rule becomes
    *completed* and the module's completion is recorded (pathway progress updates;
    ``pathway_completed`` follows on commit). Once every slot has ended and has a roll call,
    the others become *attended* (some presence) or *no-show*.
    """
    total = len(slots)
    if not total or not enrolments:
        return []
    percent = min_attendance_percent(session.module)
    ended = [s for s in slots if s.end <= now]
    called = len(ended) == total and {slot_id for slot_id, _e in marks} >= {s.pk for s in slots}
    completed: list[Enrolment] = []
    hours_of: dict[int, Decimal] = {}
    moves: dict[str, list[int]] = {}
    for enrolment in enrolments:
        if enrolment.status == S.COMPLETED:
            continue
        attended = [s for s in ended if marks.get((s.pk, enrolment.pk))]
        if meets_rule(len(attended), total, percent):
            completed.append(enrolment)
            hours_of[enrolment.pk] = _hours(attended)
        elif called:
            target = S.ATTENDED if attended else S.NO_SHOW
            if enrolment.status != target:
                moves.setdefault(target, []).append(enrolment.pk)
    for new_status, ids in moves.items():
        Enrolment.objects.filter(pk__in=ids).update(status=new_status, updated_at=now)
    if completed:
        _complete_many(session, completed, hours_of, actor, now)
    return completed


def _complete_many(
    session: Session,
    enrolments: list[Enrolment],
    hours_of: dict[int, Decimal],
    actor: User | None,
    now: dt.datetime,
) -> None:
    """Completed: the enrolments' status, the module's completions (one bulk call to pathways:
    progress updates, ``module_completed`` / ``pathway_completed`` after commit) when the
    module's completion mode lets attendance complete it, and ``enrolment_completed`` for each
    enrolment after commit (the attendance attestation follows either way)."""
    for enrolment in enrolments:
        if not can_transition(enrolment.status, S.COMPLETED):
            raise _refuse(_("Cette inscription ne peut pas être terminée."), "state")
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
        status=S.COMPLETED, updated_at=now
    )
    today = timezone.localdate()
    # The module's completion mode: attendance alone completes it, or never (assessment), or
    # only with a passed assessment as well (both; ``pathways.gates``).
    completes = gates.attendance_completes(session.module, [e.learner_id for e in enrolments])
    record_completions(
        [
            CompletionEntry(
                learner_id=e.learner_id,
                module=session.module,
                hours=hours_of.get(e.pk, Decimal(0)),
                completed_on=today,
            )
            for e in enrolments
            if e.learner_id in completes
        ],
        source=Completion.Source.ATTENDANCE,
        actor=actor,
    )
    events: list[Event] = []
    for enrolment in enrolments:
        enrolment.status = S.COMPLETED
        kwargs = {"enrolment_id": enrolment.pk, "session_id": session.pk}
        hours = str(hours_of.get(enrolment.pk, Decimal(0)))
        events.append((signals.enrolment_completed, Enrolment, {**kwargs, "hours": hours}))
    ids = [e.pk for e in enrolments]
    events.append(
        (signals.enrolments_completed, Enrolment, {"session_id": session.pk, "enrolment_ids": ids})
    )
    _on_commit_events(events)


def _hours(slots: Iterable[SessionSlot]) -> Decimal:
    """Decimal hours of these slots (what the completion and the attestation state)."""
    seconds = sum((Decimal((s.end - s.start).total_seconds()) for s in slots), Decimal(0))
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"))


def _schedule_completion(session: Session, slots: Sequence[SessionSlot], now: dt.datetime) -> None:
    """A roll call or check-in during a slot: evaluate the session again when the slot ends.

    With a task backend that defers (the database workers), one task runs at the end of each
    running slot; otherwise (the immediate backend) ``manage.py complete_attendance``, run
    hourly, catches up (``complete_due``)."""
    running = sorted({s.end for s in slots if s.start <= now < s.end})
    if running:
        transaction.on_commit(partial(_enqueue_completion, session.pk, running))


def _enqueue_completion(session_id: int, ends: list[dt.datetime]) -> None:
    from parcours.enrolment.tasks import complete_session_attendance

    if not complete_session_attendance.get_backend().supports_defer:
        return
    for end in ends:
        complete_session_attendance.using(run_after=end + dt.timedelta(seconds=5)).enqueue(
            session_id
        )


# How far back ``complete_due`` looks for slots that ended with enrolments still open.
CATCH_UP = dt.timedelta(days=14)


def complete_due(
    *, now: dt.datetime | None = None, session_id: int | None = None
) -> list[Enrolment]:
    """Completions that waited for their slots to end: every session with a slot that ended
    (within ``CATCH_UP``) and attendance marks of enrolments still *confirmed* is evaluated
    again. Idempotent; run by ``manage.py complete_attendance`` (hourly) and by the task
    scheduled at a running slot's end."""
    from parcours.enrolment.actions._base import ATTENDANCE_RELATED, _lock_session

    now = now or timezone.now()
    pending = Attendance.objects.filter(
        slot__end__lte=now,
        slot__end__gte=now - CATCH_UP,
        enrolment__status=S.CONFIRMED,
    ).exclude(slot__session__status=SessionStatus.CANCELLED)
    if session_id is not None:
        pending = pending.filter(slot__session_id=session_id)
    session_ids = sorted(set(pending.values_list("slot__session_id", flat=True)))
    completed: list[Enrolment] = []
    for pk in session_ids:
        with write_transaction():
            session = _lock_session(pk, *ATTENDANCE_RELATED)
            slots = list(session.slots.order_by("start"))
            roll = list(session.enrolments.filter(status__in=ON_ROLL))
            marks: Marks = {
                (slot_id, enrolment_id): present
                for slot_id, enrolment_id, present in Attendance.objects.filter(
                    slot_id__in=[s.pk for s in slots]
                ).values_list("slot_id", "enrolment_id", "present")
            }
            completed += _evaluate(session, slots, roll, marks, None, now)
    return completed
