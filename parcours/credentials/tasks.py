"""Background tasks (Django tasks framework). Both are idempotent: running one twice, or
two at once, issues nothing twice."""

from __future__ import annotations

from django_tasks import task

from parcours.credentials import actions


@task()
def issue_credential_task(achievement_id: int, learner_id: int) -> str | None:
    """Issue one learner's credential after they satisfied the achievement's rule."""
    credential = actions.issue_for(achievement_id, learner_id)
    return str(credential.uuid) if credential is not None else None


@task()
def run_issuance_batch(batch_id: int) -> dict[str, int]:
    """Process (or finish) a bulk issuance batch."""
    batch = actions.run_batch(batch_id)
    return {"total": batch.total, "issued": batch.issued, "skipped": batch.skipped}
