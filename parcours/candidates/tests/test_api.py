"""The API: open calls are public; applications and the funnel only for the organisation's
staff (another tenant gets 404), reads of a file audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import AuditEntry, User
from parcours.candidates.models import Application, Call

pytestmark = pytest.mark.django_db


def _auth(user: User) -> dict[str, Any]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_open_calls_are_public(client: Client, call: Call) -> None:
    response = client.get("/api/v1/calls")
    assert response.status_code == 200
    (item,) = response.json()
    assert item["slug"] == call.slug and len(item["questions"]) == 5
    assert item["url"].endswith(f"/candidatures/{call.organisation.slug}/{call.slug}/")
    assert client.get(f"/api/v1/calls/{call.pk}").status_code == 200
    assert client.get("/api/v1/calls/99999999").status_code == 404


def test_applications_for_staff_only(
    client: Client,
    call: Call,
    coordinator: User,
    outsider: User,
    apply_to: Callable[..., Application],
) -> None:
    application = apply_to()
    url = f"/api/v1/calls/{call.pk}/applications"
    assert client.get(url).status_code == 401
    assert client.get(url, **_auth(outsider)).status_code == 404
    listing = client.get(url, **_auth(coordinator))
    assert listing.status_code == 200 and listing.json()[0]["email"] == application.email
    detail = client.get(f"{url}/{application.pk}", **_auth(coordinator))
    assert detail.status_code == 200
    assert "Pourquoi cette formation ?" in detail.json()["answers"]
    assert AuditEntry.objects.filter(action="candidates.application.read_file").count() == 1
    assert client.get(f"{url}/{application.pk}", **_auth(outsider)).status_code == 404


def test_move_and_funnel(
    client: Client, call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    apps = [apply_to() for _ in range(2)]
    tests = call.stages.get(milestone="tests")
    response = client.post(
        f"/api/v1/calls/{call.pk}/moves",
        {"ids": [a.pk for a in apps], "stage_id": tests.pk},
        "application/json",
        **_auth(coordinator),
    )
    assert response.status_code == 200
    assert {row["stage"] for row in response.json()} == {"Tests"}
    funnel = client.get(f"/api/v1/calls/{call.pk}/funnel", **_auth(coordinator)).json()
    steps = {s["key"]: s["value"] for s in funnel["steps"]}
    assert steps["applied"] == 2 and steps["tested"] == 2 and steps["selected"] == 0
    bad = client.post(
        f"/api/v1/calls/{call.pk}/moves",
        {"ids": [99999], "stage_id": tests.pk},
        "application/json",
        **_auth(coordinator),
    )
    assert bad.status_code == 422
