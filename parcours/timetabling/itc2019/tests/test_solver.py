"""The CP-SAT solver: every plan it returns passes the independent checker, and on tiny instances
its optimum is the brute-force optimum the checker computes."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parcours.timetabling.itc2019 import rules
from parcours.timetabling.itc2019.checker import check
from parcours.timetabling.itc2019.model import (
    Distribution,
    Placement,
    Problem,
    Room,
    Solution,
    Time,
)
from parcours.timetabling.itc2019.solver import solve
from parcours.timetabling.itc2019.xml import read_problem, read_solution, write_solution

from .builders import problem

TINY = Path(__file__).parent / "data" / "tiny.xml"


def test_the_tiny_instance_is_solved_to_a_checked_optimum():
    instance = read_problem(TINY)
    result = solve(instance, seconds=20)
    assert result.report is not None and result.solution is not None
    assert result.report.feasible, result.report.hard
    assert result.progress.status == "OPTIMAL"
    # Written in the competition's format, read back, checked again: the same figures.
    again = check(instance, read_solution(write_solution(instance, result.solution).encode()))
    assert again.total == result.report.total
    assert again.student == result.report.student
    # Every student got the lecture, one lab and, if asked, course 2.
    attended = {
        s: [c for c, p in result.solution.placements.items() if s in p.students] for s in (1, 2, 3)
    }
    assert all(1 in classes for classes in attended.values())
    assert 4 in attended[1] and 4 not in attended[2]


def _brute_force(instance: Problem) -> int | None:
    choices = []
    for klass in instance.classes.values():
        rooms: list[int | None] = [r for r, _ in klass.rooms] if klass.needs_room else [None]
        choices.append([(c, t, r) for c in [klass.id] for t in klass.times for r in rooms])
    best = None
    for combination in product(*choices):
        placements = {c: Placement(t.days, t.start, t.weeks, r) for c, t, r in combination}
        report = check(instance, Solution(name="b", placements=placements))
        if report.feasible and (best is None or report.total < best):
            best = report.total
    return best


times = st.builds(
    Time,
    days=st.sampled_from([0b1, 0b10, 0b11, 0b101]),
    start=st.sampled_from([96, 102, 108, 120]),
    length=st.sampled_from([6, 12, 18]),
    weeks=st.sampled_from([0b1, 0b10, 0b11]),
    penalty=st.integers(0, 3),
)
MODELLED_EXACTLY = [k for k in rules.KINDS if k not in ("MaxDayLoad", "MaxBreaks", "MaxBlock")]
# (required MaxBreaks and MaxBlock are drawn below too: MaxBreaks is in the model exactly,
# a broken required MaxBlock is cut off after the solve)


@st.composite
def instances(draw) -> Problem:
    count = draw(st.integers(2, 3))
    options = [
        draw(
            st.lists(times, min_size=1, max_size=3, unique_by=lambda t: (t.days, t.start, t.weeks))
        )
        for _ in range(count)
    ]
    room_lists = [
        draw(st.sampled_from([[], [(1, 0)], [(1, 0), (2, 1)], [(2, 2), (1, 0)]]))
        for _ in range(count)
    ]
    travel = draw(st.integers(0, 8))
    closed = draw(st.booleans())
    room_defs = [
        Room(
            id=1,
            capacity=10,
            travel={2: travel},
            unavailable=[Time(0b1, 100, 10, 0b1)] if closed else [],
        ),
        Room(id=2, capacity=10),
    ]
    distributions = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from([*MODELLED_EXACTLY, "MaxBreaks", "MaxBlock", "MaxDayLoad"]))
        required = draw(st.booleans())
        if kind in ("MaxDayLoad", "MaxBreaks", "MaxBlock") and not required:
            continue  # soft: not exactly in the model, tested below for feasibility only
        params: tuple[int, ...] = ()
        if kind in ("WorkDay", "MinGap", "MaxDays", "MaxDayLoad"):
            params = (draw(st.integers(0, 30)),)
        if kind in ("MaxBreaks", "MaxBlock"):
            params = (draw(st.integers(0, 24)), draw(st.integers(0, 12)))
        members = draw(st.lists(st.integers(1, count), min_size=2, max_size=3, unique=True))
        distributions.append(
            Distribution(
                kind, params, required, 0 if required else draw(st.integers(1, 5)), members
            )
        )
    return problem(
        options,
        rooms=room_lists,
        room_defs=room_defs,
        distributions=distributions,
        weights={
            "time": draw(st.integers(0, 3)),
            "room": draw(st.integers(0, 3)),
            "distribution": draw(st.integers(1, 3)),
            "student": 1,
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances())
def test_the_solver_finds_the_brute_force_optimum_and_the_checker_agrees(instance):
    expected = _brute_force(instance)
    result = solve(instance, seconds=20)
    if expected is None:
        assert result.solution is None
        return
    assert result.report is not None, "the solver missed a feasible plan"
    assert result.report.feasible, result.report.hard
    assert result.report.total == expected
    assert result.model_total == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    instance=instances(),
    kind=st.sampled_from(["MaxDayLoad", "MaxBreaks", "MaxBlock"]),
    limit=st.integers(0, 20),
    gap=st.integers(0, 12),
)
def test_soft_day_rules_reach_the_brute_force_optimum(instance, kind, limit, gap):
    # MaxDayLoad, MaxBreaks and MaxBlock are in the model exactly (their cost divided by the
    # weeks: with one such constraint the floored total is still the optimum).
    params = (
        (limit,)
        if kind == "MaxDayLoad"
        else (limit % 3, gap)
        if kind == "MaxBreaks"
        else (
            limit,
            gap,
        )
    )
    instance.distributions.append(Distribution(kind, params, False, 2, list(instance.classes)))
    result = solve(instance, seconds=20)
    expected = _brute_force(instance)
    assert (result.report is None) == (expected is None)
    if result.report is None:
        return
    assert result.report.feasible, result.report.hard
    assert result.report.total == expected


def test_two_rounds_re_section_the_students_and_keep_a_checked_plan():
    instance = read_problem(TINY)
    one = solve(instance, seconds=20)
    two = solve(instance, seconds=20, rounds=2, checkpoint_seconds=(1.0,))
    assert two.report is not None and one.report is not None
    assert two.report.feasible
    assert two.report.total <= one.report.total
    assert [at for at, _ in two.checkpoints] == [1.0]


def test_a_time_penalty_weighs_as_much_as_a_soft_day_load_divided_by_the_weeks():
    # Two weeks. Class 1 meets 20 slots on Monday (a day load 8 over the limit of 12, both
    # weeks: the soft MaxDayLoad costs 1 x (8 + 8) // 2 = 8) or 10 slots at a time penalty of
    # 10. The day load is cheaper: the model divides it by the weeks, so it must multiply the
    # time penalties by them too (it did not, and chose the penalty).
    from .builders import soft, t

    instance = problem(
        [[t("10000", 0, 20), t("10000", 100, 10, penalty=10)]],
        distributions=[soft("MaxDayLoad", [1], 1, (12,))],
    )
    result = solve(instance, seconds=10)
    assert result.report is not None and result.report.feasible
    assert (result.report.time, result.report.distribution) == (0, 8)
    assert result.report.total == 8


def test_a_large_model_first_timetabled_without_its_students_still_reaches_the_optimum(
    monkeypatch,
):
    # Above LEAN_PLACEMENTS placements the first round leaves the students' pairs out (a
    # first timetable sooner); the next round adds them to the same model. Forced here on the
    # tiny instance: the plan is checked and as good as the ordinary solve's.
    from parcours.timetabling.itc2019 import solver

    instance = read_problem(TINY)
    ordinary = solve(instance, seconds=20)
    monkeypatch.setattr(solver, "LEAN_PLACEMENTS", 0)
    lean = solve(instance, seconds=100)
    assert lean.report is not None and ordinary.report is not None
    assert lean.report.feasible, lean.report.hard
    assert len(lean.rounds) >= 2  # the lean round, then one with the students
    assert lean.report.total == ordinary.report.total


section_times = st.lists(
    st.sampled_from([(0b1, 96), (0b1, 102), (0b1, 108), (0b10, 96)]),
    min_size=1,
    max_size=2,
    unique=True,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    options=st.lists(section_times, min_size=4, max_size=4),
    penalties=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    limits=st.lists(st.integers(1, 2), min_size=4, max_size=4),
    wishes=st.lists(st.sampled_from([(1,), (2,), (1, 2)]), min_size=1, max_size=3),
)
def test_students_sectioned_inside_the_model_reach_the_joint_optimum(
    options, penalties, limits, wishes
):
    # Two courses of two sections each (classes 1-2, 3-4); each section has one or two times
    # (the second one penalised), the students want one course or both. With a track per
    # student, the model chooses times and sections together: its plan is the brute-force
    # optimum over every timetable and every sectioning within the class limits.
    from parcours.timetabling.itc2019 import sectioning, solver

    from .builders import t, with_students

    assume(limits[0] + limits[1] >= sum(1 in w for w in wishes))
    assume(limits[2] + limits[3] >= sum(2 in w for w in wishes))
    times = [
        [
            t(("10000" if days == 1 else "01000"), start, 12, penalty=penalty * index)
            for index, (days, start) in enumerate(choices)
        ]
        for choices, penalty in zip(options, penalties, strict=True)
    ]
    instance = problem(
        times, limits=limits, weights={"time": 1, "room": 1, "distribution": 1, "student": 3}
    )
    instance.courses = {1: {1: {1: [1, 2]}}, 2: {1: {2: [3, 4]}}}
    for class_id, course in ((1, 1), (2, 1), (3, 2), (4, 2)):
        instance.classes[class_id].course = course
        instance.classes[class_id].subpart = course
    instance = with_students(instance, {s + 1: list(w) for s, w in enumerate(wishes)})
    sections = {1: [1, 2], 2: [3, 4]}
    best = None
    for timetable in product(*[k.times for k in instance.classes.values()]):
        for choice in product(*[product(*[sections[c] for c in w]) for w in wishes]):
            placements = {
                c: Placement(time.days, time.start, time.weeks, None)
                for c, time in zip(instance.classes, timetable, strict=True)
            }
            for student, classes in enumerate(choice):
                for c in classes:
                    placements[c].students.append(student + 1)
            report = check(instance, Solution(name="b", placements=placements))
            if report.feasible and (best is None or report.total < best):
                best = report.total
    assert best is not None
    real = sectioning.tracks
    with mock.patch.object(
        solver.sectioning, "tracks", lambda p, e, largest=None: real(p, e, largest=1)
    ):
        result = solve(instance, seconds=20, tracks=True)
    assert result.report is not None and result.report.feasible, result.report
    assert result.report.total == best
    assert result.model_total == best


def test_tracks_too_large_for_the_model_fall_back_to_pairs_of_fixed_weights(monkeypatch):
    # Beyond TRACK_TERMS clash terms the students are not sectioned inside the model: the
    # pairs of the current sectioning are used instead, rounds after rounds, and the plan is
    # as good on the tiny instance.
    from parcours.timetabling.itc2019 import solver

    instance = read_problem(TINY)
    inside = solve(instance, seconds=20, rounds=2)
    assert inside.stats.get("tracks")
    monkeypatch.setattr(solver, "TRACK_TERMS", 0)
    pairs = solve(instance, seconds=20, rounds=2)
    assert "tracks" not in pairs.stats and pairs.stats["student_pairs"]
    assert pairs.report is not None and inside.report is not None
    assert pairs.report.feasible, pairs.report.hard
    assert pairs.report.total == inside.report.total


def test_a_soft_max_breaks_is_weighed_against_a_time_penalty():
    # Class 1 on Monday 8:00-8:30; class 2 right after it (time penalty 3) or at 10:00 (no
    # penalty, but a break: MaxBreaks(0, 0) costs 8 x 2 weeks // 2 = 8). The break costs more.
    from .builders import soft, t

    instance = problem(
        [[t("10000", 96, 6)], [t("10000", 120, 6), t("10000", 102, 6, penalty=3)]],
        distributions=[soft("MaxBreaks", [1, 2], 8, (0, 0))],
    )
    result = solve(instance, seconds=10)
    assert result.report is not None and result.report.feasible
    assert (result.report.time, result.report.distribution) == (3, 0)
    cheaper = problem(
        [[t("10000", 96, 6)], [t("10000", 120, 6), t("10000", 102, 6, penalty=3)]],
        distributions=[soft("MaxBreaks", [1, 2], 2, (0, 0))],
    )
    result = solve(cheaper, seconds=10)
    assert result.report is not None
    assert (result.report.time, result.report.distribution, result.report.total) == (0, 2, 2)


def test_a_soft_max_block_is_weighed_against_a_time_penalty():
    # Class 1 on Monday 8:00-9:00; class 2 right after it (a block of two hours, over the
    # limit of 1.5 h: MaxBlock(18, 0)) or at 12:30 with a time penalty of 3. Then a class that
    # is itself longer than the limit: any class beside it in its block breaks the rule.
    from .builders import soft, t

    def plan(penalty: int, first: int = 12, second: tuple[int, int] = (108, 12)) -> tuple:
        instance = problem(
            [
                [t("10000", 96, first)],
                [t("10000", *second), t("10000", 150, 12, penalty=3)],
            ],
            distributions=[soft("MaxBlock", [1, 2], penalty, (18, 0))],
        )
        result = solve(instance, seconds=10)
        assert result.report is not None and result.report.feasible
        return result.report.time, result.report.distribution, result.report.total

    assert plan(8) == (3, 0, 3)  # the block costs 8: the time penalty is cheaper
    assert plan(2) == (0, 2, 2)  # a long block each of the 2 weeks: 2 x 2 // 2 = 2
    assert plan(8, first=30, second=(98, 6)) == (3, 0, 3)  # 8:00-10:30, class 2 inside it


@pytest.mark.parametrize(
    ("kind", "params", "second"),
    [("MaxBlock", (18, 0), (104, 12)), ("MaxBreaks", (0, 0), (120, 12))],
)
def test_a_required_day_rule_too_large_for_the_model_is_cut_off_after_the_solve(
    monkeypatch, kind, params, second
):
    # Above MAX_BLOCK_TERMS the rule is left out of the model: the plan that breaks it is
    # forbidden after the solve (a lazy cut) and the solve resumes. Class 2 must then take its
    # penalised time (12:30 for MaxBlock; 8:40, right after class 1, for MaxBreaks).
    from parcours.timetabling.itc2019 import solver

    from .builders import hard, t

    penalised = (150, 12) if kind == "MaxBlock" else (104, 12)
    instance = problem(
        [[t("10000", 96, 8)], [t("10000", *second), t("10000", *penalised, penalty=3)]],
        distributions=[hard(kind, [1, 2], params)],
    )
    modelled = solve(instance, seconds=10)
    monkeypatch.setattr(solver, "MAX_BLOCK_TERMS", 0)
    cut = solve(instance, seconds=10)
    for result in (modelled, cut):
        assert result.report is not None and result.report.feasible, result.report
        assert result.report.time == 3
