"""The sending task: idempotent (a statement sent twice is kept once by the LRS: same id,
same content), queued after each batch of new statements and at each back-off time."""

from __future__ import annotations

from django_tasks import task


@task()
def send_statements(organisation_id: int) -> dict[str, int | str]:
    from parcours.integrations.xapi.actions import flush

    report = flush(organisation_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "stopped": report.stopped,
    }
