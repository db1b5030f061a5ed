"""Background work of reporting: the yearly activity report (``jobs.produce_report``)."""

from __future__ import annotations

from django_tasks import task

from parcours.reporting import actions


@task()
def produce_report(job_id: int) -> bool:
    return actions.produce_report(job_id)
