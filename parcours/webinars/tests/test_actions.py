"""Webinar actions, through the real enrolment actions: the live link's window, the
participant report's preview (nothing written), its import (minutes, attendance marks,
completions), idempotence and the merge of a second report; replays and their beacons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.pathways.models import Completion
from parcours.webinars import actions
from parcours.webinars.figures import webinar_counts
from parcours.webinars.models import ParticipantMinutes, ParticipantReport, Replay, Webinar
from parcours.webinars.tests.conftest import at

pytestmark = pytest.mark.django_db


def _upload(webinar: Webinar, coordinator: User, content: bytes, name: str = "rapport.csv"):
    return actions.upload_report(
        actor=Actor.of(coordinator),
        webinar=webinar,
        filename=name,
        content=content,
        provider="teams",
    )


def _first_report(session: Session) -> list[tuple[str, str, dt.datetime, dt.datetime]]:
    return [
        # Ana joins three times: two overlapping connections, the last one past the end.
        ("Ana Test", "ana@exemple.test", at(session, 10, 0), at(session, 10, 40)),
        ("Ana Test", "ANA@exemple.test", at(session, 10, 30), at(session, 11, 10)),
        ("Ana Test", "ana@exemple.test", at(session, 11, 15), at(session, 12, 30)),
        ("Ben Test", "ben@exemple.test", at(session, 10, 0), at(session, 10, 30)),
        ("Ben Test", "ben@exemple.test", at(session, 10, 0), at(session, 10, 30)),  # duplicate
        ("Dan Test", "dan@exemple.test", at(session, 10, 0), at(session, 12, 0)),  # waitlisted
        ("Eve Outsider", "eve@ailleurs.test", at(session, 10, 0), at(session, 12, 0)),
        ("Ana Test", "ana@exemple.test", at(session, 7, 0), at(session, 8, 0)),  # before
    ]


def _after(session: Session) -> dt.datetime:
    assert session.ends_at is not None
    return session.ends_at + dt.timedelta(hours=1)


def test_preview_shows_what_will_be_recorded_and_writes_nothing(
    webinar: Webinar, people: list[User], coordinator: User, report_of: Callable[..., bytes]
) -> None:
    session = webinar.session
    upload = _upload(webinar, coordinator, report_of(_first_report(session)))
    found = actions.preview(upload, now=_after(session))
    assert found.recordable, found.error
    analysis = found.analysis
    assert analysis is not None
    minutes = {p.email: (p.minutes, analysis.present(p), p.rows) for p in analysis.people}
    # 10:00-11:10 merged (70) + 11:15-12:00 clipped (45); three connections counted once.
    assert minutes == {"ana@exemple.test": (115, True, 3), "ben@exemple.test": (30, False, 1)}
    assert analysis.ignored_by_reason() == {
        "duplicate": 1,
        "not_on_roll": 1,
        "not_registered": 1,
        "outside": 1,
    }
    # The summary block and the participants table are not used (the activities are).
    assert found.read.other_lines > 5
    assert "Role" in found.read.unknown_columns
    assert not ParticipantMinutes.objects.exists()
    assert not Attendance.objects.exists()


def test_confirm_records_minutes_marks_and_completions_once(
    webinar: Webinar, people: list[User], coordinator: User, report_of: Callable[..., bytes]
) -> None:
    session = webinar.session
    content = report_of(_first_report(session))
    result = actions.confirm_report(
        actor=Actor.of(coordinator),
        upload=_upload(webinar, coordinator, content),
        now=_after(session),
    )
    assert result.written and result.recorded == 2 and result.present == 1
    ana, ben, cleo, dan = people
    marks = dict(
        Attendance.objects.filter(slot__session=session).values_list(
            "enrolment__learner__first_name", "present"
        )
    )
    assert marks == {"Ana": True, "Ben": False, "Cleo": False}
    assert set(Attendance.objects.values_list("method", flat=True)) == {"report"}
    status = dict(Enrolment.objects.filter(session=session).values_list("learner_id", "status"))
    assert status[ana.pk] == "completed"
    assert status[ben.pk] == "no_show" and status[cleo.pk] == "no_show"
    assert status[dan.pk] == "waitlisted"
    assert list(Completion.objects.values_list("learner_id", flat=True)) == [ana.pk]

    # The same file again: nothing changes.
    again = actions.confirm_report(
        actor=Actor.of(coordinator),
        upload=_upload(webinar, coordinator, content),
        now=_after(session),
    )
    assert again.already and not again.written
    assert ParticipantReport.objects.count() == 1
    assert Completion.objects.count() == 1
    assert dict(ParticipantMinutes.objects.values_list("learner_id", "minutes")) == {
        ana.pk: 115,
        ben.pk: 30,
    }


def test_a_second_report_merges_by_person_without_double_counting(
    webinar: Webinar, people: list[User], coordinator: User, report_of: Callable[..., bytes]
) -> None:
    session = webinar.session
    actor = Actor.of(coordinator)
    actions.confirm_report(
        actor=actor,
        upload=_upload(webinar, coordinator, report_of(_first_report(session))),
        now=_after(session),
    )
    second = [
        # Ana's 10:00-10:40 again (already counted) and Ben's later connection.
        ("Ana Test", "ana@exemple.test", at(session, 10, 0), at(session, 10, 40)),
        ("Ben Test", "ben@exemple.test", at(session, 10, 20), at(session, 11, 50)),
    ]
    result = actions.confirm_report(
        actor=actor,
        upload=_upload(webinar, coordinator, report_of(second), "second.csv"),
        now=_after(session),
    )
    assert result.written
    ana, ben, *_rest = people
    assert dict(ParticipantMinutes.objects.values_list("learner_id", "minutes")) == {
        ana.pk: 115,  # unchanged
        ben.pk: 110,  # 10:00-11:50
    }
    assert Enrolment.objects.get(session=session, learner=ben).status == "completed"
    assert Completion.objects.count() == 2


def test_report_is_refused_before_the_end_and_for_other_people(
    webinar: Webinar,
    people: list[User],
    coordinator: User,
    learner: User,
    outsider: User,
    report_of: Callable[..., bytes],
) -> None:
    session = webinar.session
    content = report_of(_first_report(session))
    upload = _upload(webinar, coordinator, content)
    assert actions.preview(upload, now=at(session, 11)).not_ended
    with pytest.raises(ValidationError):
        actions.confirm_report(actor=Actor.of(coordinator), upload=upload, now=at(session, 11))
    assert not ParticipantMinutes.objects.exists()
    for stranger in (learner, outsider):
        with pytest.raises(PermissionDenied):
            _upload(webinar, stranger, content)


def test_unreadable_files_say_why(webinar: Webinar, coordinator: User) -> None:
    upload = _upload(webinar, coordinator, b"\xff\xfe\x00\xd8garbage", "x.csv")
    found = actions.preview(upload)
    assert not found.ok and found.error
    upload = _upload(webinar, coordinator, "Prénom;Ville\nAna;Mons\n".encode(), "y.csv")
    found = actions.preview(upload)
    assert "e-mail" in found.error
    with pytest.raises(ValidationError):
        _upload(webinar, coordinator, b"")


def test_live_link_only_for_seats_and_only_in_the_window(
    webinar: Webinar, people: list[User], coordinator: User, learner: User
) -> None:
    session = webinar.session
    ana, _ben, _cleo, dan = people
    url = webinar.live_url
    before = at(session, 9, 40)
    opens = at(session, 9, 45)
    assert actions.live_link(Actor.of(ana), webinar, before) == ""
    assert actions.live_link(Actor.of(ana), webinar, opens) == url
    assert actions.live_link(Actor.of(coordinator), webinar, opens) == url
    assert actions.live_link(Actor.of(dan), webinar, opens) == ""  # waitlisted
    assert actions.live_link(Actor.of(learner), webinar, opens) == ""  # not enrolled
    assert actions.live_link(None, webinar, opens) == ""
    assert actions.live_link(Actor.of(ana), webinar, at(session, 12, 1)) == ""
    # The session's "virtual class" link now points to the join page, not to the live URL.
    session.refresh_from_db()
    assert session.online_url.endswith(f"/webinaires/sessions/{session.pk}/rejoindre/")


def test_webinar_details_are_checked(session: Session, coordinator: User, learner: User) -> None:
    bad = actions.WebinarData(
        provider="skype", live_url="javascript:alert(1)", show_link_minutes=999
    )
    with pytest.raises(ValidationError) as info:
        actions.save_webinar(actor=Actor.of(coordinator), session=session, data=bad)
    assert set(info.value.message_dict) == {"provider", "live_url", "show_link_minutes"}
    good = actions.WebinarData(provider="zoom", live_url="https://zoom.example.test/j/1")
    with pytest.raises(PermissionDenied):
        actions.save_webinar(actor=Actor.of(learner), session=session, data=good)
    assert not Webinar.objects.exists()


def _replay(org: Organisation, coordinator: User, **extra: Any) -> Replay:
    data = actions.ReplayData(
        title="L'IA en classe — rediffusion",
        video_url="https://videos.example.test/ia.mp4",
        duration_seconds=600,
        **extra,
    )
    return actions.save_replay(actor=Actor.of(coordinator), organisation=org, data=data)


def test_captions_must_be_webvtt(org: Organisation, coordinator: User) -> None:
    with pytest.raises(ValidationError) as info:
        _replay(org, coordinator, captions=b"1\n00:00:01,000 --> 00:00:02,000\nsrt\n")
    assert "captions" in info.value.message_dict
    with pytest.raises(ValidationError):
        _replay(org, coordinator, captions=b"WEBVTT\n" + b"x" * (600 * 1024))
    replay = _replay(org, coordinator, captions=b"WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n")
    assert replay.captions_vtt.startswith("WEBVTT") and replay.is_direct_file


def test_beats_are_bounded_and_counted_once(
    org: Organisation, coordinator: User, learner: User
) -> None:
    replay = _replay(org, coordinator)
    key = "0b6f3c1e-aaaa-bbbb-cccc-1234567890ab"
    view = actions.record_beat(replay=replay, viewer=learner, view_key=key, beat=1, seconds=15)
    assert view.seconds == 15
    again = actions.record_beat(replay=replay, viewer=learner, view_key=key, beat=1, seconds=15)
    assert again.seconds == 15  # the same beat resent
    big = actions.record_beat(replay=replay, viewer=learner, view_key=key, beat=2, seconds=500)
    assert big.seconds == 15 + actions.BEAT_MAX_SECONDS
    for beat in range(3, 40):
        last = actions.record_beat(
            replay=replay, viewer=learner, view_key=key, beat=beat, seconds=60
        )
    assert last.seconds == 600  # never more than the replay's duration per viewing
    with pytest.raises(ValidationError):
        actions.record_beat(replay=replay, viewer=None, view_key="bad key!", beat=1, seconds=5)
    with pytest.raises(ValidationError):  # somebody else's viewing id
        actions.record_beat(replay=replay, viewer=None, view_key=key, beat=99, seconds=5)


def test_figures_count_webinars_people_and_hours(
    webinar: Webinar, people: list[User], coordinator: User, report_of: Callable[..., bytes]
) -> None:
    session = webinar.session
    actions.confirm_report(
        actor=Actor.of(coordinator),
        upload=_upload(webinar, coordinator, report_of(_first_report(session))),
        now=_after(session),
    )
    replay = _replay(session.organisation, coordinator)
    actions.record_beat(replay=replay, viewer=None, view_key="abcdefgh-1", beat=1, seconds=60)
    day = at(session, 12).date()
    today = timezone.localdate()
    counts = webinar_counts([session.organisation_id], min(day, today), max(day, today))
    assert counts["held"] == 1 and counts["people"] == 2
    assert str(counts["live_hours"]) == "2.4"  # (115 + 30) / 60
    assert str(counts["replay_hours"]) == "0.0"  # 60 s
    assert webinar_counts([session.organisation_id + 1000], day, day)["held"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_imports_of_one_report_record_it_once(
    org: Organisation,
    webinar: Webinar,
    people: list[User],
    report_of: Callable[..., bytes],
    run_concurrently: Any,
) -> None:
    from functools import partial

    from conftest import make_person
    from parcours.accounts.models import Role

    session = webinar.session
    content = report_of(_first_report(session))
    coordinators = [
        make_person(org, Role.COORDINATOR, f"coord{i}@technofutur.test", "Co", f"Ord{i}")
        for i in range(4)
    ]
    uploads = [(Actor.of(c), _upload(webinar, c, content)) for c in coordinators]
    run = run_concurrently.each(
        [
            partial(actions.confirm_report, actor=actor, upload=upload, now=_after(session))
            for actor, upload in uploads
        ]
    )
    run.raise_first()
    assert sum(1 for result in run.successes if result.written) == 1
    assert ParticipantReport.objects.count() == 1
    assert Completion.objects.count() == 1
    assert Attendance.objects.filter(slot__session=session).count() == 3
