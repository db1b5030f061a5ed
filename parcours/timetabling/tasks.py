"""The planner as a background task (django-tasks; ``manage.py task_worker`` runs it, tests
and the demo run it inline). Re-running it is safe: a run that is over (another run started,
or its result is stored) writes nothing."""

from __future__ import annotations

from django_tasks import task


@task()
def solve_campaign(campaign_id: int, run: int) -> None:
    from parcours.timetabling.actions import solve_now
    from parcours.timetabling.models import Campaign, CampaignStatus

    campaign = Campaign.objects.filter(
        pk=campaign_id, run=run, status=CampaignStatus.SOLVING
    ).first()
    if campaign is None:
        return
    solve_now(campaign, run)
