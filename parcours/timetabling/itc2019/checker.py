"""The independent checker: hard violations and the four cost components of a solution.

Written from the competition's rules, without sharing code with the solver (only the data
model and the distribution rules of ``rules.py``), so that it can prove the solver's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from . import rules
from .model import Problem, Solution, Time
from .rules import Slot


@dataclass(slots=True)
class Report:
    hard: list[str] = field(default_factory=list)
    time: int = 0
    room: int = 0
    distribution: int = 0
    student: int = 0
    weights: dict[str, int] = field(default_factory=dict)
    # label of each soft distribution → (violation, cost), for explanations
    distribution_costs: list[tuple[str, list[int], int, int]] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.hard

    @property
    def total(self) -> int:
        return (
            self.weights.get("time", 0) * self.time
            + self.weights.get("room", 0) * self.room
            + self.weights.get("distribution", 0) * self.distribution
            + self.weights.get("student", 0) * self.student
        )

    def summary(self) -> str:
        lines = [f"hard violations: {len(self.hard)}"]
        lines += [f"  {message}" for message in self.hard[:50]]
        if len(self.hard) > 50:
            lines.append(f"  … and {len(self.hard) - 50} more")
        w = self.weights
        lines += [
            f"time penalty:         {self.time} x {w.get('time', 0)}",
            f"room penalty:         {self.room} x {w.get('room', 0)}",
            f"distribution penalty: {self.distribution} x {w.get('distribution', 0)}",
            f"student conflicts:    {self.student} x {w.get('student', 0)}",
            f"total:                {self.total}",
        ]
        return "\n".join(lines)


def _time_of(problem: Problem, class_id: int, days: int, start: int, weeks: int) -> Time | None:
    for time in problem.classes[class_id].times:
        if time.days == days and time.start == start and time.weeks == weeks:
            return time
    return None


def student_conflict(problem: Problem, a: Slot, b: Slot) -> bool:
    """A student cannot attend both: they overlap, or the gap is shorter than the travel."""
    return not rules.same_attendees(a, b, (), problem.travel)


def check(problem: Problem, solution: Solution) -> Report:
    report = Report(weights=dict(problem.weights))
    hard = report.hard
    slots: dict[int, Slot] = {}

    for class_id in solution.placements:
        if class_id not in problem.classes:
            hard.append(f"class {class_id} is not in the problem")
    for class_id, klass in problem.classes.items():
        placement = solution.placements.get(class_id)
        if placement is None:
            hard.append(f"class {class_id} is not placed")
            continue
        time = _time_of(problem, class_id, placement.days, placement.start, placement.weeks)
        if time is None:
            hard.append(f"class {class_id}: its time is not one of its options")
            continue
        report.time += time.penalty
        room = placement.room
        if klass.needs_room:
            penalties = klass.room_penalty
            if room is None:
                hard.append(f"class {class_id} has no room")
            elif room not in penalties:
                hard.append(f"class {class_id}: room {room} is not one of its options")
                room = None
            else:
                report.room += penalties[room]
                for gone in problem.rooms[room].unavailable:
                    if time.overlaps(gone):
                        hard.append(f"class {class_id}: room {room} is unavailable at that time")
                        break
        elif room is not None:
            hard.append(f"class {class_id} takes no room but was given room {room}")
            room = None
        slots[class_id] = Slot(time.days, time.start, time.length, time.weeks, room)

    # Room conflicts.
    by_room: dict[int, list[int]] = {}
    for class_id, slot in slots.items():
        if slot.room is not None:
            by_room.setdefault(slot.room, []).append(class_id)
    for room_id, members in by_room.items():
        for a, b in combinations(members, 2):
            if rules.overlap(slots[a], slots[b], (), problem.travel):
                hard.append(f"room {room_id}: classes {a} and {b} overlap")

    # Distributions.
    for distribution in problem.distributions:
        placed = [slots[c] for c in distribution.classes if c in slots]
        violation = rules.evaluate(
            distribution.kind,
            distribution.params,
            placed,
            problem.nr_days,
            problem.nr_weeks,
            problem.travel,
        )
        if not violation:
            continue
        if distribution.required:
            hard.append(
                f"required {distribution.label} on classes {distribution.classes}"
                f" broken ({violation})"
            )
        else:
            cost = rules.penalty(
                distribution.kind, distribution.penalty, violation, problem.nr_weeks
            )
            report.distribution += cost
            report.distribution_costs.append(
                (distribution.label, distribution.classes, violation, cost)
            )

    _check_students(problem, solution, slots, report)
    return report


def _check_students(
    problem: Problem, solution: Solution, slots: dict[int, Slot], report: Report
) -> None:
    hard = report.hard
    attended: dict[int, list[int]] = {student_id: [] for student_id in problem.students}
    for class_id, placement in solution.placements.items():
        if class_id not in problem.classes:
            continue
        klass = problem.classes[class_id]
        if len(placement.students) > klass.limit:
            hard.append(
                f"class {class_id}: {len(placement.students)} students over its limit {klass.limit}"
            )
        if len(set(placement.students)) != len(placement.students):
            hard.append(f"class {class_id}: a student is listed twice")
        for student_id in set(placement.students):
            if student_id not in attended:
                hard.append(f"class {class_id}: unknown student {student_id}")
                continue
            attended[student_id].append(class_id)

    for student_id, class_ids in attended.items():
        student = problem.students[student_id]
        chosen = set(class_ids)
        wanted = set(student.courses)
        for class_id in class_ids:
            klass = problem.classes[class_id]
            if klass.course not in wanted:
                hard.append(
                    f"student {student_id} attends class {class_id}"
                    " of a course they did not ask for"
                )
            if klass.parent is not None and klass.parent not in chosen:
                hard.append(
                    f"student {student_id} attends class {class_id}"
                    f" but not its parent {klass.parent}"
                )
        for course_id in wanted:
            configs = problem.courses.get(course_id, {})
            taken = {
                problem.classes[c].config
                for c in class_ids
                if problem.classes[c].course == course_id
            }
            if len(taken) != 1:
                hard.append(
                    f"student {student_id}: course {course_id} needs exactly one configuration"
                )
                continue
            (config_id,) = taken
            for subpart_id, members in configs[config_id].items():
                count = len(chosen.intersection(members))
                if count != 1:
                    hard.append(
                        f"student {student_id}: course {course_id} subpart {subpart_id}"
                        f" has {count} classes"
                    )
        placed = sorted(c for c in chosen if c in slots)
        for a, b in combinations(placed, 2):
            if student_conflict(problem, slots[a], slots[b]):
                report.student += 1
