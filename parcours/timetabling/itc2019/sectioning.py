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
from dataclasses import dataclass
from typing import Any

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


def conflicts(enrolments: dict[int, list[int]], conflict: Callable[[int, int], bool]) -> int:
    """Student conflicts of a sectioning: pairs of one student's classes that conflict."""
    return sum(
        1
        for classes in enrolments.values()
        for i, a in enumerate(classes)
        for b in classes[i + 1 :]
        if conflict(a, b)
    )


def _cost(enrolment: Enrolment, others: list[int], conflict: Callable[[int, int], bool]) -> int:
    return sum(1 for a in enrolment for b in others if conflict(a, b)) + sum(
        1 for i, a in enumerate(enrolment) for b in enrolment[i + 1 :] if conflict(a, b)
    )


def _best_for(
    problem: Problem,
    courses: list[int],
    options: dict[int, list[Enrolment]],
    seats: dict[int, int],
    conflict: Callable[[int, int], bool],
    bound: int,
) -> tuple[int, list[Enrolment]] | None:
    """The student's enrolments in all ``courses`` with the fewest conflicts, exactly.

    Branch and bound over the courses (fewest options first), the cheapest option first;
    only enrolments with a seat in every class; ``None`` when none beats ``bound``.
    """
    order = sorted(courses, key=lambda c: len(options[c]))
    best: list[tuple[int, list[Enrolment]] | None] = [None]
    limit = [bound]

    def walk(index: int, chosen: list[Enrolment], flat: list[int], cost: int) -> None:
        if cost >= limit[0]:
            return
        if index == len(order):
            best[0], limit[0] = (cost, list(chosen)), cost
            return
        ranked = sorted(
            (
                (_cost(e, flat, conflict), e)
                for e in options[order[index]]
                if all(seats[c] > 0 for c in e)
            ),
            key=lambda pair: pair[0],
        )
        for extra, enrolment in ranked:
            if cost + extra >= limit[0]:
                break
            chosen.append(enrolment)
            walk(index + 1, chosen, [*flat, *enrolment], cost + extra)
            chosen.pop()

    walk(0, [], [], 0)
    return best[0]


def local_search(
    problem: Problem,
    enrolments: dict[int, list[int]],
    conflict: Callable[[int, int], bool],
    seconds: float = 10.0,
) -> dict[int, list[int]]:
    """Lower the conflicts against a fixed timetable: exact moves per student, then swaps.

    1. Each student with a conflict is re-sectioned exactly (every course together, branch
       and bound over the valid enrolments with a free seat), when that lowers their count.
    2. Swaps: when the enrolment that would lower a student's conflicts needs a seat in a full
       class, a student of that class is moved to another enrolment of the same course (their
       own best without that class); the exchange is made when the two changes together lower
       the total.
    Repeated until a pass changes nothing or the time is up. Never raises the total.
    """
    deadline = time.monotonic() + seconds
    free = dict.fromkeys(problem.classes, 1 << 30)
    options = {c: list(_combinations(problem, c, free, limit=500)) for c in problem.courses}
    result = {s: list(c) for s, c in enrolments.items()}
    seats = {class_id: klass.limit for class_id, klass in problem.classes.items()}
    members: dict[int, set[int]] = {c: set() for c in problem.classes}
    for student_id, classes in result.items():
        for class_id in classes:
            seats[class_id] -= 1
            members[class_id].add(student_id)

    def courses_of(student_id: int) -> list[int]:
        return [c for c in problem.students[student_id].courses if options.get(c)]

    def split(student_id: int, course_id: int) -> tuple[Enrolment, list[int]]:
        classes = result[student_id]
        mine = tuple(c for c in classes if problem.classes[c].course == course_id)
        return mine, [c for c in classes if problem.classes[c].course != course_id]

    def assign(student_id: int, classes: list[int]) -> None:
        for class_id in result[student_id]:
            seats[class_id] += 1
            members[class_id].discard(student_id)
        result[student_id] = classes
        for class_id in classes:
            seats[class_id] -= 1
            members[class_id].add(student_id)

    def own(student_id: int) -> int:
        classes = result[student_id]
        return sum(1 for i, a in enumerate(classes) for b in classes[i + 1 :] if conflict(a, b))

    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for student_id in list(result):
            if time.monotonic() > deadline:
                break
            current = own(student_id)
            if current == 0:
                continue
            courses = courses_of(student_id)
            if len(courses) != len({problem.classes[c].course for c in result[student_id]}):
                continue  # a course without classes: leave them as they are
            for class_id in result[student_id]:
                seats[class_id] += 1
            found = _best_for(problem, courses, options, seats, conflict, current)
            for class_id in result[student_id]:
                seats[class_id] -= 1
            if found is not None:
                assign(student_id, [c for e in found[1] for c in e])
                improved = True
                continue
            # Swaps, course by course: a better enrolment blocked by full classes.
            for course_id in courses:
                mine, others = split(student_id, course_id)
                base = _cost(mine, others, conflict)
                if base == 0:
                    continue
                for wanted in options[course_id]:
                    gain = base - _cost(wanted, others, conflict)
                    full = [c for c in wanted if c not in mine and seats[c] <= 0]
                    if gain <= 0 or len(full) != 1:
                        continue
                    if _swap(
                        problem,
                        student_id,
                        course_id,
                        mine,
                        wanted,
                        full[0],
                        gain,
                        options,
                        seats,
                        members,
                        split,
                        conflict,
                        assign,
                    ):
                        improved = True
                        break
                else:
                    continue
                break
    return result


def _swap(
    problem: Problem,
    student_id: int,
    course_id: int,
    mine: Enrolment,
    wanted: Enrolment,
    full: int,
    gain: int,
    options: dict[int, list[Enrolment]],
    seats: dict[int, int],
    members: dict[int, set[int]],
    split: Callable[[int, int], tuple[Enrolment, list[int]]],
    conflict: Callable[[int, int], bool],
    assign: Callable[[int, list[int]], None],
) -> bool:
    """Move one student out of ``full`` so that ``student_id`` takes ``wanted``, if it pays."""
    for other in sorted(members[full]):
        theirs, rest = split(other, course_id)
        before = _cost(theirs, rest, conflict)
        # Their seats and the first student's (about to be freed) are available to them.
        for c in theirs:
            seats[c] += 1
        for c in mine:
            seats[c] += 1
        for c in wanted:
            seats[c] -= 1
        choice = None
        for option in options[course_id]:
            if full in option or not all(seats[c] > 0 for c in option):
                continue
            loss = _cost(option, rest, conflict) - before
            if loss < gain and (choice is None or loss < choice[0]):
                choice = (loss, option)
        for c in theirs:
            seats[c] -= 1
        for c in mine:
            seats[c] -= 1
        for c in wanted:
            seats[c] += 1
        if choice is None:
            continue
        assign(other, [*rest, *choice[1]])
        _, own_rest = split(student_id, course_id)
        assign(student_id, [*own_rest, *wanted])
        return True
    return False


def optimal(
    problem: Problem,
    conflict: Callable[[int, int], bool],
    hint: dict[int, list[int]],
    seconds: float = 20.0,
    workers: int = 2,
    max_terms: int = 400_000,
) -> dict[int, list[int]] | None:
    """Every student sectioned at once with CP-SAT against a fixed timetable (class limits as
    constraints, conflicts as the objective), hinted by ``hint``; ``None`` when the model
    would be too large (more than ``max_terms`` conflicting pairs) or nothing was found.

    One literal per student, course and valid enrolment; one per pair of a student's
    enrolments in two courses that conflict (weighted by their conflicting pairs of classes).
    """
    from ortools.sat.python import cp_model

    started = time.monotonic()
    free = dict.fromkeys(problem.classes, 1 << 30)
    options = {c: list(_combinations(problem, c, free, limit=500)) for c in problem.courses}
    current: dict[tuple[int, int], Enrolment] = {}
    for student_id, classes in hint.items():
        for course_id in problem.students[student_id].courses:
            mine = tuple(c for c in classes if problem.classes[c].course == course_id)
            current[student_id, course_id] = mine
            if mine and mine not in options[course_id]:
                options[course_id].append(mine)
    inner = {c: [_cost(e, [], conflict) for e in members] for c, members in options.items()}
    cross: dict[tuple[int, int], list[tuple[int, int, int]]] = {}

    def pairs(a: int, b: int) -> list[tuple[int, int, int]]:
        if (a, b) not in cross:
            cross[a, b] = [
                (i, j, cost)
                for i, ea in enumerate(options[a])
                for j, eb in enumerate(options[b])
                if (cost := sum(1 for x in ea for y in eb if conflict(x, y)))
            ]
        return cross[a, b]

    terms = 0
    plan: list[tuple[int, list[int]]] = []
    for student in problem.students.values():
        courses = sorted(c for c in set(student.courses) if options.get(c))
        plan.append((student.id, courses))
        for i, a in enumerate(courses):
            for b in courses[i + 1 :]:
                terms += len(pairs(a, b))
        if terms > max_terms or time.monotonic() - started > seconds / 2:
            return None
    model = cp_model.CpModel()
    objective: list[Any] = []
    chosen: dict[tuple[int, int], list[Any]] = {}
    takers: dict[int, list[Any]] = {}
    for student_id, courses in plan:
        for course_id in courses:
            literals = [model.new_bool_var("e") for _ in options[course_id]]
            model.add_exactly_one(literals)
            chosen[student_id, course_id] = literals
            was = current.get((student_id, course_id))
            for index, (literal, enrolment) in enumerate(
                zip(literals, options[course_id], strict=True)
            ):
                model.add_hint(literal, enrolment == was)
                if inner[course_id][index]:
                    objective.append(inner[course_id][index] * literal)
                for class_id in enrolment:
                    takers.setdefault(class_id, []).append(literal)
        for i, a in enumerate(courses):
            for b in courses[i + 1 :]:
                for k, m, cost in pairs(a, b):
                    both = model.new_bool_var("both")
                    first, second = chosen[student_id, a][k], chosen[student_id, b][m]
                    model.add_bool_or([first.Not(), second.Not(), both])
                    objective.append(cost * both)
    for class_id, literals in takers.items():
        model.add(sum(literals) <= problem.classes[class_id].limit)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, seconds - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    result: dict[int, list[int]] = {s: [] for s in problem.students}
    for (student_id, course_id), literals in chosen.items():
        for literal, enrolment in zip(literals, options[course_id], strict=True):
            if solver.boolean_value(literal):
                result[student_id].extend(enrolment)
    return result


def all_options(problem: Problem, limit: int = 500) -> dict[int, list[Enrolment]]:
    """Course id → its valid enrolments (parents respected, seats ignored), at most ``limit``;
    each enrolment's class ids sorted."""
    free = dict.fromkeys(problem.classes, 1 << 30)
    return {
        c: [tuple(sorted(e)) for e in _combinations(problem, c, free, limit=limit)]
        for c in problem.courses
    }


@dataclass(frozen=True, slots=True)
class Track:
    """Students with the same courses who attend the same classes: sectioned as one.

    ``chosen``: course id → the track's enrolment in it (empty when nothing fitted).
    """

    size: int
    students: tuple[int, ...]
    chosen: tuple[tuple[int, Enrolment], ...]


def tracks(
    problem: Problem, enrolments: dict[int, list[int]], largest: int | None = None
) -> list[Track]:
    """The students grouped into tracks by their courses and current classes (tracks of at
    most ``largest`` students when given)."""
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for student_id, student in problem.students.items():
        classes = tuple(sorted(enrolments.get(student_id, ())))
        groups.setdefault((tuple(sorted(set(student.courses))), classes), []).append(student_id)
    result = []
    for (courses, classes), members in sorted(groups.items()):
        chosen = tuple(
            (course_id, tuple(c for c in classes if problem.classes[c].course == course_id))
            for course_id in courses
        )
        step = largest or len(members)
        for first in range(0, len(members), step):
            part = tuple(members[first : first + step])
            result.append(Track(len(part), part, chosen))
    return result
