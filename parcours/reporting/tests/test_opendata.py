"""Open data: secondary suppression, the cache and the throttle of the public endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings

from parcours.lib.figures import Table
from parcours.reporting import opendata
from parcours.reporting.tests.conftest import day_slots

pytestmark = pytest.mark.django_db
Y = 2025


def _table(*counts: int) -> Table:
    return Table(
        key="t",
        title="T",
        columns=("Public", "Personnes"),
        rows=tuple((f"c{i}", n) for i, n in enumerate(counts)),
        people_columns=(1,),
    )


def test_one_hidden_cell_hides_the_next_smallest_so_the_total_reveals_nothing() -> None:
    # 3 is hidden ("< 5"); the total (3 + 12 + 7 + 0 = 22) minus 12 and 7 would give it back:
    # 7, the smallest cell of 5 or more, is hidden too. 0 reveals nobody and stays.
    assert opendata.secondary_cells(_table(3, 12, 7, 0)) == {(2, 1)}


def test_two_hidden_cells_or_none_need_nothing_more() -> None:
    assert opendata.secondary_cells(_table(3, 2, 40)) == set()
    assert opendata.secondary_cells(_table(9, 12, 0)) == set()


def test_the_open_data_rows_show_the_secondary_mark(
    org, make_session, make_learner, enrol, roll_call, client
) -> None:
    from parcours.enrolment.models import LearnerProfile

    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    learners = [make_learner(i) for i in range(8)]
    for i, learner in enumerate(learners):
        # 2 women, 6 men: the women are hidden, so the men (total minus women) are hidden too.
        LearnerProfile.objects.create(user=learner, gender="female" if i < 2 else "male")
        enrol(session, learner)
    roll_call(session)
    answer = client.get(f"/api/v1/reports/organisations/{org.slug}/open-data?year={Y}")
    gender = {r["category"]: r["value"] for r in answer.json() if r["indicator"] == "people.gender"}
    assert gender["Femme"] == "< 5"
    assert gender["Homme"] == opendata.SECONDARY
    total = next(r for r in answer.json() if r["indicator"] == "training.people")
    assert total["value"] == 8  # the total alone reveals neither


def test_the_public_answer_comes_from_the_cache_until_a_roll_call(
    org, make_session, make_learner, enrol, roll_call, client, django_assert_max_num_queries
) -> None:
    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    for i in range(6):
        enrol(session, make_learner(i))
    roll_call(session)
    url = f"/api/v1/reports/organisations/{org.slug}/open-data?year={Y}"
    first = client.get(url).json()
    # The organisation, the rebuild flag, the dirty sessions, the facts' generation and the
    # organisation's month tokens.
    with django_assert_max_num_queries(5):
        assert client.get(url).json() == first
    later = make_session(slots=day_slots(dt.date(Y, 9, 2)))
    enrol(later, make_learner(9))
    roll_call(later)
    people = next(r for r in client.get(url).json() if r["indicator"] == "training.people")
    assert people["value"] == 7


@override_settings(ACCOUNT_RATE_LIMITS=settings.PARCOURS_RATE_LIMITS)
def test_the_public_endpoint_is_throttled_per_address(org, client) -> None:
    url = f"/api/v1/reports/organisations/{org.slug}/open-data?year={Y}"
    answers = [client.get(url).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
