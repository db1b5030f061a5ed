"""The webinar API: coordinators of the organisation only, other tenants' webinars unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.webinars import actions
from parcours.webinars.models import Webinar
from parcours.webinars.tests.conftest import at

pytestmark = pytest.mark.django_db


def _auth(user: User) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_webinars_attendance_and_viewing_hours(
    client: Client,
    org: Organisation,
    webinar: Webinar,
    people: list[User],
    coordinator: User,
    outsider: User,
    learner: User,
    report_of: Callable[..., bytes],
) -> None:
    s = webinar.session
    actor = Actor.of(coordinator)
    upload = actions.upload_report(
        actor=actor,
        webinar=webinar,
        filename="r.csv",
        content=report_of([("Ana Test", "ana@exemple.test", at(s, 10), at(s, 12))]),
        provider="teams",
    )
    assert s.ends_at is not None
    actions.confirm_report(actor=actor, upload=upload, now=s.ends_at + dt.timedelta(hours=1))
    replay = actions.save_replay(
        actor=actor,
        organisation=org,
        data=actions.ReplayData(title="R", video_url="https://v.example.test/r.mp4"),
    )
    actions.record_beat(replay=replay, viewer=None, view_key="abcdefgh-3", beat=1, seconds=36)

    rows = client.get("/api/v1/webinars", headers=_auth(coordinator)).json()
    assert [(r["session_code"], r["reports"], r["presence_percent"]) for r in rows] == [
        ("WEB-IA-1", 1, 75)
    ]
    minutes = client.get(f"/api/v1/webinars/{webinar.pk}/attendance", headers=_auth(coordinator))
    assert [(m["email"], m["minutes"], m["present"]) for m in minutes.json()] == [
        ("ana@exemple.test", 120, True)
    ]
    hours = client.get("/api/v1/replays/viewing-hours", headers=_auth(coordinator)).json()
    assert hours["hours"] == "0.01" and hours["replays"][0]["hours_player"] == "0.01"

    other = client.get(f"/api/v1/webinars/{webinar.pk}/attendance", headers=_auth(outsider))
    assert other.status_code == 404
    assert client.get("/api/v1/webinars", headers=_auth(learner)).status_code == 403
    huge = client.get(f"/api/v1/webinars/{2**63}/attendance", headers=_auth(coordinator))
    assert huge.status_code == 422
