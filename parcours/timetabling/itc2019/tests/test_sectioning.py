"""Student sectioning: clashes avoided before timetabling, conflicts lowered after it."""

from __future__ import annotations

from collections import Counter
from itertools import product

from hypothesis import assume, given, settings
from hypothesis import strategies as st

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


def _two_courses_two_sections(limit: int = 2):
    # Course 1: sections 1 and 2; course 2: sections 3 and 4 (one subpart each).
    instance = problem([[t(M, 96, 12)]] * 4, limits=[limit] * 4)
    instance.courses = {1: {1: {1: [1, 2]}}, 2: {1: {2: [3, 4]}}}
    for class_id, course in ((1, 1), (2, 1), (3, 2), (4, 2)):
        instance.classes[class_id].course = course
        instance.classes[class_id].subpart = course
    return instance


def test_local_search_moves_both_courses_at_once_when_one_at_a_time_cannot_help():
    instance = with_students(_two_courses_two_sections(), {1: [1, 2]})
    # Only sections 2 and 4 go together: changing one course alone keeps a conflict.
    ok = {(2, 4), (4, 2)}

    def conflict(a: int, b: int) -> bool:
        return (a, b) not in ok and instance.classes[a].course != instance.classes[b].course

    enrolments = {1: [1, 3]}
    assert sectioning.improve(instance, {1: [1, 3]}, conflict) == {1: [1, 3]}  # stuck
    better = sectioning.local_search(instance, enrolments, conflict)
    assert sorted(better[1]) == [2, 4]
    assert sectioning.conflicts(better, conflict) == 0


def test_local_search_swaps_two_students_when_the_better_section_is_full():
    instance = _two_sections_and_a_lecture()
    instance.students[2].courses = [1]
    instance.classes[1].limit = instance.classes[2].limit = 1  # both sections full
    conflicts = {(1, 3), (3, 1)}
    enrolments = {1: [1, 3], 2: [2]}
    assert sectioning.improve(instance, dict(enrolments), lambda a, b: (a, b) in conflicts)[1] == [
        1,
        3,
    ]  # no free seat: one student at a time cannot move
    better = sectioning.local_search(instance, enrolments, lambda a, b: (a, b) in conflicts)
    assert sorted(better[1]) == [2, 3]
    assert better[2] == [1]  # the other student took the freed seat
    assert sectioning.conflicts(better, lambda a, b: (a, b) in conflicts) == 0


@settings(max_examples=40, deadline=None)
@given(
    st.sets(st.tuples(st.integers(1, 4), st.integers(1, 4))),
    st.lists(st.integers(1, 3), min_size=4, max_size=4),
    st.lists(st.sampled_from([(1,), (2,), (1, 2)]), min_size=1, max_size=3),
)
def test_every_student_at_once_is_optimal_within_the_class_limits(
    pairs: set[tuple[int, int]], limits: list[int], wishes: list[tuple[int, ...]]
) -> None:
    instance = _two_courses_two_sections()
    for class_id, limit in zip((1, 2, 3, 4), limits, strict=True):
        instance.classes[class_id].limit = limit
    n = len(wishes)
    assume(limits[0] + limits[1] >= sum(1 in w for w in wishes))
    assume(limits[2] + limits[3] >= sum(2 in w for w in wishes))
    instance = with_students(instance, {s + 1: list(w) for s, w in enumerate(wishes)})

    def conflict(a: int, b: int) -> bool:
        return (a, b) in pairs or (b, a) in pairs

    sections = {1: [1, 2], 2: [3, 4]}
    best = None
    for choice in product(*[product(*[sections[c] for c in w]) for w in wishes]):
        used = Counter(c for classes in choice for c in classes)
        if any(used[c] > instance.classes[c].limit for c in used):
            continue
        cost = sectioning.conflicts({s: list(c) for s, c in enumerate(choice)}, conflict)
        best = cost if best is None else min(best, cost)
    assert best is not None
    start = sectioning.initial(instance)
    exact = sectioning.optimal(instance, conflict, start, seconds=5, workers=1)
    assert exact is not None
    assert sectioning.conflicts(exact, conflict) == best
    used = Counter(c for classes in exact.values() for c in classes)
    assert all(used[c] <= instance.classes[c].limit for c in used)
    for s, wish in enumerate(wishes):
        assert sorted(instance.classes[c].course for c in exact[s + 1]) == sorted(wish)
    assert n == len(exact)
    local = sectioning.local_search(instance, start, conflict)
    assert best <= sectioning.conflicts(local, conflict) <= sectioning.conflicts(start, conflict)
