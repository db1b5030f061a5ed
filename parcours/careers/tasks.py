"""E-mails of the career follow-up, as background tasks (run inline in tests and the demo):
the reminder of a next action to the career manager, and the outcome survey's link to the
person. Both are sent at most once (a conditional update marks them before sending)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from parcours.accounts.models import User
from parcours.lib.urls import absolute_url


def _send(user: User, name: str, context: dict[str, object]) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "recipient": user}
        subject = render_to_string(f"careers/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"careers/email/{name}_body.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def send_followup_reminder(followup_id: int) -> None:
    """Remind the file's career manager that a next action is due."""
    from parcours.careers.models import FollowUp

    followup = (
        FollowUp.objects.select_related("file__manager", "file__person", "file__organisation")
        .filter(pk=followup_id, done_at__isnull=True, reminded_at__isnull=True)
        .first()
    )
    if followup is None or followup.file.manager is None or not followup.file.manager.email:
        return
    if not FollowUp.objects.filter(pk=followup.pk, reminded_at__isnull=True).update(
        reminded_at=timezone.now()
    ):
        return
    link = absolute_url(reverse("careers:file", args=[followup.file_id]))
    _send(followup.file.manager, "reminder", {"followup": followup, "link": link})


@task()
def send_survey(survey_id: int) -> None:
    """Make the survey's link (a new signed token; only its hash is kept) and e-mail it."""
    from parcours.careers.actions import new_survey_token
    from parcours.careers.models import OutcomeSurvey

    survey = (
        OutcomeSurvey.objects.select_related("file__person", "file__organisation")
        .filter(pk=survey_id, sent_at__isnull=True, answered_at__isnull=True)
        .first()
    )
    if survey is None or not survey.file.person.email:
        return
    token, digest = new_survey_token()
    if not OutcomeSurvey.objects.filter(pk=survey.pk, sent_at__isnull=True).update(
        token_hash=digest, sent_at=timezone.now()
    ):
        return
    link = absolute_url(reverse("careers:survey", args=[token]))
    _send(survey.file.person, "survey", {"survey": survey, "link": link})
