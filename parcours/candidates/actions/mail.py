"""Sending the queued messages (called by ``tasks.send_messages``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from parcours.candidates.models import (
    Message,
)

# --- E-mails -----------------------------------------------------------------------------------


def send_message(message_id: int) -> bool:
    """Send one queued message (idempotent: a sent message is not sent again)."""
    from django.core.mail import send_mail

    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("application")
            .filter(pk=message_id, status=Message.Status.QUEUED)
            .first()
        )
        if message is None or not message.application.email:
            return False
        send_mail(message.subject, message.body, None, [message.application.email])
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at"])
    return True
