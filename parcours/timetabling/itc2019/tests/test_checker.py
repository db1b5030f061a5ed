"""The checker, rule by rule, on hand-made instances: each constraint type satisfied and broken."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.timetabling.itc2019 import rules
from parcours.timetabling.itc2019.checker import check
from parcours.timetabling.itc2019.model import Placement, Room, Time

from .builders import hard, problem, soft, solution, t, with_students

M, T, W = "10000", "01000", "00100"

# kind, params, good times, bad times, rooms (good, bad) or None, expected violation of the bad
# times, their cost (penalty 3)
CASES = [
    ("SameStart", (), [t(M, 96, 12), t(T, 96, 18)], [t(M, 96, 12), t(T, 108, 12)], None, 1, 3),
    ("SameTime", (), [t(M, 96, 24), t(T, 102, 12)], [t(M, 96, 24), t(T, 90, 12)], None, 1, 3),
    ("DifferentTime", (), [t(M, 96, 12), t(M, 108, 12)], [t(M, 96, 12), t(T, 100, 12)], None, 1, 3),
    (
        "SameDays",
        (),
        [t("10101", 96, 12), t("10100", 150, 12)],
        [t("10101", 96, 12), t("11000", 150, 12)],
        None,
        1,
        3,
    ),
    (
        "DifferentDays",
        (),
        [t(M, 96, 12), t(T, 96, 12)],
        [t(M, 96, 12), t("11000", 150, 12)],
        None,
        1,
        3,
    ),
    (
        "SameWeeks",
        (),
        [t(M, 96, 12, "11"), t(T, 96, 12, "10")],
        [t(M, 96, 12, "10"), t(T, 96, 12, "01")],
        None,
        1,
        3,
    ),
    (
        "DifferentWeeks",
        (),
        [t(M, 96, 12, "10"), t(M, 96, 12, "01")],
        [t(M, 96, 12), t(T, 96, 12)],
        None,
        1,
        3,
    ),
    ("Overlap", (), [t(M, 96, 12), t(M, 100, 12)], [t(M, 96, 12), t(T, 100, 12)], None, 1, 3),
    ("NotOverlap", (), [t(M, 96, 12), t(M, 108, 12)], [t(M, 96, 12), t(M, 100, 12)], None, 1, 3),
    (
        "SameRoom",
        (),
        [t(M, 96, 12), t(T, 96, 12)],
        [t(M, 96, 12), t(T, 96, 12)],
        ([1, 1], [1, 2]),
        1,
        3,
    ),
    (
        "DifferentRoom",
        (),
        [t(M, 96, 12), t(T, 96, 12)],
        [t(M, 96, 12), t(T, 96, 12)],
        ([1, 2], [1, 1]),
        1,
        3,
    ),
    # Rooms 1 and 2 are 6 slots apart: back to back in one room is fine, across rooms it is not.
    (
        "SameAttendees",
        (),
        [t(M, 96, 12), t(M, 108, 12)],
        [t(M, 96, 12), t(M, 108, 12)],
        ([1, 1], [1, 2]),
        1,
        3,
    ),
    ("WorkDay", (24,), [t(M, 96, 12), t(M, 108, 12)], [t(M, 96, 12), t(M, 120, 12)], None, 1, 3),
    ("MinGap", (6,), [t(M, 96, 12), t(M, 114, 12)], [t(M, 96, 12), t(M, 110, 12)], None, 1, 3),
    # Three days when two are allowed: one day over.
    (
        "MaxDays",
        (2,),
        [t(M, 96, 12), t(T, 96, 12), t(M, 150, 12)],
        [t(M, 96, 12), t(T, 96, 12), t(W, 96, 12)],
        None,
        1,
        3,
    ),
    # 24 slots on Monday of both weeks, 20 allowed: 4 + 4 = 8 over; cost 3 x 8 // 2 weeks = 12.
    (
        "MaxDayLoad",
        (20,),
        [t(M, 96, 12), t(T, 120, 12)],
        [t(M, 96, 12), t(M, 120, 12)],
        None,
        8,
        12,
    ),
    # No break allowed, gaps up to 6 slots join classes; a 12-slot gap on Monday of the first week
    # only: one break over the limit; cost 3 x 1 // 2 weeks = 1.
    (
        "MaxBreaks",
        (0, 6),
        [t(M, 96, 12), t(M, 114, 12)],
        [t(M, 96, 12), t(M, 120, 12, "10")],
        None,
        1,
        1,
    ),
    # Blocks up to 24 slots: 96-126 is 30 long on Monday of both weeks: 2 blocks; cost 3x2 // 2 = 3.
    ("MaxBlock", (24, 6), [t(M, 96, 12), t(M, 108, 12)], [t(M, 96, 12), t(M, 110, 16)], None, 2, 3),
]


def _instance(kind: str, params: tuple[int, ...], good, bad, rooms, required: bool):
    count = len(good)
    options = [[good[i]] if good[i] == bad[i] else [good[i], bad[i]] for i in range(count)]
    class_rooms = [[(1, 0), (2, 0)] for _ in range(count)] if rooms else None
    room_defs = [Room(id=1, capacity=50, travel={2: 6}), Room(id=2, capacity=50)] if rooms else None
    classes = list(range(1, count + 1))
    distribution = hard(kind, classes, params) if required else soft(kind, classes, 3, params)
    return problem(options, rooms=class_rooms, room_defs=room_defs, distributions=[distribution])


@pytest.mark.parametrize(
    ("kind", "params", "good", "bad", "rooms", "violation", "cost"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_each_soft_constraint_costs_what_the_rules_say(
    kind, params, good, bad, rooms, violation, cost
):
    instance = _instance(kind, params, good, bad, rooms, required=False)
    satisfied = check(instance, solution(good, rooms[0] if rooms else None))
    assert satisfied.feasible, satisfied.hard
    assert satisfied.distribution == 0
    broken = check(instance, solution(bad, rooms[1] if rooms else None))
    assert broken.feasible, broken.hard
    assert broken.distribution == cost
    assert broken.distribution_costs[0][2] == violation


@pytest.mark.parametrize(
    ("kind", "params", "good", "bad", "rooms", "violation", "cost"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_each_required_constraint_is_a_hard_violation(
    kind, params, good, bad, rooms, violation, cost
):
    instance = _instance(kind, params, good, bad, rooms, required=True)
    assert check(instance, solution(good, rooms[0] if rooms else None)).feasible
    broken = check(instance, solution(bad, rooms[1] if rooms else None))
    assert len(broken.hard) == 1
    assert kind in broken.hard[0]
    assert broken.distribution == 0


def test_every_distribution_type_of_the_competition_is_covered():
    assert {case[0] for case in CASES} | {"Precedence"} == set(rules.KINDS)
    assert len(rules.KINDS) == 19


def test_precedence_counts_each_pair_out_of_order():
    good = [t(M, 96, 12), t(M, 108, 12), t(T, 90, 12)]
    bad = [t(M, 96, 12), t(M, 108, 12), t(M, 90, 12)]  # C starts before A and B end on the same day
    instance = _instance("Precedence", (), good, bad, None, required=False)
    assert check(instance, solution(good)).distribution == 0
    assert check(instance, solution(bad)).distribution == 2 * 3


def test_precedence_compares_weeks_first_then_days_then_times():
    later_week = [t(M, 96, 12, "01"), t(W, 96, 12, "10")]
    assert rules.evaluate("Precedence", (), [_slot(x) for x in later_week], 5, 2) == 1
    earlier_day = [t(M, 200, 12), t(T, 96, 12)]
    assert rules.evaluate("Precedence", (), [_slot(x) for x in earlier_day], 5, 2) == 0


def test_a_single_long_class_is_not_a_block():
    slots = [_slot(t(M, 96, 48))]
    assert rules.max_block_excess(slots, 24, 6, 5, 2) == 0


def test_same_room_or_different_room_ignore_classes_without_a_room():
    a = rules.Slot(1, 96, 12, 1, None)
    b = rules.Slot(1, 96, 12, 1, 3)
    assert rules.same_room(a, b, (), lambda x, y: 0)
    assert rules.different_room(a, b, (), lambda x, y: 0)


def _slot(time: Time, room: int | None = None) -> rules.Slot:
    return rules.Slot(time.days, time.start, time.length, time.weeks, room)


# -- Hard rules outside the distributions -------------------------------------------------------


def test_time_and_room_penalties_and_the_weighted_total():
    instance = problem(
        [[t(M, 96, 12, penalty=2), t(T, 96, 12)], [t(W, 96, 12, penalty=5)]],
        rooms=[[(1, 4), (2, 0)], [(1, 1)]],
        weights={"time": 3, "room": 7, "distribution": 1, "student": 1},
    )
    report = check(instance, solution([t(M, 96, 12), t(W, 96, 12)], [1, 1]))
    assert report.feasible
    assert (report.time, report.room) == (2 + 5, 4 + 1)
    assert report.total == 3 * 7 + 7 * 5
    assert "total:                56" in report.summary()


def test_a_time_or_room_outside_the_options_and_a_missing_class_are_hard_violations():
    instance = problem([[t(M, 96, 12)], [t(T, 96, 12)]], rooms=[[(1, 0)], [(1, 0)]])
    report = check(instance, solution([t(M, 100, 12), t(T, 96, 12)], [1, 2]))
    assert any(
        "not one of its options" in message and "class 1" in message for message in report.hard
    )
    assert any("room 2 is not one of its options" in message for message in report.hard)
    missing = solution([t(M, 96, 12)], [1])
    assert "class 2 is not placed" in check(instance, missing).hard


def test_room_unavailability_and_room_conflicts():
    closed = Room(id=1, capacity=50, unavailable=[Time(0b1, 100, 10, 0b10)])  # Monday, week 2
    instance = problem(
        [[t(M, 96, 12)], [t(M, 102, 12, "01")], [t(M, 96, 12, "10")]],
        rooms=[[(1, 0)], [(2, 0)], [(2, 0)]],
        room_defs=[closed, Room(id=2, capacity=50)],
    )
    report = check(
        instance, solution([t(M, 96, 12), t(M, 102, 12, "01"), t(M, 96, 12, "10")], [1, 2, 2])
    )
    assert report.hard == [
        "class 1: room 1 is unavailable at that time"
    ]  # 2 and 3: different weeks
    clash = problem([[t(M, 96, 12)], [t(M, 102, 12)]], rooms=[[(2, 0)], [(2, 0)]])
    assert check(clash, solution([t(M, 96, 12), t(M, 102, 12)], [2, 2])).hard == [
        "room 2: classes 1 and 2 overlap"
    ]


def test_class_limits_and_sectioning():
    instance = problem([[t(M, 96, 12)], [t(T, 96, 12)], [t(W, 96, 12)]], limits=[1, 5, 5])
    # Course 2 has two subparts: class 2 (lecture) and class 3 (its lab, child of 2).
    instance.courses = {1: {1: {1: [1]}}, 2: {1: {1: [2], 2: [3]}}}
    instance.classes[3].course, instance.classes[3].subpart, instance.classes[3].parent = 2, 2, 2
    with_students(instance, {1: [1, 2], 2: [2]})
    ok = solution([t(M, 96, 12), t(T, 96, 12), t(W, 96, 12)], students=[[1], [1, 2], [1, 2]])
    assert check(instance, ok).feasible
    over = solution([t(M, 96, 12), t(T, 96, 12), t(W, 96, 12)], students=[[1, 2], [1], [1, 2]])
    messages = check(instance, over).hard
    assert "class 1: 2 students over its limit 1" in messages
    assert any("student 2 attends class 1 of a course they did not ask for" in m for m in messages)
    assert any("student 2 attends class 3 but not its parent 2" in m for m in messages)
    assert any("student 2: course 2 subpart 1 has 0 classes" in m for m in messages)


def test_student_conflicts_count_overlaps_and_travel_per_pair():
    rooms = [Room(id=1, capacity=50, travel={2: 6}), Room(id=2, capacity=50)]
    instance = problem(
        [[t(M, 96, 12)], [t(M, 108, 12)], [t(M, 100, 12)]],
        rooms=[[(1, 0)], [(2, 0)], []],
        room_defs=rooms,
    )
    with_students(instance, {7: [1, 2], 8: [1, 2, 3]})
    plan = solution(
        [t(M, 96, 12), t(M, 108, 12), t(M, 100, 12)], [1, 2, None], students=[[7, 8], [7, 8], [8]]
    )
    report = check(instance, plan)
    assert report.feasible, report.hard
    # Student 7: 1→2 leaves no time to walk (1 conflict). Student 8: that one, and 3 (no room)
    # overlaps both.
    assert report.student == 1 + 3


# -- Properties ---------------------------------------------------------------------------------

slots = st.builds(
    rules.Slot,
    days=st.integers(1, 0b11111),
    start=st.integers(0, 200),
    length=st.integers(1, 40),
    weeks=st.integers(1, 0b11),
    room=st.one_of(st.none(), st.integers(1, 3)),
)
SYMMETRIC = [k for k in rules.PAIRWISE if k != "Precedence"]


@settings(max_examples=200, deadline=None)
@given(a=slots, b=slots, kind=st.sampled_from(SYMMETRIC), gap=st.integers(0, 30))
def test_pairwise_rules_do_not_depend_on_the_order_of_the_pair(a, b, kind, gap):
    travel = lambda x, y: 0 if x == y else 5  # noqa: E731
    rule = rules.PAIRWISE[kind]
    assert rule(a, b, (gap,), travel) == rule(b, a, (gap,), travel)


@settings(max_examples=200, deadline=None)
@given(a=slots, b=slots)
def test_overlap_and_not_overlap_are_exact_opposites(a, b):
    none = lambda x, y: 0  # noqa: E731
    assert rules.overlap(a, b, (), none) != rules.not_overlap(a, b, (), none)
    assert rules.same_attendees(a, b, (), none) == rules.not_overlap(a, b, (), none)
    if rules.same_time(a, b, (), none) and a.days & b.days and a.weeks & b.weeks:
        assert rules.overlap(a, b, (), none)


@settings(max_examples=200, deadline=None)
@given(a=slots, b=slots)
def test_precedence_is_a_strict_order_on_a_pair(a, b):
    none = lambda x, y: 0  # noqa: E731
    assert not (rules.precedence(a, b, (), none) and rules.precedence(b, a, (), none))


@settings(max_examples=150, deadline=None)
@given(day=st.lists(slots, min_size=1, max_size=6), gap=st.integers(0, 30))
def test_blocks_cover_every_class_once_and_are_apart_by_more_than_the_gap(day, gap):
    blocks = rules.merge_blocks(day, gap)
    assert sum(count for _, _, count in blocks) == len(day)
    for (_, end, _), (start, _, _) in pairwise(blocks):
        assert start > end + gap
    for slot in day:
        assert any(start <= slot.start and slot.end <= end for start, end, _ in blocks)


@settings(max_examples=100, deadline=None)
@given(
    chosen=st.lists(
        st.tuples(
            st.integers(1, 0b11111), st.integers(0, 200), st.integers(1, 30), st.integers(0, 4)
        ),
        min_size=1,
        max_size=5,
    ),
    limit=st.integers(0, 60),
)
def test_the_checker_sums_time_penalties_and_never_finds_a_conflict_without_a_room(chosen, limit):
    times = [Time(days, start, length, 0b11, penalty) for days, start, length, penalty in chosen]
    instance = problem(
        [[time] for time in times],
        distributions=[soft("MaxDayLoad", list(range(1, len(times) + 1)), 2, (limit,))],
    )
    report = check(instance, solution(times))
    assert report.feasible
    assert report.time == sum(time.penalty for time in times)
    excess = rules.max_day_load_excess([_slot(time) for time in times], limit, 5, 2)
    assert report.distribution == 2 * excess // 2


def test_a_placement_of_a_class_outside_the_problem_is_reported():
    instance = problem([[t(M, 96, 12)]])
    plan = solution([t(M, 96, 12)])
    plan.placements[99] = Placement(days=1, start=96, weeks=1, room=None)
    assert "class 99 is not in the problem" in check(instance, plan).hard
