"""Student sectioning: which class of each subpart each student attends.

Two greedy steps around the CP-SAT timetabling (the model does not section students itself):

1. ``initial``, before timetabling: students with the same courses are taken one after the
   other; each takes, per course, the enrolment with the fewest classes too close whatever
   their times and rooms (overlapping, or apart by less than the shortest travel between
   their rooms) to their other classes, then the fullest one with a seat (best fit), so
   that cohorts share classes and the model sees few, heavy "these two classes share n
   students" pairs. (Balanced seats instead halved the unavoidable clashes on muni-fsps-spr17
   but doubled the pairs on yach-fal17, whose model then found no timetable in 120 s.)
2. ``improve``, once times and rooms are fixed: each student's enrolment in each course is
   re-chosen, one course at a time, as the combination (configuration, one class per subpart,
   parents respected, seats left) with the fewest conflicts with their other classes. A few
   passes, each never worse for the total.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from .model import Problem

Enrolment = tuple[int, ...]  # class ids, one per subpart of one configuration


def _combinations(
    problem: Problem, course_id: int, seats: dict[int, int], limit: int = 4000
) -> Iterator[Enrolment]:
    """Valid enrolments in a course (parents attended, a seat in every class)."""
    produced = 0
    for subparts in problem.courses[course_id].values():
        # Parents first: a subpart whose classes have parents in another subpart comes after it.
        order = sorted(subparts, key=lambda s: _depth(problem, subparts[s][0]))
        for enrolment in _walk(problem, [subparts[s] for s in order], seats, []):
            yield enrolment
            produced += 1
            if produced >= limit:
                return


def _walk(
    problem: Problem, levels: list[list[int]], seats: dict[int, int], chosen: list[int]
) -> Iterator[Enrolment]:
    if len(chosen) == len(levels):
        yield tuple(chosen)
        return
    for class_id in levels[len(chosen)]:
        if seats[class_id] <= 0:
            continue
        parent = problem.classes[class_id].parent
        if parent is not None and parent not in chosen:
            continue
        chosen.append(class_id)
        yield from _walk(problem, levels, seats, chosen)
        chosen.pop()


def _depth(problem: Problem, class_id: int) -> int:
    depth = 0
    parent = problem.classes[class_id].parent
    while parent is not None:
        depth += 1
        parent = problem.classes[parent].parent
    return depth


def initial(
    problem: Problem, clash: Callable[[int, int], bool] | None = None
) -> dict[int, list[int]]:
    """Student id → classes; no class for a course where nothing fits.

    ``clash(a, b)``: a and b conflict whatever their times and rooms; enrolments with fewer
    such pairs (with the student's other classes) come first, the fewest seats left breaks
    ties.
    """
    seats = {class_id: klass.limit for class_id, klass in problem.classes.items()}
    result: dict[int, list[int]] = {}
    students = sorted(problem.students.values(), key=lambda s: (sorted(s.courses), s.id))
    for student in students:
        classes: list[int] = []
        for course_id in student.courses:
            best: Enrolment | None = None
            best_key: tuple[int, int] | None = None
            for enrolment in _combinations(problem, course_id, seats, limit=200):
                clashes = (
                    sum(1 for a in enrolment for b in classes if clash(a, b))
                    + sum(
                        1
                        for i, a in enumerate(enrolment)
                        for b in enrolment[i + 1 :]
                        if clash(a, b)
                    )
                    if clash is not None
                    else 0
                )
                key = (clashes, sum(seats[c] for c in enrolment))
                if best_key is None or key < best_key:
                    best, best_key = enrolment, key
            if best is None:
                continue
            for class_id in best:
                seats[class_id] -= 1
            classes.extend(best)
        result[student.id] = classes
    return result


def improve(
    problem: Problem,
    enrolments: dict[int, list[int]],
    conflict: Callable[[int, int], bool],
    passes: int = 3,
    seconds: float = 10.0,
) -> dict[int, list[int]]:
    """Re-choose each student's classes, course by course, to lower their conflicts.

    Stops after ``passes`` passes or ``seconds`` (checked between students), whichever first.
    """
    deadline = time.monotonic() + seconds
    seats = {class_id: klass.limit for class_id, klass in problem.classes.items()}
    for classes in enrolments.values():
        for class_id in classes:
            seats[class_id] -= 1
    for _ in range(passes):
        changed = False
        for student_id, classes in enrolments.items():
            if time.monotonic() > deadline:
                return enrolments
            for course_id in problem.students[student_id].courses:
                current = tuple(c for c in classes if problem.classes[c].course == course_id)
                others = [c for c in classes if problem.classes[c].course != course_id]

                def cost(enrolment: Enrolment, others: list[int] = others) -> int:
                    return sum(1 for a in enrolment for b in others if conflict(a, b)) + sum(
                        1
                        for i, a in enumerate(enrolment)
                        for b in enrolment[i + 1 :]
                        if conflict(a, b)
                    )

                best, best_cost = current, cost(current)
                if best_cost == 0:
                    continue
                for class_id in current:
                    seats[class_id] += 1
                for enrolment in _combinations(problem, course_id, seats):
                    value = cost(enrolment)
                    if value < best_cost:
                        best, best_cost = enrolment, value
                        if value == 0:
                            break
                for class_id in best:
                    seats[class_id] -= 1
                if best != current:
                    changed = True
                    classes[:] = [*others, *best]
        if not changed:
            break
    return enrolments
