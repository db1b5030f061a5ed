"""This app's own reactions to its domain events: the plain e-mails to the learner.

The e-mails that carry a calendar invitation (confirmed, promoted, cancelled) belong to the
documents app (``parcours/documents/receivers.py``), which sends them with their .ics.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from parcours.enrolment import signals
from parcours.enrolment.tasks import send_enrolment_email


def _send(kind: str, enrolment_id: int, position: int | None = None) -> None:
    send_enrolment_email.enqueue(enrolment_id, kind, position)


@receiver(signals.enrolment_waitlisted, dispatch_uid="enrolment.email.waitlisted")
def _waitlisted(sender: Any, enrolment_id: int, position: int, **kwargs: Any) -> None:
    _send("waitlisted", enrolment_id, position)


@receiver(signals.enrolment_requested, dispatch_uid="enrolment.email.requested")
def _requested(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    _send("requested", enrolment_id)


@receiver(signals.enrolment_rejected, dispatch_uid="enrolment.email.rejected")
def _rejected(sender: Any, enrolment_id: int, **kwargs: Any) -> None:
    _send("rejected", enrolment_id)
