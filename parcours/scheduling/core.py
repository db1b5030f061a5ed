"""Scheduling maths with no Django in it: intervals, free slots, weekly recurrence in local time,
distances. Tested on its own with hypothesis (tests/test_core.py).

Every interval is half-open ``[start, end)``: a booking ending at 10:00 and one starting at 10:00
do not overlap. Datetimes are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

Interval = tuple[dt.datetime, dt.datetime]

UTC = dt.UTC


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    """Whether ``[a_start, a_end)`` and ``[b_start, b_end)`` share at least one instant."""
    return a_start < b_end and b_start < a_end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals (touching ones are joined)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def free_gaps(
    window_start: dt.datetime, window_end: dt.datetime, busy: Iterable[Interval]
) -> list[Interval]:
    """The parts of ``[window_start, window_end)`` not covered by any busy interval."""
    gaps: list[Interval] = []
    cursor = window_start
    for start, end in merge(busy):
        if end <= cursor:
            continue
        if start >= window_end:
            break
        if start > cursor:
            gaps.append((cursor, min(start, window_end)))
        cursor = max(cursor, end)
        if cursor >= window_end:
            break
    if cursor < window_end:
        gaps.append((cursor, window_end))
    return gaps


def _ceil_to_step(value: dt.datetime, origin: dt.datetime, step: dt.timedelta) -> dt.datetime:
    offset = (value - origin) / step
    return origin + step * math.ceil(offset - 1e-9)


def _floor_to_step(value: dt.datetime, origin: dt.datetime, step: dt.timedelta) -> dt.datetime:
    offset = (value - origin) / step
    return origin + step * math.floor(offset + 1e-9)


def nearest_free_slots(
    *,
    wanted_start: dt.datetime,
    duration: dt.timedelta,
    busy: Sequence[Interval],
    windows: Sequence[Interval],
    setup: dt.timedelta = dt.timedelta(0),
    cleanup: dt.timedelta = dt.timedelta(0),
    step: dt.timedelta = dt.timedelta(minutes=15),
    limit: int = 3,
) -> list[Interval]:
    """Free ``[start, start + duration)`` slots nearest to ``wanted_start``, best first.

    A slot is free when its *blocked* range ``[start - setup, end + cleanup)`` meets no busy
    interval; the slot itself (not the buffers) must lie inside one of ``windows`` (the opening
    hours). Starts are on the ``step`` grid counted from ``wanted_start``. At most one slot per
    free gap is proposed (the nearest), so the suggestions are genuinely different.
    """
    if duration <= dt.timedelta(0) or not windows:
        return []
    horizon_start = min(w[0] for w in windows) - setup
    horizon_end = max(w[1] for w in windows) + cleanup
    candidates: list[dt.datetime] = []
    for gap_start, gap_end in free_gaps(horizon_start, horizon_end, busy):
        for win_start, win_end in windows:
            low = max(gap_start + setup, win_start)
            high = min(gap_end - cleanup - duration, win_end - duration)
            if high < low:
                continue
            low_s = _ceil_to_step(low, wanted_start, step)
            high_s = _floor_to_step(high, wanted_start, step)
            if high_s < low_s:
                continue
            nearest = min(max(wanted_start, low_s), high_s)
            nearest = _floor_to_step(nearest, wanted_start, step)
            if nearest < low_s:
                nearest = low_s
            candidates.append(nearest)
    unique = sorted(set(candidates), key=lambda s: (abs((s - wanted_start).total_seconds()), s))
    return [(s, s + duration) for s in unique[:limit]]


def is_free(start: dt.datetime, end: dt.datetime, busy: Iterable[Interval]) -> bool:
    return not any(overlaps(start, end, b0, b1) for b0, b1 in busy)


def local_datetime(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """``day`` at wall-clock ``time`` in ``tz``, as an aware datetime.

    A wall time that does not exist (skipped by the spring-forward change) moves forward by the
    gap (02:30 → 03:30 in Europe/Brussels on the last Sunday of March); an ambiguous one (the
    autumn repeat) is the first occurrence.
    """
    naive = dt.datetime.combine(day, time)
    aware = naive.replace(tzinfo=tz, fold=0)
    # Round-trip through UTC: a non-existent wall time comes back normalised.
    return aware.astimezone(UTC).astimezone(tz)


@dataclass(frozen=True)
class Occurrence:
    day: dt.date
    start: dt.datetime
    end: dt.datetime


def weekly_dates(
    *,
    first_date: dt.date,
    until: dt.date,
    weekdays: Iterable[int],
    interval_weeks: int = 1,
) -> list[dt.date]:
    """Dates from ``first_date`` to ``until`` (inclusive) on the given weekdays (0 = Monday),
    every ``interval_weeks`` weeks counted from the week of ``first_date``."""
    if interval_weeks < 1:
        raise ValueError("interval_weeks must be >= 1")
    days = sorted(set(weekdays))
    if any(d < 0 or d > 6 for d in days):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    week_origin = first_date - dt.timedelta(days=first_date.weekday())
    out: list[dt.date] = []
    day = first_date
    while day <= until:
        weeks = (day - week_origin).days // 7
        if weeks % interval_weeks == 0 and day.weekday() in days:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def expand_weekly(
    *,
    first_date: dt.date,
    until: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    tz: ZoneInfo,
    interval_weeks: int = 1,
    skip: Iterable[dt.date] = (),
) -> list[Occurrence]:
    """The occurrences of a weekly rule, each at the same *local* times (09:00 stays 09:00
    across daylight-saving changes), minus the ``skip`` dates."""
    if end_time <= start_time:
        raise ValueError("end_time must be after start_time")
    skipped = set(skip)
    return [
        Occurrence(day, local_datetime(day, start_time, tz), local_datetime(day, end_time, tz))
        for day in weekly_dates(
            first_date=first_date, until=until, weekdays=weekdays, interval_weeks=interval_weeks
        )
        if day not in skipped
    ]


def dates_in_ranges(
    ranges: Iterable[tuple[dt.date, dt.date]], first: dt.date, last: dt.date
) -> set[dt.date]:
    """Every date of the inclusive ``ranges`` that falls within ``[first, last]``."""
    out: set[dt.date] = set()
    for start, end in ranges:
        day = max(start, first)
        while day <= min(end, last):
            out.add(day)
            day += dt.timedelta(days=1)
    return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))
