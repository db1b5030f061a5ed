"""Reading ITC 2019 problems and solutions, writing solutions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.timetabling.itc2019.model import Placement, Solution, bit_string, bits, first_bit
from parcours.timetabling.itc2019.xml import (
    FormatError,
    read_problem,
    read_solution,
    write_solution,
)

TINY = Path(__file__).parent / "data" / "tiny.xml"


def test_the_tiny_problem_is_read_whole():
    problem = read_problem(TINY)
    assert (problem.name, problem.nr_days, problem.nr_weeks, problem.slots_per_day) == (
        "tiny",
        5,
        2,
        288,
    )
    assert problem.weights == {"time": 2, "room": 1, "distribution": 5, "student": 10}
    assert problem.travel(1, 2) == problem.travel(2, 1) == 1
    assert problem.travel(1, 1) == problem.travel(None, 2) == 0
    (closed,) = problem.rooms[1].unavailable
    assert (closed.days, closed.start, closed.length, closed.weeks) == (0b1, 96, 24, 0b10)
    lab = problem.classes[2]
    assert (lab.parent, lab.limit, lab.rooms, lab.needs_room) == (1, 2, [(2, 0), (1, 3)], True)
    assert lab.times[1].days == bits("00100") and lab.times[1].penalty == 1
    assert problem.classes[4].needs_room is False
    assert problem.courses[1] == {1: {1: [1], 2: [2, 3]}}
    kinds = [(d.kind, d.params, d.required, d.penalty) for d in problem.distributions]
    assert kinds == [
        ("SameAttendees", (), True, 0),
        ("DifferentDays", (), False, 3),
        ("MaxDays", (2,), False, 1),
    ]
    assert problem.students[1].courses == [1, 2]


def test_a_solution_survives_writing_and_reading():
    problem = read_problem(TINY)
    solution = Solution(
        name="tiny",
        placements={
            1: Placement(bits("10100"), 96, bits("11"), 1, [1, 2]),
            4: Placement(bits("00010"), 150, bits("10"), None, [1]),
        },
        runtime=12.34,
    )
    text = write_solution(problem, solution)
    assert (
        'technique="CP-SAT (OR-Tools)"' in text and 'runtime="12.3"' in text and 'cores="2"' in text
    )
    assert '<class id="4" days="00010" start="150" weeks="10">' in text  # no room attribute
    again = read_solution(text.encode())
    assert again.placements == solution.placements
    assert again.runtime == pytest.approx(12.3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<solution/>", "root element must be <problem>"),
        ("<problem name='x' nrDays='5' slotsPerDay='288'/>", "nrWeeks"),
        ("<problem nrDays='5' slotsPerDay='288' nrWeeks='x'/>", "not an integer"),
        (
            '<!DOCTYPE p [<!ENTITY a "aaaa">]><problem nrDays="1" slotsPerDay="1" nrWeeks="1"/>',
            "entity",
        ),
        ("<problem", "not well-formed"),
        (
            "<problem nrDays='1' slotsPerDay='1' nrWeeks='1'><distributions>"
            "<distribution type='SameStart' required='true'><class id='9'/></distribution>"
            "</distributions></problem>",
            "unknown class 9",
        ),
        (
            "<problem nrDays='1' slotsPerDay='1' nrWeeks='1'><distributions>"
            "<distribution type='Max Days' required='true'/></distributions></problem>",
            "unknown distribution type",
        ),
    ],
)
def test_malformed_problems_are_refused_with_a_reason(text, message):
    with pytest.raises(FormatError, match=message):
        read_problem(text.encode())


def test_a_class_placed_twice_is_refused():
    one = '<class id="1" days="1" start="1" weeks="1"/>'
    twice = f"<solution>{one}{one}</solution>"
    with pytest.raises(FormatError, match="placed twice"):
        read_solution(twice.encode())


@given(st.text(alphabet="01", min_size=1, max_size=20))
def test_bit_strings_round_trip(text):
    value = bits(text)
    assert bit_string(value, len(text)) == text
    assert first_bit(value) == text.find("1")
