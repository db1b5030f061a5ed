"""Time slots: the coordinator's lines ("10/03/2026 journée", "2026-03-12 18:00-21:00") and the
half-day helper. No models here; the forms and actions wrap it.

Attendance is taken per slot, and a slot is a half-day at most: a full day is two slots
(morning 9:00-12:30, afternoon 13:30-16:30, Europe/Brussels local time).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from parcours.enrolment import bounds

BRUSSELS = ZoneInfo("Europe/Brussels")

MORNING = (dt.time(9, 0), dt.time(12, 30))
AFTERNOON = (dt.time(13, 30), dt.time(16, 30))
EVENING = (dt.time(18, 0), dt.time(21, 0))

# Keyword (accent-free, lower case) -> the half-day slots it stands for.
PATTERNS: dict[str, tuple[tuple[dt.time, dt.time], ...]] = {
    "journee": (MORNING, AFTERNOON),
    "jour": (MORNING, AFTERNOON),
    "day": (MORNING, AFTERNOON),
    "matin": (MORNING,),
    "morning": (MORNING,),
    "apres-midi": (AFTERNOON,),
    "apresmidi": (AFTERNOON,),
    "afternoon": (AFTERNOON,),
    "soir": (EVENING,),
    "soiree": (EVENING,),
    "evening": (EVENING,),
}

_DATE = re.compile(r"^(?:(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2}))$")
_TIME = r"(\d{1,2})[:hH](\d{2})?"
_RANGE = re.compile(rf"^{_TIME}\s*[-–à]\s*{_TIME}$")  # noqa: RUF001 - the en dash is typed too


@dataclass(frozen=True, order=True)
class SlotSpec:
    """A slot in Brussels local time (naive), as typed."""

    start: dt.datetime
    end: dt.datetime

    def aware(self) -> tuple[dt.datetime, dt.datetime]:
        return self.start.replace(tzinfo=BRUSSELS), self.end.replace(tzinfo=BRUSSELS)


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    d, m, y, y2, m2, d2 = match.groups()
    try:
        if y:
            return dt.date(int(y), int(m), int(d))
        return dt.date(int(y2), int(m2), int(d2))
    except ValueError:
        return None


def _parse_time(hours: str, minutes: str | None) -> dt.time | None:
    try:
        return dt.time(int(hours), int(minutes or 0))
    except ValueError:
        return None


def parse_line(text: str) -> list[SlotSpec] | str:
    """One line → its slots, or a French error message."""
    parts = text.strip().split(None, 1)
    if len(parts) < 2:
        return _("indiquez une date suivie d'un horaire (09:00-12:30) ou de « journée ».")
    day = parse_date(parts[0])
    if day is None:
        return _("date illisible « %(date)s » (attendu : JJ/MM/AAAA).") % {"date": parts[0][:40]}
    if not bounds.year_ok(day):
        return _("l'année doit être comprise entre %(a)d et %(b)d.") % {
            "a": bounds.MIN_YEAR,
            "b": bounds.MAX_YEAR,
        }
    rest = parts[1].strip()
    pattern = PATTERNS.get(_fold(rest).replace(" ", ""))
    if pattern is not None:
        return [
            SlotSpec(dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in pattern
        ]
    match = _RANGE.match(rest)
    if not match:
        return _("horaire illisible « %(time)s » (attendu : 09:00-12:30).") % {"time": rest[:40]}
    start = _parse_time(match.group(1), match.group(2))
    end = _parse_time(match.group(3), match.group(4))
    if start is None or end is None:
        return _("heure impossible dans « %(time)s ».") % {"time": rest[:40]}
    if end <= start:
        return _("la fin doit suivre le début.")
    return [SlotSpec(dt.datetime.combine(day, start), dt.datetime.combine(day, end))]


def parse_lines(text: str) -> tuple[list[SlotSpec], list[LineError]]:
    """Every non-empty line → slots (sorted), with every error and its line number.

    Slots that overlap one another are an error on the later line. More than
    ``bounds.MAX_SLOTS`` slots is an error, and reading stops there.
    """
    slots: list[tuple[SlotSpec, int]] = []
    errors: list[LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(slots) >= bounds.MAX_SLOTS:
            message = _("%(n)d créneaux au plus par session.") % {"n": bounds.MAX_SLOTS}
            return [], [LineError(number, message)]
        result = parse_line(raw)
        if isinstance(result, str):
            errors.append(LineError(number, result))
        else:
            slots.extend((slot, number) for slot in result)
    if len(slots) > bounds.MAX_SLOTS:
        message = _("%(n)d créneaux au plus par session.") % {"n": bounds.MAX_SLOTS}
        return [], [LineError(slots[bounds.MAX_SLOTS][1], message)]
    slots.sort()
    clashing = {
        max(line_a, line_b)
        for (previous, line_a), (current, line_b) in itertools.pairwise(slots)
        if current.start < previous.end
    }
    errors += [LineError(line, _("ce créneau chevauche un autre créneau.")) for line in clashing]
    errors.sort(key=lambda e: e.line)
    return [s for s, _line in slots], errors


def format_lines(slots: Iterable[tuple[dt.datetime, dt.datetime]]) -> str:
    """Aware slots → the lines a coordinator edits (inverse of ``parse_lines``)."""
    out = []
    for start, end in slots:
        a, b = start.astimezone(BRUSSELS), end.astimezone(BRUSSELS)
        out.append(f"{a:%d/%m/%Y} {a:%H:%M}-{b:%H:%M}")
    return "\n".join(out)


def full_days(*days: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware half-day slots for whole days: 9:00-12:30 and 13:30-16:30 in Brussels."""
    return [
        (dt.datetime.combine(day, a, BRUSSELS), dt.datetime.combine(day, b, BRUSSELS))
        for day in days
        for a, b in (MORNING, AFTERNOON)
    ]


def overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    """Half-open intervals: a slot ending at 12:30 does not overlap one starting at 12:30."""
    return a[0] < b[1] and b[0] < a[1]
