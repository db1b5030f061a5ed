"""Webinar attendance and replay viewings in a person's export and erasure."""
# ruff: noqa: F811 - the webinar fixtures imported below are parameters here

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.privacy import actions
from parcours.privacy.export import collect
from parcours.webinars import actions as webinars
from parcours.webinars import personal_data as webinar_data
from parcours.webinars.models import ParticipantMinutes, ReplayView, Webinar
from parcours.webinars.tests.conftest import (  # noqa: F401 - fixtures
    at,
    module,
    people,
    report_of,
    session,
    webinar,
)


def _attended(webinar: Webinar, coordinator: User, report_of: Callable[..., bytes]) -> None:
    s = webinar.session
    content = report_of([("Ana Test", "ana@exemple.test", at(s, 10), at(s, 11, 45))])
    actor = Actor.of(coordinator)
    upload = webinars.upload_report(
        actor=actor, webinar=webinar, filename="r.csv", content=content, provider="teams"
    )
    assert s.ends_at is not None
    webinars.confirm_report(actor=actor, upload=upload, now=s.ends_at + dt.timedelta(hours=1))


def test_export_and_erasure_of_webinar_data(
    org: Organisation,
    webinar: Webinar,
    people: list[User],
    coordinator: User,
    learner: User,
    report_of: Callable[..., bytes],
) -> None:
    ana = people[0]
    _attended(webinar, coordinator, report_of)
    replay = webinars.save_replay(
        actor=Actor.of(coordinator),
        organisation=org,
        data=webinars.ReplayData(title="R", video_url="https://v.example.test/r.mp4"),
    )
    webinars.record_beat(replay=replay, viewer=learner, view_key="abcdefgh-2", beat=1, seconds=30)
    [row] = collect(ana)["webinars"]["webinar_attendance"]
    assert (row["minutes"], row["present"], len(row["intervals"])) == (105, True, 1)
    assert collect(learner)["webinars"]["replay_views"][0]["seconds"] == 30

    # (Ana's session is tomorrow in this test, so her completed enrolment could not go through
    # the whole erasure; the webinar part is what it calls.)
    webinar_data.erase(ana)
    kept = ParticipantMinutes.objects.get(learner=ana)
    assert (kept.minutes, kept.intervals) == (105, [])
    actions.erase_person(actor=Actor.of(learner), person=learner, reason=actions.Reason.SELF)
    assert ReplayView.objects.get().viewer is None
