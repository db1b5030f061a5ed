"""Two syncs of one organisation at once (the button pressed while the nightly sync runs)."""

from __future__ import annotations

import time

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role
from parcours.integrations.models import MoodleCourseLink, MoodleSyncRun
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.tests.conftest import COURSE, verified
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, completion, user
from parcours.pathways.models import Completion


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_syncs_run_once_and_record_each_completion_once(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation, run_concurrently
) -> None:
    people = [
        verified(make_person(org, Role.LEARNER, f"c{i}@x.test", "C", f"{i}")) for i in range(5)
    ]
    moodle.enrolled[COURSE] = [user(300 + i, "C", f"{i}", p.email) for i, p in enumerate(people)]
    for i in range(5):
        moodle.statuses[(COURSE, 300 + i)] = completion(True, 1775000000)

    def slow(function: str, params: dict[str, str]) -> tuple[int, bytes] | None:
        time.sleep(0.05)
        return None

    moodle.hook = slow
    run = run_concurrently(actions.sync, 4, org)

    assert len(run.successes) == 1
    assert all(isinstance(exc, actions.SyncAlreadyRunning) for exc in run.errors)
    assert MoodleSyncRun.objects.count() == 1
    assert Completion.objects.filter(module=link.module).count() == 5
    # Later syncs (one after the other) add nothing.
    run_concurrently.each([lambda: actions.sync(org)])
    assert Completion.objects.filter(module=link.module).count() == 5
