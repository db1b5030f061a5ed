"""Background work of reporting: the yearly activity report (``jobs.produce_report``) and the
facts' rebuilds (``facts.rebuild_all`` after a bulk import, or the dirty sessions when a read
found too many to rebuild them itself)."""

from __future__ import annotations

from django_tasks import task

from parcours.reporting import actions, facts


@task()
def produce_report(job_id: int) -> bool:
    return actions.produce_report(job_id)


@task()
def refresh_facts(everything: bool) -> int:
    """Rebuild every fact (``everything``) or the dirty sessions; returns how many sessions."""
    from django.core.cache import cache

    try:
        return facts.rebuild_all() if everything else facts.refresh(None)
    finally:
        cache.delete(facts.QUEUED_KEY)
