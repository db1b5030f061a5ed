"""Small hand-made ITC 2019 problems, built in code for the tests."""

from __future__ import annotations

from parcours.timetabling.itc2019.model import (
    Class,
    Distribution,
    Placement,
    Problem,
    Room,
    Solution,
    Student,
    Time,
    bits,
)

NR_DAYS = 5
NR_WEEKS = 2
ALL_WEEKS = bits("11")


def t(days: str, start: int, length: int, weeks: str = "11", penalty: int = 0) -> Time:
    return Time(bits(days), start, length, bits(weeks), penalty)


def problem(
    times: list[list[Time]],
    *,
    rooms: list[list[tuple[int, int]]] | None = None,
    room_defs: list[Room] | None = None,
    distributions: list[Distribution] | None = None,
    limits: list[int] | None = None,
    weights: dict[str, int] | None = None,
) -> Problem:
    """One course per class (class i+1, course i+1, config 1, subpart 1) unless told otherwise."""
    classes: dict[int, Class] = {}
    courses: dict[int, dict[int, dict[int, list[int]]]] = {}
    for index, options in enumerate(times):
        class_id = index + 1
        class_rooms = rooms[index] if rooms else []
        classes[class_id] = Class(
            id=class_id,
            limit=limits[index] if limits else 10,
            course=class_id,
            config=1,
            subpart=1,
            rooms=class_rooms,
            times=options,
            needs_room=bool(class_rooms),
        )
        courses[class_id] = {1: {1: [class_id]}}
    defined = room_defs or []
    room_map = {room.id: room for room in defined}
    for class_rooms in rooms or []:
        for room_id, _ in class_rooms:
            room_map.setdefault(room_id, Room(id=room_id, capacity=50))
    return Problem(
        name="hand-made",
        nr_days=NR_DAYS,
        slots_per_day=288,
        nr_weeks=NR_WEEKS,
        weights=weights or {"time": 1, "room": 1, "distribution": 1, "student": 1},
        rooms=room_map,
        courses=courses,
        classes=classes,
        distributions=distributions or [],
        students={},
    )


def soft(
    kind: str, classes: list[int], penalty: int = 1, params: tuple[int, ...] = ()
) -> Distribution:
    return Distribution(kind=kind, params=params, required=False, penalty=penalty, classes=classes)


def hard(kind: str, classes: list[int], params: tuple[int, ...] = ()) -> Distribution:
    return Distribution(kind=kind, params=params, required=True, penalty=0, classes=classes)


def solution(
    chosen: list[Time],
    rooms: list[int | None] | None = None,
    students: list[list[int]] | None = None,
) -> Solution:
    placements = {
        index + 1: Placement(
            days=time.days,
            start=time.start,
            weeks=time.weeks,
            room=rooms[index] if rooms else None,
            students=students[index] if students else [],
        )
        for index, time in enumerate(chosen)
    }
    return Solution(name="hand-made", placements=placements)


def with_students(base: Problem, students: dict[int, list[int]]) -> Problem:
    base.students = {sid: Student(id=sid, courses=courses) for sid, courses in students.items()}
    return base
