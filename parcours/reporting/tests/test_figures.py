"""The figures a coordinator reads, on data built with the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, LearnerProfile
from parcours.reporting import opendata
from parcours.reporting.figures import build_report
from parcours.reporting.periods import Filters, Period
from parcours.reporting.tests.conftest import day_slots, local

pytestmark = pytest.mark.django_db

Y = 2025


def test_an_empty_organisation_has_zero_figures_and_every_section(org) -> None:
    report = build_report([org.pk], Period.calendar_year(Y), Filters())
    assert [s.key for s in report.sections][:4] == ["training", "people", "logistics", "outreach"]
    assert report.value("training.people") == 0
    assert report.previous_value("training.people") == 0
    assert report.value("training.fill_rate") is None  # no session: not "0 %"
    assert report.value("credentials.verifications") == 0  # recorded by credentials (a source)


def test_trained_people_hours_rates_and_last_year_beside(
    org, make_session, make_learner, enrol, roll_call, coordinator
) -> None:
    # Last year: one person trained one day.
    before = make_session(slots=day_slots(dt.date(Y - 1, 5, 6)), capacity=5)
    enrol(before, make_learner(0))
    roll_call(before)
    # This year: capacity 3, four people: three seated, one waitlisted never placed.
    session = make_session(slots=day_slots(dt.date(Y, 3, 10), dt.date(Y, 3, 11)), capacity=3)
    ann, ben, cat, dan = (make_learner(i) for i in range(1, 5))
    e_ann, e_ben, e_cat = enrol(session, ann), enrol(session, ben), enrol(session, cat)
    assert enrol(session, dan).status == Enrolment.Status.WAITLISTED
    roll_call(session, absent=(e_cat,))  # Cat never came; Ann and Ben came to all 4 slots
    # A cancelled session in the period counts as cancelled, never as held.
    cancelled = make_session(slots=day_slots(dt.date(Y, 4, 1)))
    actions.set_session_status(
        actor=Actor.of(coordinator), session=cancelled, status=cancelled.Status.CANCELLED
    )

    report = build_report([org.pk], Period.calendar_year(Y), Filters())
    assert report.value("training.people") == 2
    assert report.previous_value("training.people") == 1
    assert report.value("training.hours") == Decimal("26.00")  # 2 people x 2 days x 6.5 h
    assert report.value("training.sessions_held") == 1
    assert report.value("training.sessions_cancelled") == 1
    assert report.value("training.fill_rate") == Decimal("100.0")
    assert report.value("training.attendance_rate") == Decimal("66.7")  # 8 of 12 marks
    assert report.value("training.unmet_demand") == 1
    assert report.figure("training.people").change_percent == 100.0  # type: ignore[union-attr]
    by_month = report.table("training.by_month")
    assert by_month is not None
    assert by_month.rows[2] == (f"{Y}-03", 2, Decimal("26.00"))
    assert len(by_month.rows) == 12
    assert e_ann and e_ben


def test_a_slot_counts_in_the_local_day_it_starts_even_across_new_year(
    org, make_session, make_learner, enrol, roll_call
) -> None:
    # 23:00-23:30 on 31 December in Brussels is 22:00 UTC: it belongs to the old year.
    late = make_session(slots=[(local(Y, 12, 31, 23), local(Y, 12, 31, 23, 30))])
    # 00:30 on 1 January in Brussels is still 31 December in UTC: it belongs to the new year.
    early = make_session(slots=[(local(Y + 1, 1, 1, 0, 30), local(Y + 1, 1, 1, 1))])
    enrol(late, make_learner(1))
    enrol(early, make_learner(2))
    roll_call(late)
    roll_call(early)
    this = build_report([org.pk], Period.calendar_year(Y), Filters())
    nxt = build_report([org.pk], Period.calendar_year(Y + 1), Filters())
    assert this.value("training.people") == 1
    assert this.value("training.hours") == Decimal("0.50")
    assert nxt.value("training.people") == 1
    assert nxt.previous_value("training.people") == 1


def test_a_school_year_runs_september_to_august(
    org, make_session, make_learner, enrol, roll_call
) -> None:
    aug = make_session(slots=day_slots(dt.date(Y, 8, 29)))
    sep = make_session(slots=day_slots(dt.date(Y, 9, 1)))
    enrol(aug, make_learner(1))
    enrol(sep, make_learner(2))
    roll_call(aug)
    roll_call(sep)
    report = build_report([org.pk], Period.school_year(Y), Filters())
    assert report.value("training.people") == 1
    assert report.previous_value("training.people") == 1


def test_filters_narrow_and_other_organisations_never_count(
    org, other_org, make_session, make_learner, enrol, roll_call, module
) -> None:
    from parcours.enrolment.tests.conftest import make_module

    other_module = make_module(org, "M2B")
    a = make_session(slots=day_slots(dt.date(Y, 2, 3)))
    b = make_session(slots=day_slots(dt.date(Y, 2, 4)), module_=other_module)
    enrol(a, make_learner(1))
    enrol(b, make_learner(2))
    roll_call(a)
    roll_call(b)
    period = Period.calendar_year(Y)
    assert build_report([org.pk], period, Filters(module=module.pk)).value("training.people") == 1
    assert (
        build_report([org.pk], period, Filters(audience="teachers")).value("training.people") == 1
    )
    assert build_report([org.pk], period, Filters()).value("training.people") == 2
    assert build_report([other_org.pk], period, Filters()).value("training.people") == 0


def test_gender_and_age_count_only_what_people_declared(
    org, make_session, make_learner, enrol, roll_call
) -> None:
    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    people = [make_learner(i) for i in range(4)]
    for person in people:
        enrol(session, person)
    roll_call(session)
    actions.update_learner_profile(user=people[0], gender="female", birth_year=1990)
    actions.update_learner_profile(user=people[1], gender="female", age_band="46_55")
    actions.update_learner_profile(user=people[2], gender="undisclosed")
    report = build_report([org.pk], Period.calendar_year(Y), Filters())
    assert report.value("people.women") == 2
    assert report.value("people.gender_not_said") == 2  # one "prefer not", one silent
    assert report.value("people.women_share") == Decimal("100.0")
    ages = {row[0]: row[1] for row in report.table("people.age").rows}  # type: ignore[union-attr]
    assert ages[str(LearnerProfile.AgeBand.FROM_26.label)] == 1  # 35 in 2025
    assert ages[str(LearnerProfile.AgeBand.FROM_46.label)] == 1
    assert ages["Non communiqué"] == 2


def test_open_data_suppresses_small_people_counts(
    org, make_session, make_learner, enrol, roll_call
) -> None:
    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    for i in range(3):
        enrol(session, make_learner(i))
    roll_call(session)
    report = build_report([org.pk], Period.calendar_year(Y), Filters(), public_only=True)
    rows = list(opendata.rows(report))
    people = next(r for r in rows if r[2] == "training.people")
    assert people[5] == "< 5"
    hours = next(r for r in rows if r[2] == "training.hours")
    assert hours[5] == Decimal("19.50")  # hours are not people: not suppressed
    assert all(r[5] not in (1, 2, 3, 4) for r in rows if r[2] in ("training.by_audience",))
    assert "logistics" not in {s.key for s in report.sections}
    body = opendata.csv_bytes(report).decode("utf-8-sig")
    assert "< 5" in body and body.startswith("période;")


def test_a_registered_source_becomes_a_section_with_last_year_beside(org) -> None:
    from parcours.lib import figures as registry

    asked: list[tuple[tuple[int, ...], dt.date, dt.date]] = []

    def provide(ids, first, last):
        asked.append((tuple(ids), first, last))
        return registry.Contribution(
            figures=(
                registry.Figure(
                    "funnel.selected", "Candidats retenus", first.year, "people", counts_people=True
                ),
            )
        )

    registry.register(
        registry.Source(key="funnel", title="Candidatures", provide=provide, public=True)
    )
    try:
        report = build_report([org.pk], Period.calendar_year(Y), Filters())
        assert report.section("funnel") is not None
        assert report.value("funnel.selected") == Y
        assert report.previous_value("funnel.selected") == Y - 1
        assert asked == [
            ((org.pk,), dt.date(Y, 1, 1), dt.date(Y, 12, 31)),
            ((org.pk,), dt.date(Y - 1, 1, 1), dt.date(Y - 1, 12, 31)),
        ]
        rows = list(
            opendata.rows(
                build_report([org.pk], Period.calendar_year(Y), Filters(), public_only=True)
            )
        )
        assert any(r[2] == "funnel.selected" for r in rows)
    finally:
        registry.unregister("funnel")
