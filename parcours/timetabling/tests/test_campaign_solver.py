"""The pure planner: every plan it returns passes the independent checker; when no plan
exists it says why, with numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.timetabling.campaign import (
    AM,
    PM,
    Campaign,
    Cohort,
    HalfDay,
    Module,
    Phase,
    Pin,
    Room,
    Status,
    Trainer,
    Wishes,
    check,
    covered,
    solve,
)

MONDAY = dt.date(2027, 1, 4)


def small_campaign(**changes: object) -> Campaign:
    modules = (
        Module("M1A", half_days=4, phase=Phase.INTRODUCTION),
        Module("OPT", half_days=2, features=frozenset({"projector"})),
        Module("CLO", half_days=3, consecutive=False, phase=Phase.CLOSING),
    )
    campaign = Campaign(
        start=MONDAY,
        end=MONDAY + dt.timedelta(days=27),
        sites=("NAM", "CHA"),
        modules=modules,
        cohorts=(
            Cohort("NAM-1", "NAM", 10, ("M1A", "OPT", "CLO")),
            Cohort("CHA-1", "CHA", 12, ("M1A", "OPT", "CLO")),
        ),
        rooms=(
            Room("N1", "NAM", 12, frozenset({"projector"})),
            Room("C1", "CHA", 14, frozenset({"projector"})),
        ),
        trainers=(
            Trainer("ANN", frozenset({"M1A", "CLO"}), home_site="NAM", max_days_per_week=3),
            Trainer("BOB", frozenset({"OPT", "CLO", "M1A"}), home_site="CHA"),
        ),
        min_gap_days=1,
    )
    return dataclasses.replace(campaign, **changes)  # type: ignore[arg-type]


def test_a_small_campaign_gets_a_plan_that_passes_the_checker() -> None:
    campaign = small_campaign()
    plan = solve(campaign, seconds=10)
    assert plan.found
    assert len(plan.placements) == 6
    assert check(campaign, plan.placements) == []
    by_session = {p.session: p for p in plan.placements}
    intro, closing = by_session["NAM-1/M1A"], by_session["NAM-1/CLO"]
    assert covered(campaign.module("M1A"), intro.starts)[-1] < closing.starts[0]
    assert plan.score is not None and plan.bound is not None and plan.bound <= plan.score


def test_the_checker_catches_a_room_taken_twice() -> None:
    campaign = small_campaign()
    plan = solve(campaign, seconds=10)
    moved = [
        dataclasses.replace(p, room="N1", site="NAM") if p.cohort == "CHA-1" else p
        for p in plan.placements
    ]
    kinds = {v.kind for v in check(campaign, tuple(moved))}
    assert "site" in kinds


def test_the_checker_catches_an_overlap_and_a_holiday() -> None:
    campaign = small_campaign()
    plan = solve(campaign, seconds=10)
    first = plan.placements[0]
    sunday = HalfDay(MONDAY + dt.timedelta(days=6), AM)
    broken = (dataclasses.replace(first, starts=(sunday,)), *plan.placements[1:])
    kinds = {v.kind for v in check(campaign, broken)}
    assert "calendar" in kinds


def _truck_campaign(**changes: object) -> Campaign:
    # Two sites without rooms; one truck that goes to both; two groups, one per site, of one
    # two-day module each, in one week: the truck goes from one to the other with a free day.
    campaign = small_campaign(
        end=MONDAY + dt.timedelta(days=4),
        modules=(Module("M1A", half_days=4, phase=Phase.INTRODUCTION),),
        cohorts=(
            Cohort("NAM-1", "NAM", 10, ("M1A",)),
            Cohort("CHA-1", "CHA", 10, ("M1A",)),
        ),
        rooms=(Room("TRUCK", "NAM", 12, mobile=True),),
        trainers=(Trainer("ANN", frozenset({"M1A"})), Trainer("BOB", frozenset({"M1A"}))),
    )
    return dataclasses.replace(campaign, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("construct", [True, False], ids=["greedy-first", "cp-sat-only"])
def test_a_mobile_unit_serves_two_sites_with_a_day_to_travel_between(construct: bool) -> None:
    campaign = _truck_campaign()
    plan = solve(campaign, seconds=10, construct=construct)
    assert plan.found, plan.reasons
    assert check(campaign, plan.placements) == []
    first, second = sorted(plan.placements, key=lambda p: p.starts)
    assert {first.site, second.site} == {"NAM", "CHA"}
    assert {first.room, second.room} == {"TRUCK"}
    # Monday-Tuesday at one site, Thursday-Friday at the other: Wednesday is the travel day.
    assert first.starts[0].day == MONDAY
    assert second.starts[0].day == MONDAY + dt.timedelta(days=3)
    # Booked on Thursday: no week is long enough for both any more.
    busy = frozenset(HalfDay(MONDAY + dt.timedelta(days=3), h) for h in (AM, PM))
    booked = _truck_campaign(rooms=(Room("TRUCK", "NAM", 12, unavailable=busy, mobile=True),))
    assert not solve(booked, seconds=10, construct=construct).found


def test_the_checker_catches_a_mobile_unit_without_a_day_to_travel() -> None:
    campaign = _truck_campaign()
    plan = solve(campaign, seconds=10)
    first, second = sorted(plan.placements, key=lambda p: p.starts)
    wednesday = HalfDay(MONDAY + dt.timedelta(days=2), AM)
    hurried = (first, dataclasses.replace(second, starts=(wednesday,)))
    assert {v.kind for v in check(campaign, hurried)} == {"travel"}
    # At the same site, the next day is fine (nothing to move).
    both_here = _truck_campaign(
        cohorts=(Cohort("NAM-1", "NAM", 10, ("M1A",)), Cohort("NAM-2", "NAM", 10, ("M1A",)))
    )
    same_site = (
        dataclasses.replace(first, site="NAM", cohort="NAM-1", session="NAM-1/M1A"),
        dataclasses.replace(
            second, site="NAM", cohort="NAM-2", session="NAM-2/M1A", starts=(wednesday,)
        ),
    )
    assert check(both_here, same_site) == []
    # A booking of the unit the day before a session leaves it no day to come.
    tuesday = frozenset({HalfDay(MONDAY + dt.timedelta(days=1), PM)})
    booked = _truck_campaign(rooms=(Room("TRUCK", "NAM", 12, unavailable=tuesday, mobile=True),))
    late = (dataclasses.replace(first, starts=(wednesday,)),)
    assert "room_busy" in {v.kind for v in check(booked, late)}
    # A unit limited to some sites is refused elsewhere.
    namur_only = _truck_campaign(
        rooms=(Room("TRUCK", "NAM", 12, mobile=True, sites=frozenset({"NAM"})),)
    )
    assert not solve(namur_only, seconds=5).found
    assert "room" in {v.kind for v in check(namur_only, plan.placements)}


def test_a_pinned_session_stays_where_it_was() -> None:
    campaign = small_campaign()
    plan = solve(campaign, seconds=10)
    keep = next(p for p in plan.placements if p.session == "CHA-1/OPT")
    # Prefer every other weekday, strongly: only the pin keeps the session where it is.
    others = frozenset(range(5)) - {keep.starts[0].day.weekday()}
    pinned = small_campaign(
        pins=(Pin(keep.session, keep.starts, keep.room, keep.trainer),),
        wishes=Wishes(preferred_days=50, preferred_weekdays=others),
    )
    again = solve(pinned, seconds=10)
    assert again.found
    assert check(pinned, again.placements) == []
    assert next(p for p in again.placements if p.session == keep.session) == keep
    assert again.costs["preferred_days"] >= 1


def test_stop_keeps_the_best_plan() -> None:
    campaign = small_campaign(wishes=Wishes(spread=1, monthly=1, trips=1))
    seen: list[int] = []
    plan = solve(
        campaign,
        seconds=30,
        on_progress=lambda p: seen.append(p.score),
        should_stop=lambda: bool(seen),
    )
    assert plan.found
    assert seen
    assert check(campaign, plan.placements) == []


def test_too_few_trainer_days_are_explained_with_numbers() -> None:
    campaign = small_campaign(
        end=MONDAY + dt.timedelta(days=4),
        cohorts=tuple(Cohort(f"G{i}", "NAM", 8, ("OPT",)) for i in range(8)),
        rooms=tuple(Room(f"N{i}", "NAM", 12, frozenset({"projector"})) for i in range(8)),
        trainers=(Trainer("BOB", frozenset({"OPT"}), name="Bob"),),
    )
    plan = solve(campaign, seconds=5)
    assert plan.status == Status.INFEASIBLE
    reason = next(r for r in plan.reasons if r.kind == "trainer_days")
    assert reason.param("groups") == 8
    assert reason.param("needed") == 8
    assert reason.param("available") == 5
    assert reason.param("trainers") == "Bob"


def test_no_room_big_enough_is_explained() -> None:
    campaign = small_campaign(rooms=(Room("N1", "NAM", 5), Room("C1", "CHA", 14)))
    plan = solve(campaign, seconds=5)
    assert plan.status == Status.INFEASIBLE
    assert {r.kind for r in plan.reasons} == {"no_room"}


def test_conflicting_rules_are_named_from_the_solver_core() -> None:
    # Enough days in total, but the trainer is away the only week the site is open.
    closed = frozenset(MONDAY + dt.timedelta(days=d) for d in range(7, 28))
    away = frozenset(
        HalfDay(MONDAY + dt.timedelta(days=d), h) for d in range(0, 7) for h in (AM, PM)
    )
    campaign = small_campaign(
        cohorts=(Cohort("NAM-1", "NAM", 10, ("M1A",)),),
        trainers=(Trainer("ANN", frozenset({"M1A"}), unavailable=away),),
        closures=(("NAM", closed),),
    )
    plan = solve(campaign, seconds=10)
    assert plan.status == Status.INFEASIBLE
    kinds = {r.kind for r in plan.reasons}
    assert kinds == {"calendar", "trainer_busy"}


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    sites = ("A", "B")[: draw(st.integers(1, 2))]
    n_modules = draw(st.integers(1, 3))
    modules = tuple(
        Module(
            f"M{i}",
            half_days=draw(st.integers(1, 4)),
            consecutive=draw(st.booleans()),
            phase=Phase(draw(st.integers(0, 2))),
            features=frozenset({"pc"}) if draw(st.booleans()) else frozenset(),
        )
        for i in range(n_modules)
    )
    cohorts = tuple(
        Cohort(
            f"C{i}",
            draw(st.sampled_from([*sites, None])),
            draw(st.integers(4, 14)),
            tuple(m.code for m in modules if draw(st.booleans()) or m is modules[0]),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    days = draw(st.integers(7, 21))
    start = MONDAY + dt.timedelta(days=draw(st.integers(0, 6)))

    def some_half_days() -> frozenset[HalfDay]:
        return frozenset(
            HalfDay(start + dt.timedelta(days=d), h)
            for d, h in draw(
                st.lists(st.tuples(st.integers(0, days), st.sampled_from([AM, PM])), max_size=6)
            )
        )

    rooms = tuple(
        Room(
            f"R{i}",
            draw(st.sampled_from(sites)),
            draw(st.integers(6, 16)),
            frozenset({"pc"}) if draw(st.booleans()) else frozenset(),
            some_half_days(),
        )
        for i in range(draw(st.integers(0, 2)))
    ) + tuple(Room(f"Big{site}", site, 16, frozenset({"pc"}), some_half_days()) for site in sites)
    if draw(st.booleans()):  # a mobile unit, going everywhere or to some sites
        rooms += (
            Room(
                "Truck",
                sites[0],
                draw(st.integers(6, 16)),
                frozenset({"pc"}),
                some_half_days(),
                mobile=True,
                sites=frozenset(draw(st.sets(st.sampled_from(sites)))),
            ),
        )
    trainers = tuple(
        Trainer(
            f"T{i}",
            frozenset(m.code for m in modules if i == 0 or draw(st.booleans())),
            frozenset() if i == 0 else frozenset(draw(st.sets(st.sampled_from(sites)))),
            draw(st.sampled_from([*sites, None])),
            some_half_days(),
            draw(st.sampled_from([None, 1, 2, 3])),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    return Campaign(
        start=start,
        end=start + dt.timedelta(days=days),
        sites=sites,
        modules=modules,
        cohorts=cohorts,
        rooms=rooms,
        trainers=trainers,
        weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=3))),
        halves=draw(st.sampled_from([frozenset({AM, PM}), frozenset({AM, PM}), frozenset({AM})])),
        holidays=frozenset({start + dt.timedelta(days=draw(st.integers(0, days)))}),
        closures=((sites[0], frozenset({start + dt.timedelta(days=draw(st.integers(0, days)))})),),
        min_gap_days=draw(st.integers(0, 2)),
        wishes=Wishes(
            spread=draw(st.integers(0, 2)),
            monthly=draw(st.integers(0, 2)),
            trips=draw(st.integers(0, 2)),
            preferred_days=1,
            preferred_weekdays=frozenset({1, 2}),
        ),
    )


@pytest.mark.parametrize("construct", [True, False], ids=["greedy-first", "cp-sat-only"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaign=campaigns())
def test_every_plan_the_solver_returns_passes_the_checker(
    construct: bool, campaign: Campaign
) -> None:
    plan = solve(campaign, seconds=3, workers=2, construct=construct)
    if plan.found:
        assert check(campaign, plan.placements) == []
        assert plan.bound is not None and plan.score is not None
        assert plan.bound <= plan.score
        # Pin one session and solve again from that plan: still valid, the pin kept.
        kept = plan.placements[-1]
        pinned = dataclasses.replace(
            campaign, pins=(Pin(kept.session, kept.starts, kept.room, kept.trainer),)
        )
        again = solve(pinned, seconds=2, workers=2, construct=construct, hint=plan)
        assert again.found
        assert check(pinned, again.placements) == []
    elif plan.status == Status.INFEASIBLE:
        assert plan.reasons


def test_a_campaign_too_large_for_cp_sat_gets_the_checked_constructive_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parcours.timetabling.campaign import solver

    monkeypatch.setattr(solver, "MAX_CP_SAT_SESSIONS", 2)
    campaign = small_campaign()
    plan = solve(campaign, seconds=5)
    assert plan.found
    assert check(campaign, plan.placements) == []
    # Where the constructive pass cannot place everything, it says so instead of trying.
    crowded = small_campaign(end=MONDAY + dt.timedelta(days=4))
    stuck = solve(crowded, seconds=5)
    assert not stuck.found
    assert {r.kind for r in stuck.reasons} <= {"too_large", "cohort_days", "trainer_days"}
