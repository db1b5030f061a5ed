"""The Moodle sync as a background task ("sync now"; run inline in tests and the demo).

Safe to re-run: the sync is idempotent and resumes each course from its cursor.
"""

from __future__ import annotations

from django_tasks import task


@task()
def sync_moodle(organisation_id: int, site_id: int | None, actor_id: int | None) -> None:
    from parcours.accounts.models import Organisation, User
    from parcours.accounts.permissions import Actor
    from parcours.integrations.models import MoodleSite
    from parcours.integrations.moodle import actions

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    site = None
    if site_id is not None:
        site = MoodleSite.objects.filter(pk=site_id, organisation=organisation).first()
        if site is None:
            return
    user = User.objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    try:
        actions.sync(organisation, site=site, actor=Actor.of(user) if user else None)
    except actions.SyncAlreadyRunning:
        return
