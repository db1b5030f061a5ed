"""A long session from a weekly pattern: "Monday to Thursday, 9:00-12:30 and 13:30-16:30, from
7 September to 18 December", minus the Belgian public holidays and the site's closures.

Pure Python (no Django, no database): the Belgian public holidays, and the expansion of a pattern
into days and local-time slots. The action (``enrolment.actions.pattern``) adds the site's
closures and the room's conflicts; hypothesis checks the properties (tests/test_pattern.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

# Why a date of the pattern is left out (the preview shows it; the coordinator may keep it).
HOLIDAY = "holiday"
CLOSED = "closed"
SCHOOL_HOLIDAY = "school_holiday"


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar; anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def belgian_holidays(year: int) -> dict[dt.date, str]:
    """The ten legal public holidays of Belgium (names in French, the source language; the
    pages translate the reason, not the name)."""
    sunday = easter(year)
    return {
        dt.date(year, 1, 1): "Nouvel An",
        sunday + dt.timedelta(days=1): "Lundi de Pâques",
        dt.date(year, 5, 1): "Fête du Travail",
        sunday + dt.timedelta(days=39): "Ascension",
        sunday + dt.timedelta(days=50): "Lundi de Pentecôte",
        dt.date(year, 7, 21): "Fête nationale",
        dt.date(year, 8, 15): "Assomption",
        dt.date(year, 11, 1): "Toussaint",
        dt.date(year, 11, 11): "Armistice",
        dt.date(year, 12, 25): "Noël",
    }


def holidays_between(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    out: dict[dt.date, str] = {}
    for year in range(first.year, last.year + 1):
        out.update({d: n for d, n in belgian_holidays(year).items() if first <= d <= last})
    return out


TimeRange = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class WeeklyPattern:
    """Which weekdays (0 = Monday) and which local hours each of them (one or two ranges: a
    morning and an afternoon), from ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date
    weekdays: frozenset[int]
    ranges: tuple[TimeRange, ...]

    def problems(self) -> list[str]:
        """Codes of what is wrong (the action words them): empty if the pattern is usable."""
        out: list[str] = []
        if self.last < self.first:
            out.append("order")
        if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
            out.append("weekdays")
        if not self.ranges:
            out.append("ranges")
        for start, end in self.ranges:
            if end <= start:
                out.append("range_order")
                break
        ordered = sorted(self.ranges)
        for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
            if s2 < e1:
                out.append("range_overlap")
                break
        return out


@dataclass(frozen=True)
class PatternDay:
    day: dt.date
    slots: tuple[tuple[dt.datetime, dt.datetime], ...]
    reason: str = ""  # HOLIDAY / CLOSED / SCHOOL_HOLIDAY: left out unless kept
    label: str = ""  # the holiday's or closure's name

    @property
    def skipped(self) -> bool:
        return bool(self.reason)


@dataclass
class Expansion:
    days: list[PatternDay] = field(default_factory=list)

    @property
    def kept(self) -> list[PatternDay]:
        return [d for d in self.days if not d.skipped]

    @property
    def skipped(self) -> list[PatternDay]:
        return [d for d in self.days if d.skipped]


def local(day: dt.date, time: dt.time, tz: ZoneInfo = BRUSSELS) -> dt.datetime:
    """``day`` at wall-clock ``time`` in ``tz`` (a time skipped by the spring change moves
    forward by the gap; an ambiguous one is the first)."""
    aware = dt.datetime.combine(day, time).replace(tzinfo=tz, fold=0)
    return aware.astimezone(dt.UTC).astimezone(tz)


def expand(
    pattern: WeeklyPattern,
    *,
    closures: Mapping[dt.date, tuple[str, str]] | None = None,
    tz: ZoneInfo = BRUSSELS,
) -> Expansion:
    """Every date of the pattern with its slots, in date order. A public holiday is marked
    ``HOLIDAY``; a date in ``closures`` (date -> (reason, label), e.g. the site's closed days)
    gets that reason. Slots keep their local times across daylight-saving changes."""
    closures = closures or {}
    holidays = holidays_between(pattern.first, pattern.last)
    ranges = sorted(pattern.ranges)
    out = Expansion()
    day = pattern.first
    while day <= pattern.last:
        if day.weekday() in pattern.weekdays:
            slots = tuple((local(day, a, tz), local(day, b, tz)) for a, b in ranges)
            reason, label = "", ""
            if day in holidays:
                reason, label = HOLIDAY, holidays[day]
            elif day in closures:
                reason, label = closures[day]
            out.days.append(PatternDay(day=day, slots=slots, reason=reason, label=label))
        day += dt.timedelta(days=1)
    return out


def choose(
    expansion: Expansion, *, keep: Iterable[dt.date] | None = None, drop: Iterable[dt.date] = ()
) -> list[PatternDay]:
    """The days that become slots. ``keep`` (the preview's ticked dates), when given, is the
    whole choice among the pattern's dates (a skipped date ticked again is kept); otherwise the
    days not skipped. ``drop`` removes dates in both cases."""
    dropped = set(drop)
    if keep is not None:
        wanted = set(keep)
        return [d for d in expansion.days if d.day in wanted and d.day not in dropped]
    return [d for d in expansion.kept if d.day not in dropped]


def slots_of(days: Sequence[PatternDay]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [slot for d in days for slot in d.slots]
