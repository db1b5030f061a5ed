from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.integrations.models import (
    MoodleCourseLink,
    MoodleSite,
    MoodleSyncRun,
    MoodleUnmatchedUser,
)
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.client import MoodleClient
from parcours.integrations.moodle.tests.conftest import COURSE, verified
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, completion, user
from parcours.pathways.models import Completion
from parcours.pathways.signals import module_completed

# 31 March 2026, 22:30 UTC: already 1 April in Brussels (summer time).
LATE_EVENING = int(dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC).timestamp())
ENROLLED = "core_enrol_get_enrolled_users"
STATUS = "core_completion_get_course_completion_status"


def _counts(run: MoodleSyncRun) -> dict[str, int]:
    course = run.courses.get()
    return {
        name: getattr(course, name)
        for name in ("read", "matched", "recorded", "already", "pending", "unmatched")
    }


def test_completed_moodle_users_become_parcours_completions(
    moodle: FakeMoodle, link: MoodleCourseLink, learner: User, org: Organisation, coordinator: User
) -> None:
    verified(learner)
    pending = verified(make_person(org, Role.LEARNER, "paul@exemple.test", "Paul", "Durant"))
    signed_up = make_person(org, Role.LEARNER, "nina@exemple.test", "Nina", "Vos")
    EmailAddress.objects.filter(user=signed_up).update(verified=False)  # signed up, not confirmed
    moodle.enrolled[COURSE] = [
        user(11, "Chloé", "Renard", "CHLOE@exemple.test"),  # the case does not matter
        user(12, "Paul", "Durant", pending.email),
        user(13, "Nina", "Vos", signed_up.email),  # address not confirmed: not matched
        user(14, "Inconnu", "Anonyme", ""),  # Moodle hides the address
        user(15, "Zoé", "Extérieure", "zoe@ailleurs.test"),
    ]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    moodle.statuses[(COURSE, 13)] = completion(True, LATE_EVENING)

    run = actions.sync(org, actor=Actor.of(coordinator))

    done = Completion.objects.get(learner=learner, module=link.module)
    assert done.source == Completion.Source.MOODLE
    assert done.hours == Decimal("12")
    assert done.completed_on == dt.date(2026, 4, 1)
    assert not Completion.objects.filter(learner__in=[pending, signed_up]).exists()
    assert run.status == MoodleSyncRun.Status.DONE
    assert run.started_by == coordinator
    assert run.ended_at is not None
    assert _counts(run) == {
        "read": 5,
        "matched": 2,
        "recorded": 1,
        "already": 0,
        "pending": 1,
        "unmatched": 3,
    }
    reasons = dict(
        MoodleUnmatchedUser.objects.filter(course__run=run).values_list("moodle_user_id", "reason")
    )
    assert reasons == {13: "not_found", 14: "no_email", 15: "not_found"}
    assert not User.objects.filter(email="zoe@ailleurs.test").exists()  # listed, not created


def test_a_second_sync_records_nothing_new_and_asks_moodle_less(
    moodle: FakeMoodle, link: MoodleCourseLink, learner: User, org: Organisation
) -> None:
    verified(learner)
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", learner.email)]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    actions.sync(org)
    moodle.calls.clear()

    again = actions.sync(org)

    assert Completion.objects.filter(learner=learner).count() == 1
    assert _counts(again)["recorded"] == 0
    assert _counts(again)["already"] == 1
    assert again.started_by is None  # the planned sync
    assert moodle.calls_to(STATUS) == []  # already recorded: not asked again


def test_completions_drive_pathways_and_badges_like_attendance(
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    learner: User,
    org: Organisation,
    django_capture_on_commit_callbacks,
) -> None:
    verified(learner)
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", learner.email)]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    heard: list[tuple[int, int]] = []

    def listen(sender: object, learner_id: int, module_id: int, **kwargs: object) -> None:
        heard.append((learner_id, module_id))

    module_completed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.sync(org)
    finally:
        module_completed.disconnect(listen)
    assert heard == [(learner.pk, link.module_id)]


def test_enrolled_users_are_read_page_by_page(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    moodle.enrolled[COURSE] = [user(100 + i, "P", f"{i}", f"p{i}@x.test") for i in range(250)]

    run = actions.sync(org)

    pages = [
        (params["options[1][value]"], params["options[2][value]"])
        for params in moodle.calls_to(ENROLLED)
    ]
    assert pages == [("0", "100"), ("100", "100"), ("200", "100")]
    assert _counts(run)["read"] == 250
    assert _counts(run)["unmatched"] == 250
    link.refresh_from_db()
    assert link.cursor == 0 and link.last_synced_at is not None


def test_an_interrupted_sync_resumes_where_it_stopped(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    people = [
        verified(make_person(org, Role.LEARNER, f"p{i}@x.test", "P", f"{i}")) for i in range(150)
    ]
    moodle.enrolled[COURSE] = [user(100 + i, "P", f"{i}", p.email) for i, p in enumerate(people)]
    for i in range(150):
        moodle.statuses[(COURSE, 100 + i)] = completion(True, LATE_EVENING)
    down = {"on": True}

    def second_page_fails(function: str, params: dict[str, str]) -> tuple[int, bytes] | None:
        if down["on"] and function == ENROLLED and params["options[1][value]"] == "100":
            return 503, b"<html>Service Unavailable</html>"
        return None

    moodle.hook = second_page_fails
    first = actions.sync(org)

    assert first.status == MoodleSyncRun.Status.ERRORS
    course = first.courses.get()
    assert (course.error_code, course.recorded, course.finished) == ("http", 100, False)
    assert len(moodle.calls_to(ENROLLED)) == 4  # the first page, then 1 + 2 retries of the 2nd
    link.refresh_from_db()
    assert link.cursor == 100

    down["on"] = False
    moodle.calls.clear()
    second = actions.sync(org)

    course = second.courses.get()
    assert (course.resumed_from, course.read, course.recorded, course.finished) == (
        100,
        50,
        50,
        True,
    )
    assert [p["options[1][value]"] for p in moodle.calls_to(ENROLLED)] == ["100"]
    assert Completion.objects.filter(module=link.module).count() == 150
    link.refresh_from_db()
    assert link.cursor == 0


def test_a_page_broken_mid_way_is_read_again_entirely(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    people = [
        verified(make_person(org, Role.LEARNER, f"q{i}@x.test", "Q", f"{i}")) for i in range(3)
    ]
    moodle.enrolled[COURSE] = [user(200 + i, "Q", f"{i}", p.email) for i, p in enumerate(people)]
    for i in range(3):
        moodle.statuses[(COURSE, 200 + i)] = completion(True, LATE_EVENING)

    def garbage_for_the_third(function: str, params: dict[str, str]) -> tuple[int, bytes] | None:
        if function == STATUS and params["userid"] == "202":
            return 200, b'{"completionstatus": {"completed": "peut-\xc3\xaatre"'
        return None

    moodle.hook = garbage_for_the_third
    first = actions.sync(org)
    assert first.courses.get().error_code == "malformed"
    assert not Completion.objects.filter(
        module=link.module
    ).exists()  # the page is not half-written

    moodle.hook = None
    second = actions.sync(org)
    assert _counts(second)["recorded"] == 3


def test_a_refused_token_stops_its_site_only(
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    org: Organisation,
    admin: User,
    coordinator: User,
    learner: User,
) -> None:
    verified(learner)
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", learner.email)]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    other = FakeMoodle(token="f" * 32).start()
    try:
        other.add_course(7, "Classe virtuelle")
        bad = actions.create_site(
            Actor.of(admin), org, name="Moodle du centre", base_url=other.url, token="f" * 32
        )
        first_module = link.module
        second = Module.objects.create(
            organisation=org, code="CV1", title_fr="Classe virtuelle", duration_hours=3
        )
        actions.link_module(Actor.of(coordinator), second, bad, course_id=7)
        other.token = "0" * 32  # the token is revoked in Moodle

        run = actions.sync(org)
    finally:
        other.stop()

    by_site = {c.site_name: c for c in run.courses.all()}
    assert by_site["Moodle du centre"].error_code == "invalidtoken"
    assert by_site["Moodle-Technosphère"].recorded == 1
    assert Completion.objects.filter(module=first_module, learner=learner).exists()
    assert run.status == MoodleSyncRun.Status.ERRORS


def test_a_site_that_is_down_or_too_slow_is_logged(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    def slow(function: str, params: dict[str, str]) -> tuple[int, bytes] | None:
        time.sleep(0.3)
        return None

    moodle.hook = slow

    def impatient(site: MoodleSite) -> MoodleClient:
        client = actions.client_for(site)
        client.timeout = (1.0, 0.1)
        return client

    run = actions.sync(org, clients=impatient)
    assert run.courses.get().error_code == "timeout"
    assert len(moodle.calls_to(ENROLLED)) == 3  # tried three times

    moodle.stop()
    run = actions.sync(org)
    assert run.courses.get().error_code == "unreachable"


def test_a_course_without_completion_criteria_says_so(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation, learner: User
) -> None:
    verified(learner)
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", learner.email)]
    moodle.criteria.clear()
    run = actions.sync(org)
    assert run.courses.get().error_code == "nocriteriaset"


def test_an_explicit_link_matches_a_user_with_another_address(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation, learner: User, coordinator: User
) -> None:
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", "chloe.renard@ecole.test")]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    first = actions.sync(org)
    assert _counts(first)["unmatched"] == 1

    actions.link_user(Actor.of(coordinator), link.site, moodle_user_id=11, email=learner.email)
    second = actions.sync(org)
    assert _counts(second)["recorded"] == 1
    assert Completion.objects.filter(learner=learner, module=link.module).exists()


def test_one_sync_at_a_time_and_a_forgotten_one_is_marked_interrupted(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    from django.utils import timezone

    stuck = MoodleSyncRun.objects.create(organisation=org, started_at=timezone.now())
    with pytest.raises(actions.SyncAlreadyRunning):
        actions.sync(org)
    MoodleSyncRun.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=3)
    )
    run = actions.sync(org)
    assert run.status == MoodleSyncRun.Status.DONE
    stuck.refresh_from_db()
    assert stuck.status == MoodleSyncRun.Status.INTERRUPTED


def test_linking_checks_the_course_on_the_site(
    moodle: FakeMoodle, site: MoodleSite, module: Module, coordinator: User, outsider: User
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as refused:
        actions.link_module(Actor.of(coordinator), module, site, course_id=999)
    assert "n° 999" in json.dumps(refused.value.message_dict, ensure_ascii=False)
    assert not MoodleCourseLink.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.link_module(Actor.of(outsider), module, site, course_id=COURSE)
    link = actions.link_module(Actor.of(coordinator), module, site, course_id=COURSE)
    assert link.course_name == "Le numérique en classe"


def test_the_planned_sync_command(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation, learner: User
) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    verified(learner)
    moodle.enrolled[COURSE] = [user(11, "Chloé", "Renard", learner.email)]
    moodle.statuses[(COURSE, 11)] = completion(True, LATE_EVENING)
    out = StringIO()
    call_command("sync_moodle", "--org", org.slug, stdout=out)
    assert "1 achèvement(s) enregistré(s)" in out.getvalue()
    run = MoodleSyncRun.objects.get()
    assert run.started_by is None
    with pytest.raises(CommandError):
        call_command("sync_moodle", "--site", "99999999999999999999")
    out = StringIO()
    call_command("sync_moodle", "--site", str(link.site_id), stdout=out)
    assert "0 achèvement(s) enregistré(s)" in out.getvalue()


def test_a_token_that_cannot_be_unsealed_is_a_clear_error(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation
) -> None:
    from parcours.integrations.moodle.client import describe_logged

    MoodleSite.objects.filter(pk=link.site_id).update(token_sealed="gAAAAA-altered")
    moodle.calls.clear()
    run = actions.sync(org)
    course = run.courses.get()
    assert course.error_code == "unseal"
    assert "ne peut plus être déchiffré" in describe_logged(course.error_code, course.error)
    assert moodle.calls == []
