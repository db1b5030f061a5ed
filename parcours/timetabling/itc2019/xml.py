"""Read ITC 2019 problems and solutions, write solutions, in the competition's XML format.

The reader refuses DTD entities (an instance never needs them): the files come from outside.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .model import (
    Class,
    Distribution,
    Placement,
    Problem,
    Room,
    Solution,
    Student,
    Time,
    bit_string,
    bits,
)


class FormatError(ValueError):
    """The file is not a well-formed ITC 2019 problem or solution."""


_KIND = re.compile(r"^([A-Za-z]+)(?:\(([0-9, ]*)\))?$")


def _parse(source: str | Path | bytes) -> ET.Element:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path) or not source.lstrip().startswith("<"):
        data = Path(source).read_bytes()
    else:
        data = source.encode()
    if b"<!ENTITY" in data:
        raise FormatError("entity declarations are not accepted")
    try:
        return ET.fromstring(data)  # noqa: S314 - no entities (checked above)
    except ET.ParseError as error:
        raise FormatError(f"not well-formed XML: {error}") from error


def _int(element: ET.Element, name: str, default: int | None = None) -> int:
    value = element.get(name)
    if value is None:
        if default is None:
            raise FormatError(f"<{element.tag}> lacks the attribute {name!r}")
        return default
    try:
        return int(value)
    except ValueError as error:
        raise FormatError(f"<{element.tag} {name}={value!r}> is not an integer") from error


def _time(element: ET.Element, with_penalty: bool = True) -> Time:
    days, weeks = element.get("days"), element.get("weeks")
    if days is None or weeks is None:
        raise FormatError(f"<{element.tag}> needs days and weeks")
    return Time(
        days=bits(days),
        start=_int(element, "start"),
        length=_int(element, "length"),
        weeks=bits(weeks),
        penalty=_int(element, "penalty", 0) if with_penalty else 0,
    )


def parse_kind(text: str) -> tuple[str, tuple[int, ...]]:
    match = _KIND.match(text.strip())
    if not match:
        raise FormatError(f"unknown distribution type {text!r}")
    params = tuple(int(p) for p in match.group(2).split(",") if p.strip()) if match.group(2) else ()
    return match.group(1), params


def read_problem(source: str | Path | bytes) -> Problem:
    root = _parse(source)
    if root.tag != "problem":
        raise FormatError("the root element must be <problem>")
    nr_days = _int(root, "nrDays")
    nr_weeks = _int(root, "nrWeeks")
    weights = {"time": 0, "room": 0, "distribution": 0, "student": 0}
    optimization = root.find("optimization")
    if optimization is not None:
        for key in weights:
            weights[key] = _int(optimization, key, 0)

    rooms: dict[int, Room] = {}
    for element in root.iterfind("rooms/room"):
        room = Room(id=_int(element, "id"), capacity=_int(element, "capacity", 0))
        for travel in element.iterfind("travel"):
            room.travel[_int(travel, "room")] = _int(travel, "value")
        room.unavailable = [_time(u, with_penalty=False) for u in element.iterfind("unavailable")]
        rooms[room.id] = room

    courses: dict[int, dict[int, dict[int, list[int]]]] = {}
    classes: dict[int, Class] = {}
    for course in root.iterfind("courses/course"):
        course_id = _int(course, "id")
        configs = courses.setdefault(course_id, {})
        for config in course.iterfind("config"):
            config_id = _int(config, "id")
            subparts = configs.setdefault(config_id, {})
            for subpart in config.iterfind("subpart"):
                subpart_id = _int(subpart, "id")
                members = subparts.setdefault(subpart_id, [])
                for element in subpart.iterfind("class"):
                    parent = element.get("parent")
                    klass = Class(
                        id=_int(element, "id"),
                        limit=_int(element, "limit", 0),
                        course=course_id,
                        config=config_id,
                        subpart=subpart_id,
                        parent=int(parent) if parent else None,
                        rooms=[
                            (_int(r, "id"), _int(r, "penalty", 0)) for r in element.iterfind("room")
                        ],
                        times=[_time(t) for t in element.iterfind("time")],
                    )
                    klass.needs_room = element.get("room", "true") != "false" and bool(klass.rooms)
                    if klass.id in classes:
                        raise FormatError(f"class {klass.id} is defined twice")
                    classes[klass.id] = klass
                    members.append(klass.id)

    distributions: list[Distribution] = []
    for element in root.iterfind("distributions/distribution"):
        kind, params = parse_kind(element.get("type", ""))
        required = element.get("required", "false") == "true"
        distributions.append(
            Distribution(
                kind=kind,
                params=params,
                required=required,
                penalty=0 if required else _int(element, "penalty", 0),
                classes=[_int(c, "id") for c in element.iterfind("class")],
            )
        )

    students: dict[int, Student] = {}
    for element in root.iterfind("students/student"):
        student = Student(
            id=_int(element, "id"), courses=[_int(c, "id") for c in element.iterfind("course")]
        )
        students[student.id] = student

    for klass in classes.values():
        if klass.parent is not None and klass.parent not in classes:
            raise FormatError(f"class {klass.id} has an unknown parent {klass.parent}")
        for room_id, _ in klass.rooms:
            if room_id not in rooms:
                raise FormatError(f"class {klass.id} refers to an unknown room {room_id}")
        if not klass.times:
            raise FormatError(f"class {klass.id} has no time")
    for distribution in distributions:
        for class_id in distribution.classes:
            if class_id not in classes:
                raise FormatError(
                    f"a {distribution.kind} constraint refers to an unknown class {class_id}"
                )
    return Problem(
        name=root.get("name", ""),
        nr_days=nr_days,
        slots_per_day=_int(root, "slotsPerDay"),
        nr_weeks=nr_weeks,
        weights=weights,
        rooms=rooms,
        courses=courses,
        classes=classes,
        distributions=distributions,
        students=students,
    )


def read_solution(source: str | Path | bytes) -> Solution:
    root = _parse(source)
    if root.tag != "solution":
        raise FormatError("the root element must be <solution>")
    placements: dict[int, Placement] = {}
    for element in root.iterfind("class"):
        days, weeks = element.get("days"), element.get("weeks")
        if days is None or weeks is None:
            raise FormatError(f"class {element.get('id')} lacks days or weeks")
        room = element.get("room")
        class_id = _int(element, "id")
        if class_id in placements:
            raise FormatError(f"class {class_id} is placed twice")
        placements[class_id] = Placement(
            days=bits(days),
            start=_int(element, "start"),
            weeks=bits(weeks),
            room=int(room) if room else None,
            students=[_int(s, "id") for s in element.iterfind("student")],
        )
    runtime = root.get("runtime", "0")
    try:
        runtime_value = float(runtime)
    except ValueError:
        runtime_value = 0.0
    return Solution(
        name=root.get("name", ""),
        placements=placements,
        runtime=runtime_value,
        cores=_int(root, "cores", 1),
        technique=root.get("technique", ""),
        author=root.get("author", ""),
        institution=root.get("institution", ""),
        country=root.get("country", ""),
    )


def write_solution(problem: Problem, solution: Solution) -> str:
    """The solution as the competition's XML (classes in the problem's order)."""
    root = ET.Element(
        "solution",
        {
            "name": solution.name or problem.name,
            "runtime": f"{solution.runtime:.1f}",
            "cores": str(solution.cores),
            "technique": solution.technique,
            "author": solution.author,
            "institution": solution.institution,
            "country": solution.country,
        },
    )
    for class_id in problem.classes:
        placement = solution.placements.get(class_id)
        if placement is None:
            continue
        attributes = {
            "id": str(class_id),
            "days": bit_string(placement.days, problem.nr_days),
            "start": str(placement.start),
            "weeks": bit_string(placement.weeks, problem.nr_weeks),
        }
        if placement.room is not None:
            attributes["room"] = str(placement.room)
        element = ET.SubElement(root, "class", attributes)
        for student_id in placement.students:
            ET.SubElement(element, "student", {"id": str(student_id)})
    ET.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE solution PUBLIC "-//ITC 2019//DTD Problem Format/EN" '
        '"http://www.itc2019.org/competition-format.dtd">\n'
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )
