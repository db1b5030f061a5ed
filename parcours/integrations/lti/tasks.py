"""Background work of the LTI part: gradebook line items and scores (AGS)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from parcours.integrations.lti import actions
from parcours.integrations.models import LtiScore


@task()
def create_line_item(line_item_id: int) -> str:
    try:
        line_item = actions.ensure_line_item(line_item_id)
    except Exception as exc:  # logged for the administrator; a later score retries it
        from parcours.integrations.models import LtiLineItem

        found = (
            LtiLineItem.objects.select_related("context__registration__organisation")
            .filter(pk=line_item_id)
            .first()
        )
        if found is not None:
            registration = found.context.registration
            actions._service_failure(
                registration.organisation,
                registration,
                "ags",
                getattr(getattr(exc, "response", None), "status_code", None),
                f"line item: {exc}",
            )
        return "failed"
    return "ok" if line_item is not None and line_item.url else "missing"


@task()
def send_score(score_id: int) -> str:
    """Send one score; on a transient failure, try again later (back-off) when the task
    backend can defer (the database backend of ``manage.py task_worker``)."""
    state = actions.send_score(score_id)
    if state == LtiScore.State.PENDING and send_score.get_backend().supports_defer:
        attempts = LtiScore.objects.filter(pk=score_id).values_list("attempts", flat=True).first()
        if attempts:
            send_score.using(run_after=timezone.now() + actions.retry_delay(attempts)).enqueue(
                score_id
            )
    return str(state)
