"""The funnel: steps counted from real actions, the "employed" hook careers fills, the
figures registered for the reports, and the properties of the counts (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions, funnel
from parcours.candidates.figures import funnel_figures
from parcours.candidates.models import Application, Call
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.lib import figures


@pytest.fixture
def no_employment() -> Iterator[None]:
    saved = dict(funnel._employment)
    funnel._employment.clear()
    yield
    funnel._employment.clear()
    funnel._employment.update(saved)


@pytest.mark.django_db
def test_steps_follow_the_selection(
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
    make_session: Callable[..., Session],
    no_employment: None,
) -> None:
    actor = Actor.of(coordinator)
    training = make_session(capacity=20)
    call.sessions.add(training)
    apps = [apply_to() for _ in range(5)]
    ids = [a.pk for a in apps]
    info = call.stages.get(milestone="information")
    tests = call.stages.get(milestone="tests")
    actions.move(actor=actor, call=call, application_ids=ids[:4], stage=info)
    actions.move(actor=actor, call=call, application_ids=ids[:3], stage=tests)
    actions.decide(
        actor=actor, call=call, application_ids=ids[:2], decision="selected", subject="s", body="b"
    )
    for application in apps[:2]:
        assert application.person is not None
        enrolment_actions.enrol(
            actor=actor,
            session=training,
            learner=application.person,
            source=Enrolment.Source.COORDINATOR,
        )
    Enrolment.objects.filter(learner=apps[0].person).update(status="completed")
    total = funnel.counts(funnel.rows([call.pk]))
    assert total == {
        "applied": 5,
        "information": 4,
        "tested": 3,
        "selected": 2,
        "started": 2,
        "completed": 1,
        "employed": None,  # careers has not registered: not available, not 0
    }
    funnel.register_employment("test", lambda ids: {apps[0].pk})
    try:
        assert funnel.counts(funnel.rows([call.pk]))["employed"] == 1
    finally:
        funnel.unregister_employment("test")
    (gender,) = funnel.breakdown(funnel.rows([call.pk]), "gender")
    assert gender[0] == "non communiqué" and gender[1]["applied"] == 5


@pytest.mark.django_db
def test_registered_for_the_reports_and_scoped_by_organisation(
    call: Call, apply_to: Callable[..., Application], other_org: object, no_employment: None
) -> None:
    apply_to()
    assert "candidates.funnel" in {s.key for s in figures.registered()}
    day = timezone.localdate(call.closes_at)
    mine = funnel_figures(
        [call.organisation_id], day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    )
    values = {f.key: f.value for f in mine.figures}
    assert values["candidates.applied"] == 1 and values["candidates.employed"] is None
    theirs = funnel_figures([other_org.pk], day, day)  # type: ignore[attr-defined]
    assert {f.key: f.value for f in theirs.figures}["candidates.applied"] == 0
    assert {t.key for t in mine.tables} == {
        "candidates.funnel.gender",
        "candidates.funnel.age_band",
    }


flags = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())


def _row(i: int, f: tuple[bool, bool, bool, bool, bool], year: int | None) -> funnel.Row:
    informed, tested, selected, started, completed = f
    tested = tested and informed
    started = started and selected
    return funnel.Row(
        id=i,
        informed=informed,
        tested=tested,
        selected=selected,
        started=started,
        completed=completed and started,
        employed=None,
        gender="",
        age_band=funnel.age_band(year, 2026),
    )


@given(st.lists(st.tuples(flags, st.one_of(st.none(), st.integers(1900, 2030))), max_size=40))
def test_breakdowns_add_up_to_the_total(
    items: Sequence[tuple[tuple[bool, ...], int | None]],
) -> None:
    rows = [_row(i, f, y) for i, (f, y) in enumerate(items)]  # type: ignore[arg-type]
    total = funnel.counts(rows)
    for by in ("gender", "age_band"):
        groups = funnel.breakdown(rows, by)
        for key in ("applied", "information", "tested", "selected", "started", "completed"):
            assert sum(c[key] or 0 for _g, c in groups) == total[key]
    n = {key: value or 0 for key, value in total.items()}
    assert n["applied"] >= n["information"] >= n["tested"]
    assert n["selected"] >= n["started"] >= n["completed"]


@given(st.one_of(st.none(), st.integers(-5000, 5000)))
def test_age_bands_never_fail(year: int | None) -> None:
    band = funnel.age_band(year, 2026)
    assert band in {label for label, _low, _high in funnel.AGE_BANDS} | {funnel.NOT_DECLARED}
