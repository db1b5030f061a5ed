"""This app's reactions to enrolment's domain events (sent after commit).

Each receiver only enqueues a task: the work (PDF data, e-mails) happens in a worker, and a
failure there cannot break the request that raised the event.

The e-mails that carry a calendar invitation (confirmed, promoted, cancelled) are this app's
(enrolment sends the others, in plain text: waitlisted, requested, rejected). A roll call's
attestations are one task for the batch (``enrolments_completed``), not one per learner.
"""

from __future__ import annotations

from typing import Any

from parcours.enrolment import signals


def _confirmed(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("confirmed", enrolment_id)


def _promoted(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("promoted", enrolment_id)


def _cancelled(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("cancelled", enrolment_id)


def _completed(sender: Any, enrolment_ids: list[int], **kwargs: Any) -> None:
    from parcours.documents.tasks import issue_attestations

    issue_attestations.enqueue(list(enrolment_ids))


def _session_changed(sender: Any, session_id: int, fields: list[str], **kwargs: Any) -> None:
    from parcours.documents.tasks import announce_session_change

    announce_session_change.enqueue(session_id, list(fields))


def connect() -> None:
    signals.enrolment_confirmed.connect(_confirmed, dispatch_uid="documents.confirmed")
    signals.enrolment_promoted.connect(_promoted, dispatch_uid="documents.promoted")
    signals.enrolment_cancelled.connect(_cancelled, dispatch_uid="documents.cancelled")
    signals.enrolments_completed.connect(_completed, dispatch_uid="documents.completed")
    signals.session_changed.connect(_session_changed, dispatch_uid="documents.session_changed")
