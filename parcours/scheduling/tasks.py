"""E-mails about bookings and overdue loans, sent in the recipient's language, as background tasks.

Actions enqueue them after commit (``transaction.on_commit``); tests and the demo run tasks
immediately (TASKS_IMMEDIATE).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from parcours.accounts.models import Role, User


def _send(
    user: User, subject_template: str, body_template: str, context: dict[str, object]
) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, {**context, "recipient": user})
        send_mail(subject, body, None, [user.email])


@task()
def send_decision_email(booking_id: int) -> None:
    """Tell the requester their request was approved, refused or cancelled."""
    from parcours.scheduling.models import Booking

    booking = (
        Booking.objects.select_related("requester", "site", "decided_by")
        .prefetch_related("resources")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not booking.requester.email:
        return
    context = {"booking": booking, "site_url": settings.SITE_URL}
    _send(
        booking.requester,
        "scheduling/email/decision_subject.txt",
        "scheduling/email/decision_body.txt",
        context,
    )


@task()
def notify_new_request(booking_id: int) -> None:
    """Tell the logistics cell of the organisation that a request waits for a decision."""
    from parcours.scheduling.models import Booking

    booking = (
        Booking.objects.select_related("requester", "site", "organisation")
        .prefetch_related("resources")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return
    recipients = User.objects.filter(
        memberships__organisation=booking.organisation,
        memberships__role=Role.LOGISTICS,
        is_active=True,
    ).distinct()
    context = {"booking": booking, "site_url": settings.SITE_URL}
    for user in recipients:
        _send(
            user,
            "scheduling/email/request_subject.txt",
            "scheduling/email/request_body.txt",
            context,
        )


@task()
def send_loan_reminder(loan_id: int) -> None:
    """Remind the borrower that the item should have been returned."""
    from parcours.scheduling.models import Loan

    loan = (
        Loan.objects.select_related("borrower", "resource__site", "organisation")
        .filter(pk=loan_id, returned_at__isnull=True)
        .first()
    )
    if loan is None or not loan.borrower.email:
        return
    context = {"loan": loan, "recipient": loan.borrower, "site_url": settings.SITE_URL}
    with translation.override(loan.borrower.language or settings.LANGUAGE_CODE):
        subject = render_to_string("scheduling/email/loan_reminder_subject.txt", context).strip()
        body = render_to_string("scheduling/email/loan_reminder_body.txt", context)
    send_mail(subject, body, None, [loan.borrower.email])
