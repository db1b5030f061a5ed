"""Reminder e-mails for overdue loans, sent in the borrower's language as background tasks.

``ui_actions.send_loan_reminders`` enqueues one task per overdue loan after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


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
        subject = render_to_string("scheduling/ui/email/loan_reminder_subject.txt", context).strip()
        body = render_to_string("scheduling/ui/email/loan_reminder_body.txt", context)
    send_mail(subject, body, None, [loan.borrower.email])
