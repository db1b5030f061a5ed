"""The webinar API: coordinators of the organisation only, other tenants' webinars unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

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


def test_participant_report_upload_preview_and_idempotent_confirm(
    client: Client,
    org: Organisation,
    webinar: Webinar,
    people: list[User],
    coordinator: User,
    outsider: User,
    learner: User,
    report_of: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A coordinator's script sends the Teams report, reads what will be recorded and what is
    ignored and why, confirms; confirming again (or the same file again) changes nothing;
    another organisation's coordinator does not even learn that the webinar exists."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from parcours.credentials import actions as credentials
    from parcours.enrolment.models import Attendance, Enrolment
    from parcours.pathways.models import Completion

    s = webinar.session
    assert s.ends_at is not None
    content = report_of(
        [
            ("Ana Test", "ana@exemple.test", at(s, 9, 58), at(s, 12, 5)),
            ("Ben Test", "ben@exemple.test", at(s, 10), at(s, 10, 20)),
            ("Zoé Invitée", "zoe@ailleurs.test", at(s, 10), at(s, 12)),
            ("Dan Test", "dan@exemple.test", at(s, 10), at(s, 12)),
        ]
    )
    url = f"/api/v1/webinars/{webinar.pk}/participant-reports/"

    def send(user: User, data: bytes = content) -> Any:
        upload = SimpleUploadedFile("rapport.csv", data, content_type="text/csv")
        return client.post(url, {"file": upload, "provider": "teams"}, headers=_auth(user))

    badge = credentials.create_achievement(
        actor=Actor.of(coordinator),
        organisation=org,
        data=credentials.AchievementData(
            name_fr="L'IA en classe",
            description_fr="A suivi le webinaire.",
            criteria_fr="Présent·e aux trois quarts du webinaire.",
            module_id=s.module_id,
        ),
    )
    credentials.set_achievement_status(
        actor=Actor.of(coordinator), achievement=badge, status="active"
    )

    # Before the end: a preview that says so, and a confirm that is refused (422).
    response = send(coordinator)
    assert response.status_code == 201, response.content
    preview = response.json()
    assert preview["not_ended"] and not preview["recordable"]
    assert preview["people_count"] == 2 and preview["present_count"] == 1
    assert {p["email"]: p["present"] for p in preview["people"]} == {
        "ana@exemple.test": True,
        "ben@exemple.test": False,
    }
    assert {(i["who"], i["reason"]) for i in preview["ignored"]} >= {
        ("Zoé Invitée", "not_registered"),
        ("Dan Test", "not_on_roll"),
    }
    assert all(i["reason_text"] for i in preview["ignored"])
    assert not Attendance.objects.exists()  # a preview writes nothing
    confirm = f"{url}{preview['upload_id']}/confirm"
    early = client.post(confirm, headers=_auth(coordinator), content_type="application/json")
    assert early.status_code == 422 and "fin" in early.json()["title"]

    later = s.ends_at + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    done = client.post(confirm, headers=_auth(coordinator), content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json() == {
        "written": True,
        "already_imported": False,
        "report_id": done.json()["report_id"],
        "people": 2,
        "present": 1,
        "completed": 1,
        "badges_queued": 1,
    }
    statuses = dict(Enrolment.objects.filter(session=s).values_list("learner__email", "status"))
    assert statuses["ana@exemple.test"] == "completed"
    assert statuses["ben@exemple.test"] == "no_show"
    assert Completion.objects.filter(learner__email="ana@exemple.test").count() == 1
    marks = Attendance.objects.count()

    from parcours.webinars.models import ReportUpload

    # The report's content (everyone's e-mail) is not kept once imported; its hash answers.
    assert bytes(ReportUpload.objects.get(pk=preview["upload_id"]).content) == b""
    shown = client.get(f"{url}{preview['upload_id']}", headers=_auth(coordinator)).json()
    assert shown["already_imported"] and not shown["recordable"] and not shown["error"]
    # Idempotent: the same confirm again, and the same file sent again.
    again = client.post(confirm, headers=_auth(coordinator), content_type="application/json")
    assert again.status_code == 200 and again.json()["already_imported"]
    assert not again.json()["written"]
    resent = send(coordinator).json()
    assert resent["already_imported"] and not resent["recordable"]
    twice = client.post(
        f"{url}{resent['upload_id']}/confirm",
        headers=_auth(coordinator),
        content_type="application/json",
    )
    assert twice.json()["already_imported"]
    assert Attendance.objects.count() == marks
    assert Completion.objects.filter(learner__email="ana@exemple.test").count() == 1

    # Other tenants: 404 for the webinar and for the upload; learners: 403; bad input: 4xx.
    assert send(outsider).status_code == 404
    assert (
        client.post(confirm, headers=_auth(outsider), content_type="application/json").status_code
        == 404
    )
    assert send(learner).status_code == 403
    assert send(coordinator, b"").status_code == 422
    unreadable = send(coordinator, b"\x00\x01\x02garbage").json()
    assert unreadable["error"] and not unreadable["recordable"]
    unknown_upload = client.post(
        f"{url}999999/confirm", headers=_auth(coordinator), content_type="application/json"
    )
    assert unknown_upload.status_code == 404
