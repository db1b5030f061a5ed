"""Background work: the candidates' e-mails (queued by the actions, sent by the workers)."""

from __future__ import annotations

from django_tasks import task

from parcours.candidates import actions


@task()
def send_messages(message_ids: list[int]) -> int:
    """Send queued messages; each is sent once (a sent one is skipped on a re-run)."""
    return sum(1 for pk in message_ids if actions.send_message(pk))
