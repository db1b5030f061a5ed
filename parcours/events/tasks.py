"""E-mails of the events app as background tasks (run inline in tests and the demo).

The ticket's e-mail is sent at most once (a conditional update marks it before sending). The
confirmation link's e-mail is not a task: its secret would then sit in the task table, and
only its hash may be stored (``actions._mail_confirmation`` sends it after commit).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task


@task()
def send_ticket(registration_id: int) -> None:
    """The ticket's link and code to the registered person."""
    from parcours.events.actions import ticket_url
    from parcours.events.models import Registration

    if not Registration.objects.filter(
        pk=registration_id, ticket_mailed_at__isnull=True, status=Registration.Status.CONFIRMED
    ).update(ticket_mailed_at=timezone.now()):
        return
    registration = Registration.objects.select_related("event", "person").get(pk=registration_id)
    person = registration.person
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {
            "event": registration.event,
            "person": person,
            "link": ticket_url(registration),
            "code": registration.ticket_code,
        }
        subject = render_to_string("events/email/ticket_subject.txt", context)
        body = render_to_string("events/email/ticket_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [person.email])
