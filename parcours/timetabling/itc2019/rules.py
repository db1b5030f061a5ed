"""The distribution constraints of ITC 2019, as the competition's rules define them.

Pairwise constraints hold (or not) for each pair of classes of the constraint; the penalty of a
soft one is counted per violated pair. MaxDays counts the days over the limit; MaxDayLoad,
MaxBreaks and MaxBlock sum their excess over every (week, day) of the semester and the penalty
is ``penalty x excess // nrWeeks`` (integer division after the multiplication).

Every function takes ``Slot`` values: the time chosen for a class, its room (or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import first_bit


@dataclass(frozen=True, slots=True)
class Slot:
    days: int
    start: int
    length: int
    weeks: int
    room: int | None = None

    @property
    def end(self) -> int:
        return self.start + self.length


Travel = Callable[[int | None, int | None], int]


def _no_travel(a: int | None, b: int | None) -> int:
    return 0


def _share_day_and_week(i: Slot, j: Slot) -> bool:
    return bool(i.days & j.days) and bool(i.weeks & j.weeks)


def same_start(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return i.start == j.start


def same_time(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return (i.start <= j.start and j.end <= i.end) or (j.start <= i.start and i.end <= j.end)


def different_time(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return i.end <= j.start or j.end <= i.start


def same_days(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    union = i.days | j.days
    return union in (i.days, j.days)


def different_days(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return not i.days & j.days


def same_weeks(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    union = i.weeks | j.weeks
    return union in (i.weeks, j.weeks)


def different_weeks(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return not i.weeks & j.weeks


def overlap(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return j.start < i.end and i.start < j.end and _share_day_and_week(i, j)


def not_overlap(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return i.end <= j.start or j.end <= i.start or not _share_day_and_week(i, j)


def same_room(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    # A class without a room neither breaks SameRoom nor DifferentRoom.
    return i.room is None or j.room is None or i.room == j.room


def different_room(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return i.room is None or j.room is None or i.room != j.room


def same_attendees(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    gap = travel(i.room, j.room)
    return i.end + gap <= j.start or j.end + gap <= i.start or not _share_day_and_week(i, j)


def precedence(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    """``i`` is listed before ``j``: its first meeting comes first."""
    wi, wj = first_bit(i.weeks), first_bit(j.weeks)
    if wi != wj:
        return wi < wj
    di, dj = first_bit(i.days), first_bit(j.days)
    if di != dj:
        return di < dj
    return i.end <= j.start


def work_day(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return not _share_day_and_week(i, j) or max(i.end, j.end) - min(i.start, j.start) <= p[0]


def min_gap(i: Slot, j: Slot, p: tuple[int, ...], travel: Travel) -> bool:
    return not _share_day_and_week(i, j) or i.end + p[0] <= j.start or j.end + p[0] <= i.start


PAIRWISE: dict[str, Callable[[Slot, Slot, tuple[int, ...], Travel], bool]] = {
    "SameStart": same_start,
    "SameTime": same_time,
    "DifferentTime": different_time,
    "SameDays": same_days,
    "DifferentDays": different_days,
    "SameWeeks": same_weeks,
    "DifferentWeeks": different_weeks,
    "Overlap": overlap,
    "NotOverlap": not_overlap,
    "SameRoom": same_room,
    "DifferentRoom": different_room,
    "SameAttendees": same_attendees,
    "Precedence": precedence,
    "WorkDay": work_day,
    "MinGap": min_gap,
}
PARAMETERS = {
    "WorkDay": 1,
    "MinGap": 1,
    "MaxDays": 1,
    "MaxDayLoad": 1,
    "MaxBreaks": 2,
    "MaxBlock": 2,
}
WHOLE = ("MaxDays", "MaxDayLoad", "MaxBreaks", "MaxBlock")
KINDS = (*PAIRWISE, *WHOLE)


def pairwise_violations(
    kind: str, slots: Sequence[Slot], params: tuple[int, ...], travel: Travel = _no_travel
) -> int:
    """Number of pairs (i listed before j) that break a pairwise constraint."""
    rule = PAIRWISE[kind]
    count = 0
    for a in range(len(slots)):
        for b in range(a + 1, len(slots)):
            if not rule(slots[a], slots[b], params, travel):
                count += 1
    return count


def max_days_excess(slots: Sequence[Slot], limit: int) -> int:
    days = 0
    for slot in slots:
        days |= slot.days
    return max(0, days.bit_count() - limit)


def _meetings(
    slots: Sequence[Slot], nr_days: int, nr_weeks: int
) -> dict[tuple[int, int], list[Slot]]:
    by_day: dict[tuple[int, int], list[Slot]] = {}
    for slot in slots:
        for week in range(nr_weeks):
            if not slot.weeks >> week & 1:
                continue
            for day in range(nr_days):
                if slot.days >> day & 1:
                    by_day.setdefault((week, day), []).append(slot)
    return by_day


def max_day_load_excess(slots: Sequence[Slot], limit: int, nr_days: int, nr_weeks: int) -> int:
    """Slots over the daily load, summed over every day of every week."""
    return sum(
        max(0, sum(s.length for s in day) - limit)
        for day in _meetings(slots, nr_days, nr_weeks).values()
    )


def merge_blocks(day: Sequence[Slot], gap: int) -> list[tuple[int, int, int]]:
    """(start, end, number of classes) of the blocks of one day: classes whose gap is ≤ ``gap``."""
    blocks: list[tuple[int, int, int]] = []
    for slot in sorted(day, key=lambda s: (s.start, s.end)):
        if blocks and blocks[-1][1] + gap >= slot.start:
            start, end, count = blocks[-1]
            blocks[-1] = (start, max(end, slot.end), count + 1)
        else:
            blocks.append((slot.start, slot.end, 1))
    return blocks


def max_breaks_excess(
    slots: Sequence[Slot], breaks: int, gap: int, nr_days: int, nr_weeks: int
) -> int:
    """Breaks over ``breaks`` (more blocks than breaks + 1), summed over every day of every week."""
    return sum(
        max(0, len(merge_blocks(day, gap)) - breaks - 1)
        for day in _meetings(slots, nr_days, nr_weeks).values()
    )


def max_block_excess(
    slots: Sequence[Slot], length: int, gap: int, nr_days: int, nr_weeks: int
) -> int:
    """Blocks of two or more classes longer than ``length``, over every day of every week."""
    return sum(
        sum(1 for start, end, count in merge_blocks(day, gap) if count > 1 and end - start > length)
        for day in _meetings(slots, nr_days, nr_weeks).values()
    )


def evaluate(
    kind: str,
    params: tuple[int, ...],
    slots: Sequence[Slot],
    nr_days: int,
    nr_weeks: int,
    travel: Travel = _no_travel,
) -> int:
    """How much a constraint is broken: violated pairs, days over, or summed excess (0 = holds)."""
    if kind in PAIRWISE:
        return pairwise_violations(kind, slots, params, travel)
    if kind == "MaxDays":
        return max_days_excess(slots, params[0])
    if kind == "MaxDayLoad":
        return max_day_load_excess(slots, params[0], nr_days, nr_weeks)
    if kind == "MaxBreaks":
        return max_breaks_excess(slots, params[0], params[1], nr_days, nr_weeks)
    if kind == "MaxBlock":
        return max_block_excess(slots, params[0], params[1], nr_days, nr_weeks)
    raise ValueError(f"unknown distribution type {kind!r}")


def penalty(kind: str, weight: int, violation: int, nr_weeks: int) -> int:
    """The cost of a soft constraint broken ``violation`` times (see the module's docstring)."""
    if kind in ("MaxDayLoad", "MaxBreaks", "MaxBlock"):
        return weight * violation // nr_weeks
    return weight * violation
