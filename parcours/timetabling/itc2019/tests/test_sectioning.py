"""Student sectioning: clashes avoided before timetabling, conflicts lowered after it."""

from __future__ import annotations

from parcours.timetabling.itc2019 import sectioning

from .builders import problem, t, with_students

M, T = "10000", "01000"


def _two_sections_and_a_lecture():
    # Course 1: classes 1 and 2 are two sections of one subpart; course 2: class 3 alone.
    instance = problem([[t(M, 96, 12)], [t(T, 96, 12)], [t(M, 100, 12)]], limits=[1, 1, 5])
    instance.courses = {1: {1: {1: [1, 2]}}, 2: {1: {2: [3]}}}
    instance.classes[2].course = 1
    instance.classes[3].course, instance.classes[3].subpart = 2, 2
    return with_students(instance, {1: [2, 1], 2: [1]})


def test_initial_sectioning_avoids_sections_that_always_clash_and_respects_limits():
    instance = _two_sections_and_a_lecture()
    instance.classes[1].limit, instance.classes[2].limit = 2, 3  # section 1 is the best fit
    clashes = {(1, 3), (3, 1)}
    assert sorted(sectioning.initial(instance)[1]) == [1, 3]  # blind: the best fit
    enrolments = sectioning.initial(instance, lambda a, b: (a, b) in clashes)
    assert sorted(enrolments[1]) == [2, 3]  # section 1 clashes with the lecture
    assert enrolments[2] == [1]


def test_improve_moves_a_student_to_a_section_without_conflict_when_a_seat_is_free():
    instance = _two_sections_and_a_lecture()
    instance.classes[1].limit = instance.classes[2].limit = 2
    enrolments = {1: [1, 3], 2: [1]}
    conflicts = {(1, 3), (3, 1)}
    better = sectioning.improve(instance, enrolments, lambda a, b: (a, b) in conflicts)
    assert sorted(better[1]) == [2, 3]
    assert better[2] == [1]
