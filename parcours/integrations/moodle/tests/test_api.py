"""The Moodle API: the sync log and "sync now", for coordinators of the organisation only."""

from __future__ import annotations

from parcours.accounts import actions as account_actions
from parcours.accounts.models import User
from parcours.integrations.models import MoodleCourseLink, MoodleSyncRun
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle


def _auth(user: User) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_log_through_the_api(
    client, moodle: FakeMoodle, link: MoodleCourseLink, coordinator: User, outsider: User, trainer
) -> None:
    moodle.token = "0" * 32
    actions.sync(link.module.organisation)
    response = client.get("/api/v1/integrations/moodle/runs", **_auth(coordinator))
    assert response.status_code == 200
    [run] = response.json()
    assert run["started_by"] is None
    assert run["courses"][0]["error_code"] == "invalidtoken"
    assert "Moodle refuse le jeton" in run["courses"][0]["error"]
    assert client.get("/api/v1/integrations/moodle/runs", **_auth(trainer)).status_code == 403
    other = client.get("/api/v1/integrations/moodle/runs", **_auth(outsider))
    assert other.status_code == 200 and other.json() == []  # their own organisation's log
    refused = client.get(
        "/api/v1/integrations/moodle/runs?organisation=technofutur-tic", **_auth(outsider)
    )
    assert refused.status_code == 404


def test_sync_now_through_the_api(
    client,
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    coordinator: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/integrations/moodle/sync", **_auth(coordinator))
    assert response.status_code == 202
    assert MoodleSyncRun.objects.get().started_by == coordinator
    missing = client.post("/api/v1/integrations/moodle/sync?site=99999999999", **_auth(coordinator))
    assert missing.status_code == 404


def test_sync_now_while_a_sync_runs_is_a_conflict(
    client, link: MoodleCourseLink, coordinator: User
) -> None:
    from django.utils import timezone

    MoodleSyncRun.objects.create(organisation=link.module.organisation, started_at=timezone.now())
    response = client.post("/api/v1/integrations/moodle/sync", **_auth(coordinator))
    assert response.status_code == 409
    assert "déjà en cours" in response.content.decode()
