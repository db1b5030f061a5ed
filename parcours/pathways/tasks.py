"""Background work of pathways: the events of a large batch of completions."""

from __future__ import annotations

from django_tasks import task


@task()
def send_completion_events(events: list[list[object]]) -> int:
    """Send the events of a batch of new completions recorded in a committed transaction
    (``actions.record_completions`` queues this task for large batches): the receivers'
    work (badges queued, LMS scores, xAPI statements) then runs in a worker, not in the
    request. ``events``: ``[kind, learner_id, completion_id, target_id]`` with kind
    ``"module"`` or ``"pathway"``. Returns the number of events sent."""
    from parcours.pathways.actions import _events_of, _send_all

    decoded = _events_of(events)
    _send_all(decoded)
    return len(decoded)
