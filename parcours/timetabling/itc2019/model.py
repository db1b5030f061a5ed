"""The ITC 2019 problem and solution, as plain data (no XML, no Django).

Days and weeks are bit masks: bit ``i`` is the ``i``-th character of the competition's strings
("1010100" → Monday, Wednesday, Friday = bits 0, 2, 4). Times are in slots of five minutes from
midnight; a class meets on ``[start, start + length)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def bits(text: str) -> int:
    """ "0110" → 0b0110 read left to right: bit i is character i."""
    value = 0
    for i, char in enumerate(text):
        if char == "1":
            value |= 1 << i
    return value


def bit_string(value: int, size: int) -> str:
    return "".join("1" if value >> i & 1 else "0" for i in range(size))


def first_bit(value: int) -> int:
    """Index of the first meeting day/week; -1 when none."""
    return (value & -value).bit_length() - 1


@dataclass(frozen=True, slots=True)
class Time:
    days: int
    start: int
    length: int
    weeks: int
    penalty: int = 0

    @property
    def end(self) -> int:
        return self.start + self.length

    def overlaps(self, other: Time) -> bool:
        return (
            self.start < other.end
            and other.start < self.end
            and bool(self.days & other.days)
            and bool(self.weeks & other.weeks)
        )


@dataclass(slots=True)
class Room:
    id: int
    capacity: int
    travel: dict[int, int] = field(default_factory=dict)
    unavailable: list[Time] = field(default_factory=list)


@dataclass(slots=True)
class Class:
    id: int
    limit: int
    course: int
    config: int
    subpart: int
    parent: int | None = None
    rooms: list[tuple[int, int]] = field(default_factory=list)  # (room id, penalty)
    times: list[Time] = field(default_factory=list)
    needs_room: bool = True

    @property
    def room_penalty(self) -> dict[int, int]:
        return dict(self.rooms)


@dataclass(slots=True)
class Distribution:
    kind: str  # "SameStart", "MaxDays", …
    params: tuple[int, ...]
    required: bool
    penalty: int
    classes: list[int]

    @property
    def label(self) -> str:
        if not self.params:
            return self.kind
        return f"{self.kind}({','.join(str(p) for p in self.params)})"


@dataclass(slots=True)
class Student:
    id: int
    courses: list[int]


@dataclass(slots=True)
class Problem:
    name: str
    nr_days: int
    slots_per_day: int
    nr_weeks: int
    weights: dict[str, int]  # time, room, distribution, student
    rooms: dict[int, Room]
    # course id → config id → subpart id → class ids
    courses: dict[int, dict[int, dict[int, list[int]]]]
    classes: dict[int, Class]
    distributions: list[Distribution]
    students: dict[int, Student]

    def travel(self, a: int | None, b: int | None) -> int:
        """Travel slots between two rooms (symmetric; 0 without a room or in the same room)."""
        if a is None or b is None or a == b:
            return 0
        return max(self.rooms[a].travel.get(b, 0), self.rooms[b].travel.get(a, 0))


@dataclass(slots=True)
class Placement:
    """One class in a solution: a time, maybe a room, its students."""

    days: int
    start: int
    weeks: int
    room: int | None
    students: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Solution:
    name: str
    placements: dict[int, Placement]
    runtime: float = 0.0
    cores: int = 2
    technique: str = "CP-SAT (OR-Tools)"
    author: str = "Parcours"
    institution: str = "Parcours"
    country: str = "Belgium"
