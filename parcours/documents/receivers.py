"""This app's reactions to enrolment's domain events (sent after commit).

Each receiver only enqueues a task: the work (PDF data, e-mails) happens in a worker, and a
failure there cannot break the request that raised the event.

The e-mails that carry a calendar invitation (confirmed, promoted, cancelled) are this app's:
``connect()`` takes them over from enrolment's plain-text receivers, so a learner gets one
e-mail, with its .ics. Enrolment keeps the others (waitlisted, requested, rejected).
"""

from __future__ import annotations

from typing import Any

from parcours.enrolment import signals

# enrolment's own e-mail receivers that ours replace (see parcours/enrolment/receivers.py).
REPLACED = (
    (signals.enrolment_confirmed, "enrolment.email.confirmed"),
    (signals.enrolment_promoted, "enrolment.email.promoted"),
    (signals.enrolment_cancelled, "enrolment.email.cancelled"),
)


def _confirmed(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("confirmed", enrolment_id)


def _promoted(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("promoted", enrolment_id)


def _cancelled(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import send_enrolment_message

    send_enrolment_message.enqueue("cancelled", enrolment_id)


def _completed(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    from parcours.documents.tasks import issue_attestation

    issue_attestation.enqueue(enrolment_id)


def _session_changed(sender: Any, session_id: int, fields: list[str], **kwargs: Any) -> None:
    from parcours.documents.tasks import announce_session_change

    announce_session_change.enqueue(session_id, list(fields))


def connect() -> None:
    for signal, dispatch_uid in REPLACED:
        signal.disconnect(dispatch_uid=dispatch_uid)
    signals.enrolment_confirmed.connect(_confirmed, dispatch_uid="documents.confirmed")
    signals.enrolment_promoted.connect(_promoted, dispatch_uid="documents.promoted")
    signals.enrolment_cancelled.connect(_cancelled, dispatch_uid="documents.cancelled")
    signals.enrolment_completed.connect(_completed, dispatch_uid="documents.completed")
    signals.session_changed.connect(_session_changed, dispatch_uid="documents.session_changed")
