"""The public orientation API: occupations (search), worlds, job sheets."""

from __future__ import annotations

from django.test import Client

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.orientation import actions
from parcours.orientation.models import JobSheet, World


def test_occupation_search_is_public_and_accent_insensitive(client: Client, electrician) -> None:
    response = client.get("/api/v1/orientation/occupations", {"q": "Électricien"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["code"] == "7411.1"
    assert body["results"][0]["isco_group"]["code"] == "7411"
    assert body["attribution"] == "ESCO, European Commission"
    assert client.get("/api/v1/orientation/occupations", {"q": ""}).status_code == 422
    assert client.get(f"/api/v1/orientation/occupations/{2**63}").status_code == 422
    one = client.get(f"/api/v1/orientation/occupations/{electrician.pk}").json()
    assert one["preferred_label_en"] == "electrician"


def test_worlds_and_sheets_show_only_what_is_published(
    client: Client, org: Organisation, coordinator: User, world: World, sheet: JobSheet
) -> None:
    draft = actions.save_job_sheet(
        actor=Actor.of(coordinator),
        organisation=org,
        data={"world": world.pk, "title_fr": "Brouillon"},
    )
    worlds = client.get("/api/v1/orientation/worlds").json()
    assert [w["slug"] for w in worlds] == [world.slug]
    assert worlds[0]["job_sheets"] == [sheet.slug]
    sheets = client.get("/api/v1/orientation/job-sheets", {"world": world.slug}).json()
    assert [s["slug"] for s in sheets] == [sheet.slug]
    assert sheets[0]["occupation"]["code"] == "7411.1"
    assert client.get(f"/api/v1/orientation/job-sheets/{draft.pk}").status_code == 404
    assert client.get(f"/api/v1/orientation/job-sheets/{sheet.pk}").json()["world"] == world.slug
