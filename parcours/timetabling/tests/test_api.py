"""The planning API: coordinators read and drive their campaigns; other organisations 404."""

from __future__ import annotations

from typing import Any

from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.timetabling.models import Campaign, CampaignStatus


def bearer(user: User) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_coordinator_solves_and_reads_the_plan(
    client: Client,
    coordinator: User,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
) -> None:
    headers = bearer(coordinator)
    url = f"/api/v1/planning/campaigns/{campaign.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url + "/solve", **headers)  # type: ignore[arg-type]
    assert started.status_code == 202
    body = client.get(url, **headers).json()  # type: ignore[arg-type]
    assert body["status"] == CampaignStatus.PLANNED
    assert len(body["placements"]) == 4
    assert body["progress"]["score"] is not None
    assert body["progress"]["bound"] <= body["progress"]["score"]


def test_other_organisations_and_trainers_get_404(
    client: Client,
    campaign: Campaign,
    outsider: User,
    other_org: Organisation,
    trainer: User,
) -> None:
    account_actions.grant_role(
        user=outsider, organisation=other_org, role=Role.COORDINATOR, actor=None
    )
    for person in (outsider, trainer):
        headers = bearer(person)
        url = f"/api/v1/planning/campaigns/{campaign.pk}"
        assert client.get(url, **headers).status_code == 404  # type: ignore[arg-type]
        assert client.post(url + "/solve", **headers).status_code == 404  # type: ignore[arg-type]
    assert not Campaign.objects.filter(status=CampaignStatus.SOLVING).exists()
