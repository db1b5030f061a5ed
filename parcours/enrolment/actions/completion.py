"""Completion: applying the module's attendance rule and recording the completions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

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
    Enrolment,
    Session,
    SessionSlot,
)
from parcours.enrolment.querysets import meets_rule, min_attendance_percent
from parcours.enrolment.states import (
    can_transition,
)
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

    An enrolment whose presence meets the rule becomes *completed* and the module's completion
    is recorded (pathway progress updates; ``pathway_completed`` follows on commit). Once every
    slot has a roll call, the others become *attended* (some presence) or *no-show*.
    """
    total = len(slots)
    if not total or not enrolments:
        return []
    percent = min_attendance_percent(session.module)
    called = {slot_id for slot_id, _enrolment_id in marks} >= {s.pk for s in slots}
    completed: list[Enrolment] = []
    hours_of: dict[int, Decimal] = {}
    moves: dict[str, list[int]] = {}
    for enrolment in enrolments:
        if enrolment.status == S.COMPLETED:
            continue
        attended = [s for s in slots if marks.get((s.pk, enrolment.pk))]
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
    progress updates, ``module_completed`` / ``pathway_completed`` after commit), and
    ``enrolment_completed`` for each enrolment after commit."""
    for enrolment in enrolments:
        if not can_transition(enrolment.status, S.COMPLETED):
            raise _refuse(_("Cette inscription ne peut pas être terminée."), "state")
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
        status=S.COMPLETED, updated_at=now
    )
    today = timezone.localdate()
    record_completions(
        [
            CompletionEntry(
                learner_id=e.learner_id,
                module=session.module,
                hours=hours_of.get(e.pk, Decimal(0)),
                completed_on=today,
            )
            for e in enrolments
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
