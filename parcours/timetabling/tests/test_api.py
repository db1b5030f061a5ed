"""The planning API: coordinators read and drive their campaigns; other organisations 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.scheduling.models import Resource
from parcours.timetabling.models import Campaign, CampaignStatus
from parcours.timetabling.tests.conftest import next_monday


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


def body_for(sites: list[Site], modules: list[Module], **changes: object) -> dict[str, object]:
    start = next_monday()
    body: dict[str, object] = {
        "name": "Référent IA 2027 (API)",
        "code": "RIA27",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=20)).isoformat(),
        "site_ids": [s.pk for s in sites],
        "modules": [
            {"module_id": modules[0].pk, "phase": "introduction"},
            {"module_id": modules[1].pk, "phase": "option"},
        ],
        "seconds": 3,
    }
    body.update(changes)
    return body


def test_a_campaign_is_described_edited_pinned_and_committed_through_the_api(
    client: Client,
    coordinator: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    profile: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    headers = bearer(coordinator)
    created = client.post(
        "/api/v1/planning/campaigns",
        json.dumps(body_for(sites, modules)),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert created.status_code == 201, created.content
    campaign = created.json()
    url = f"/api/v1/planning/campaigns/{campaign['id']}"
    assert campaign["status"] == CampaignStatus.DRAFT
    assert [m["phase"] for m in campaign["modules"]] == ["introduction", "option"]
    listed = client.get("/api/v1/planning/campaigns", **headers).json()  # type: ignore[arg-type]
    assert [c["id"] for c in listed] == [campaign["id"]]

    edited = client.put(
        url,
        json.dumps(body_for(sites, modules, group_size=10, name="Référent IA 2027 bis")),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["name"] == "Référent IA 2027 bis"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "/solve", **headers).status_code == 202  # type: ignore[arg-type]
    plan = client.get(url, **headers).json()  # type: ignore[arg-type]
    assert plan["status"] == CampaignStatus.PLANNED
    first = plan["placements"][0]["session"]
    pinned = client.put(
        url + "/pins",
        json.dumps({"sessions": [first]}),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert pinned.json()["pins"] == [first]
    unknown = client.put(
        url + "/pins",
        json.dumps({"sessions": ["not-in-the-plan"]}),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert unknown.status_code == 422, unknown.content
    assert client.get(url, **headers).json()["pins"] == [first]  # type: ignore[arg-type]

    committed = client.post(url + "/commit", **headers)  # type: ignore[arg-type]
    assert committed.status_code == 201, committed.content
    ids = committed.json()["session_ids"]
    assert len(ids) == len(plan["placements"])
    assert Session.objects.filter(pk__in=ids, organisation=sites[0].organisation).count() == len(
        ids
    )
    # Committed: it no longer changes, and a second commit creates nothing.
    again = client.post(url + "/commit", **headers)  # type: ignore[arg-type]
    assert again.status_code == 409
    refused = client.put(
        url,
        json.dumps(body_for(sites, modules)),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert refused.status_code == 409
    assert Session.objects.filter(organisation=sites[0].organisation).count() == len(ids)


def test_bad_campaign_input_is_refused_with_its_reason_and_nothing_written(
    client: Client,
    coordinator: User,
    sites: list[Site],
    modules: list[Module],
    other_org: Organisation,
) -> None:
    headers = bearer(coordinator)
    foreign_site = account_actions.create_site(
        organisation=other_org, name="Ailleurs", city="Namur", actor=None
    )
    cases = [
        body_for([*sites, foreign_site], modules),  # a site of another organisation
        body_for(sites, modules, end=next_monday().replace(year=1999).isoformat()),
        {**body_for(sites, modules), "modules": []},
        body_for(sites, modules, code="pas de blancs"),
    ]
    for body in cases:
        answer = client.post(
            "/api/v1/planning/campaigns",
            json.dumps(body),
            content_type="application/json",
            **headers,  # type: ignore[arg-type]
        )
        assert answer.status_code == 422, (body, answer.content)
    assert not Campaign.objects.exists()


def test_other_organisations_cannot_edit_pin_or_commit(
    client: Client,
    campaign: Campaign,
    outsider: User,
    other_org: Organisation,
    sites: list[Site],
    modules: list[Module],
) -> None:
    account_actions.grant_role(
        user=outsider, organisation=other_org, role=Role.COORDINATOR, actor=None
    )
    headers = bearer(outsider)
    url = f"/api/v1/planning/campaigns/{campaign.pk}"
    assert client.get("/api/v1/planning/campaigns", **headers).json() == []  # type: ignore[arg-type]
    for method, path, body in (
        ("put", "", body_for(sites, modules)),
        ("put", "/pins", {"sessions": []}),
        ("post", "/commit", {}),
    ):
        answer = getattr(client, method)(
            url + path, json.dumps(body), content_type="application/json", **headers
        )
        assert answer.status_code == 404, (path, answer.content)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
