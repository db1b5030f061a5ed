"""Reading a webinar provider's participant report: a pure core, no database.

Two steps, both plain Python (tested with hypothesis):

1. :func:`read_report` finds the participants table in the rows of the file (from
   ``lib.tables``) and the columns it needs — name, e-mail, join time, leave time, duration —
   from a saved mapping or from the headers the providers write (French or English). A Teams
   attendance report holds several blocks: ``1. Summary`` / ``1. Résumé`` (meeting title,
   start, end…), ``2. Participants`` (first join, last leave, in-meeting duration) and
   ``3. In-Meeting Activities`` / ``3. Activités de la réunion`` (one row per join, with join
   time, leave time and duration). Every row that looks like a header starts a table; the
   table kept is the one with join *and* leave times and the most rows (the activities when
   there are; the participants table otherwise), so a person who joined three times shows as
   three intervals. The other blocks' lines are counted as ignored (``other_lines``).
2. :func:`analyse` turns the rows into minutes per registered person: times are read in the
   session's time zone unless they carry an offset, the day/month order is chosen from the
   session's date, a person's intervals (this report's, and those kept from earlier reports)
   are merged, so overlaps count once, and clipped to the session's slots; a rule (present at
   ≥ ``percent`` % of a slot) gives the attendance marks. Every ignored row says why.

A row with a duration but no times (some exports) is laid, with the person's other such rows,
end to end from the session's start: the durations add up within a report, and the union with
another report counts the longer of the two rather than both.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

#: The columns a participant report can give (the mapping's keys).
KEYS = ("name", "email", "join", "leave", "duration")
MAX_COLUMNS = 40
MAX_CELL = 300

HEADERS: dict[str, set[str]] = {
    "name": {
        "name",
        "full name",
        "nom",
        "nom complet",
        "participant",
        "display name",
        "user name",
        "name (original name)",
        "nom (nom d'origine)",
        "nom d'affichage",
        "participant name",
    },
    "email": {
        "email",
        "e-mail",
        "courriel",
        "adresse e-mail",
        "adresse email",
        "user email",
        "attendee email",
        "participant email",
        "email address",
        "mail",
    },
    "join": {
        "join time",
        "first join",
        "joined",
        "join",
        "time joined",
        "heure de participation",
        "premiere participation",
        "heure d'arrivee",
        "arrivee",
        "heure de connexion",
        "join time (utc)",
    },
    "leave": {
        "leave time",
        "last leave",
        "left",
        "leave",
        "time left",
        "heure de depart",
        "dernier depart",
        "depart",
        "heure de deconnexion",
        "leave time (utc)",
    },
    "duration": {
        "duration",
        "in-meeting duration",
        "duration (minutes)",
        "duration (mins)",
        "attendance duration",
        "time in session (minutes)",
        "duree",
        "duree de la reunion",
        "duree en reunion",
        "duree (minutes)",
        "duree de participation",
    },
}
#: Used as the e-mail when the report has no e-mail column (Teams' UPN is the work address).
EMAIL_FALLBACK = {"participant id (upn)", "id du participant (upn)", "upn", "user principal name"}


def fold(text: str) -> str:
    """A header as compared: no accents, no case, single spaces, ``_`` read as a space."""
    decomposed = unicodedata.normalize("NFKD", str(text or "")[:MAX_CELL])
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("_", " ").replace("\u2019", "'").casefold()
    return " ".join(plain.split())


_FOLDED = {key: {fold(s) for s in spellings} for key, spellings in HEADERS.items()}


def key_of(header: str) -> str | None:
    folded = fold(header)
    for key, spellings in _FOLDED.items():
        if folded in spellings:
            return key
    if folded in EMAIL_FALLBACK:
        return "email_fallback"
    return None


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    email: str
    join: str
    leave: str
    duration: str


@dataclass
class Table:
    header_line: int
    header: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class ReadReport:
    """What :func:`read_report` found: the header and mapping used, the rows, what it left."""

    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    other_lines: int = 0  # lines of the summary and of the other blocks
    error: str = ""  # the whole file cannot be used

    def mapping(self) -> dict[str, str]:
        """The mapping as saved: key -> the header's text."""
        return {key: self.header[index] for key, index in self.columns.items()}


def _columns(header: Sequence[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Which column holds what: the saved ``mapping`` (key -> header text) where its headers
    are present, the known spellings for the rest."""
    folded = [fold(h) for h in header]
    columns: dict[str, int] = {}
    for key, text in (mapping or {}).items():
        if key in KEYS and text and fold(text) in folded:
            columns[key] = folded.index(fold(text))
    fallback: int | None = None
    for index, cell in enumerate(header):
        found = key_of(cell)
        if found == "email_fallback":
            fallback = index if fallback is None else fallback
        elif found and found not in columns and index not in columns.values():
            columns[found] = index
    if "email" not in columns and fallback is not None and fallback not in columns.values():
        columns["email"] = fallback
    return columns


def _looks_like_header(cells: Sequence[str], mapping: Mapping[str, str] | None) -> bool:
    if any("@" in c for c in cells) or any(c[:1].isdigit() for c in cells):
        return False  # an e-mail or a time: a participant's row (the fast path)
    columns = _columns(cells, mapping)
    return "email" in columns and len(columns) >= 2


def read_report(
    rows: Iterable[tuple[int, list[str]]],
    *,
    mapping: Mapping[str, str] | None = None,
    max_rows: int = 50_000,
) -> ReadReport:
    """The participants table of a report (see the module's docstring)."""
    tables: list[Table] = []
    current: Table | None = None
    loose = 0
    for count, (line, raw) in enumerate(rows):
        if count >= max_rows:
            break
        cells = [str(c).strip()[:MAX_CELL] for c in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if _looks_like_header(cells, mapping):
            current = Table(line, cells, _columns(cells, mapping))
            tables.append(current)
        elif sum(1 for c in cells if c) == 1 and "@" not in "".join(cells):
            current = None  # a block's title (« 3. In-Meeting Activities »): the table ends
            loose += 1
        elif current is not None:
            current.rows.append((line, cells))
        else:
            loose += 1
    if not tables:
        return ReadReport(
            other_lines=loose,
            error=_(
                "Aucun tableau de participants trouvé : il faut au moins une colonne "
                "« e-mail » et une colonne d'heures ou de durée (voir la correspondance des "
                "colonnes)."
            ),
        )

    def score(item: tuple[int, Table]) -> tuple[int, int, int, int]:
        index, table = item
        timed = "join" in table.columns and "leave" in table.columns
        email = table.columns["email"]
        people = sum(1 for _line, cells in table.rows if "@" in "".join(cells[email : email + 1]))
        # Ties (one join each): the later block, the activities come after the participants.
        return (int(timed), int("duration" in table.columns or timed), people, index)

    _index, best = max(enumerate(tables), key=score)
    if not ({"join", "duration"} & set(best.columns)):
        return ReadReport(
            header=best.header,
            columns=best.columns,
            error=_(
                "Le tableau des participants n'a ni heure d'arrivée ni durée : "
                "indiquez les colonnes à utiliser."
            ),
        )
    other = loose + sum(len(t.rows) + 1 for t in tables if t is not best)
    used = set(best.columns.values())
    unknown = [h for i, h in enumerate(best.header) if i not in used and h]

    def cell(cells: list[str], key: str) -> str:
        index = best.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    out = [
        Row(
            line=line,
            name=cell(cells, "name"),
            email=cell(cells, "email").strip().casefold(),
            join=cell(cells, "join"),
            leave=cell(cells, "leave"),
            duration=cell(cells, "duration"),
        )
        for line, cells in best.rows
    ]
    return ReadReport(
        header=best.header,
        columns=dict(best.columns),
        unknown_columns=unknown,
        rows=out,
        other_lines=other,
    )


# --- Times and durations -----------------------------------------------------------------

_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
)
_SPACES = re.compile(r"[\s\u202f\u00a0]+")


class TimeReader:
    """Reads the report's date-times. The format that worked last is tried first; when a
    value reads two ways (01/02: 1 February or 2 January), the reading nearest ``near`` (the
    session's start) wins and its format is kept for the rest of the file."""

    def __init__(self, zone: ZoneInfo, near: dt.datetime) -> None:
        self.zone = zone
        self.near = near
        self.formats = list(_FORMATS)
        self.decided = False
        self.seen: dict[str, dt.datetime | None] = {}  # a report repeats its times a lot

    def _aware(self, value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=self.zone) if value.tzinfo is None else value

    def read(self, text: str) -> dt.datetime | None:
        if text in self.seen:
            return self.seen[text]
        value = self._read(text)
        if len(self.seen) < 100_000:
            self.seen[text] = value
        return value

    def _read(self, text: str) -> dt.datetime | None:
        text = _SPACES.sub(" ", text.replace(",", " ")).strip()
        if not text or len(text) > 40:
            return None
        text = text.replace("a.m.", "AM").replace("p.m.", "PM")
        if text[:4].isdigit() and "-" in text[:5]:
            try:
                return self._aware(dt.datetime.fromisoformat(text.replace(" ", "T", 1)))
            except ValueError:
                pass
        if self.decided:
            for fmt in self.formats:
                try:
                    value = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                except ValueError:
                    continue
                if fmt != self.formats[0]:
                    self.formats.remove(fmt)
                    self.formats.insert(0, fmt)
                return self._aware(value)
            return None
        readings: list[tuple[float, str, dt.datetime]] = []
        for fmt in self.formats:
            try:
                value = self._aware(dt.datetime.strptime(text, fmt))  # noqa: DTZ007
            except ValueError:
                continue
            readings.append((abs((value - self.near).total_seconds()), fmt, value))
        if not readings:
            return None
        readings.sort(key=lambda r: r[0])
        _distance, fmt, value = readings[0]
        self.formats.remove(fmt)
        self.formats.insert(0, fmt)
        self.decided = True
        return value


_DURATION_PARTS = re.compile(
    r"^\s*(?:(\d{1,3})\s*h(?:ours?|eures?|rs?)?)?\s*"
    r"(?:(\d{1,4})\s*m(?:in(?:utes?|s)?)?)?\s*"
    r"(?:(\d{1,6})\s*s(?:ec(?:ondes?|onds?|s)?)?)?\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$")
_NUMBER = re.compile(r"^\s*(\d{1,6})(?:[.,](\d{1,3}))?\s*$")
MAX_DURATION = dt.timedelta(hours=24)


def read_duration(text: str) -> dt.timedelta | None:
    """``1h 2m 3s``, ``45 min``, ``01:02:03``, ``62:10`` (h:mm), or a number of minutes
    (``62``, ``62.5``); ``None`` when unreadable or longer than a day."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return None
    value: dt.timedelta | None = None
    number = _NUMBER.match(text)
    clock = _CLOCK.match(text)
    if number:
        minutes = float(f"{number.group(1)}.{number.group(2) or 0}")
        value = dt.timedelta(minutes=minutes)
    elif clock:
        hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        if minutes >= 60 or seconds >= 60:
            return None
        value = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    else:
        parts = _DURATION_PARTS.match(text)
        if parts is None or not any(parts.groups()):
            return None
        hours, minutes, seconds = (int(g or 0) for g in parts.groups())
        value = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return value if value <= MAX_DURATION else None


# --- Intervals ---------------------------------------------------------------------------

Interval = tuple[dt.datetime, dt.datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint intervals (touching ones joined)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def overlap(intervals: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of ``intervals`` (disjoint) within ``[start, end)``."""
    total = 0.0
    for a, b in intervals:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def clip(intervals: Sequence[Interval], slots: Sequence[Interval]) -> list[Interval]:
    """``intervals`` cut to the ``slots`` (both disjoint)."""
    out = []
    for a, b in intervals:
        for s, e in slots:
            lo, hi = max(a, s), min(b, e)
            if hi > lo:
                out.append((lo, hi))
    return merge(out)


# --- Analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    """A person enrolled in the session, as the analysis needs them."""

    enrolment_id: int
    learner_id: int
    name: str
    on_roll: bool  # confirmed (or attended, completed…): holds a seat
    status_label: str = ""


@dataclass(frozen=True)
class Ignored:
    line: int
    reason: str  # the code: no_email, not_registered, not_on_roll, outside, duplicate, unreadable
    detail: str
    who: str = ""


@dataclass
class Person:
    """One registered person's minutes after this report (and the earlier ones)."""

    enrolment_id: int
    learner_id: int
    name: str
    email: str
    intervals: list[Interval]
    minutes: int
    minutes_before: int
    rows: int
    present_slots: list[int]  # indexes of the slots where the rule is met
    clipped: bool = False

    @property
    def changed(self) -> bool:
        return self.minutes != self.minutes_before


@dataclass
class Analysis:
    people: list[Person]
    ignored: list[Ignored]
    slots: list[Interval]
    percent: int

    def present(self, person: Person) -> bool:
        """Present at every slot (what the preview calls « présent »)."""
        return len(person.present_slots) == len(self.slots)

    @property
    def present_count(self) -> int:
        return sum(1 for p in self.people if self.present(p))

    def ignored_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.ignored:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return counts


def reasons() -> dict[str, str]:
    return {
        "no_email": _("pas d'adresse e-mail : impossible de reconnaître la personne"),
        "not_registered": _("personne non inscrite à cette session"),
        "not_on_roll": _("inscription sans place (liste d'attente, demande, annulée)"),
        "outside": _("heures en dehors de la session"),
        "duplicate": _("ligne en double"),
        "unreadable": _("heure ou durée illisible"),
    }


def present_slots(
    intervals: Sequence[Interval], slots: Sequence[Interval], percent: int
) -> list[int]:
    """Indexes of the slots where ``intervals`` cover at least ``percent`` % of the slot."""
    out = []
    for index, (start, end) in enumerate(slots):
        needed = (end - start).total_seconds() * percent / 100
        if overlap(intervals, start, end) + 0.5 >= needed:
            out.append(index)
    return out


def minutes_of(intervals: Sequence[Interval]) -> int:
    return round(sum((b - a).total_seconds() for a, b in intervals) / 60)


def analyse(
    report: ReadReport,
    *,
    slots: Sequence[Interval],
    registered: Mapping[str, Registered],
    percent: int,
    zone: ZoneInfo,
    earlier: Mapping[int, Sequence[Interval]] | None = None,
) -> Analysis:
    """Minutes per registered person (see the module's docstring). ``registered`` maps a
    folded e-mail to the enrolment; ``earlier`` the intervals kept per enrolment id from
    earlier reports of the same session."""
    earlier = earlier or {}
    slots = merge(slots)
    texts = reasons()
    ignored: list[Ignored] = []
    if not slots:
        return Analysis([], ignored, [], percent)
    reader = TimeReader(zone, slots[0][0])
    seen: dict[tuple[str, str, str, str], int] = {}
    found: dict[str, list[Interval]] = {}
    untimed: dict[str, list[dt.timedelta]] = {}
    rows_of: dict[str, int] = {}
    clipped: set[str] = set()
    for row in report.rows:
        who = row.name or row.email

        def skip(code: str, detail: str = "", *, row: Row = row, who: str = who) -> None:
            ignored.append(Ignored(row.line, code, detail or texts[code], who))

        if not row.email or "@" not in row.email:
            skip("no_email")
            continue
        key = (row.email, row.join, row.leave, row.duration)
        if key in seen:
            skip(
                "duplicate",
                _("ligne en double (identique à la ligne %(n)d)") % {"n": seen[key]},
            )
            continue
        seen[key] = row.line
        person = registered.get(row.email)
        if person is None:
            skip("not_registered")
            continue
        if not person.on_roll:
            skip(
                "not_on_roll",
                _("inscription « %(s)s » : pas de place à cette session")
                % {"s": person.status_label},
            )
            continue
        join = reader.read(row.join) if row.join else None
        leave = reader.read(row.leave) if row.leave else None
        duration = read_duration(row.duration) if row.duration else None
        if (row.join and join is None) or (row.leave and leave is None):
            skip("unreadable", _("heure illisible (« %(t)s »)") % {"t": row.join or row.leave})
            continue
        if row.duration and duration is None and not (join and leave):
            skip("unreadable", _("durée illisible (« %(t)s »)") % {"t": row.duration})
            continue
        if join is not None and leave is None and duration is not None:
            leave = join + duration
        if join is not None and leave is not None:
            if leave < join:
                skip("unreadable", _("départ avant l'arrivée"))
                continue
            kept = clip([(join, leave)], slots)
            if not kept:
                skip("outside")
                continue
            if minutes_of(kept) < minutes_of([(join, leave)]):
                clipped.add(row.email)
            found.setdefault(row.email, []).append((join, leave))
        elif duration is not None:
            untimed.setdefault(row.email, []).append(duration)
        else:
            skip("unreadable", _("ni heures ni durée"))
            continue
        rows_of[row.email] = rows_of.get(row.email, 0) + 1
    # Durations without times: end to end from the session's start.
    for email, durations in untimed.items():
        start = slots[0][0]
        for duration in durations:
            found.setdefault(email, []).append((start, start + duration))
            start += duration
    people = []
    for email, intervals in found.items():
        person = registered[email]
        before = merge(earlier.get(person.enrolment_id, ()))
        merged = clip(merge([*intervals, *before]), slots)
        people.append(
            Person(
                enrolment_id=person.enrolment_id,
                learner_id=person.learner_id,
                name=person.name,
                email=email,
                intervals=merged,
                minutes=minutes_of(merged),
                minutes_before=minutes_of(before),
                rows=rows_of.get(email, 0),
                present_slots=present_slots(merged, slots, percent),
                clipped=email in clipped,
            )
        )
    people.sort(key=lambda p: (p.name.casefold(), p.email))
    ignored.sort(key=lambda i: i.line)
    return Analysis(people, ignored, list(slots), percent)
