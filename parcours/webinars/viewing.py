"""Viewing statistics exported by a video platform (CSV or Excel), read into seconds watched
per replay and day: a pure reader (no database) and the rows it keeps or ignores.

Columns (French or English headers, or the organisation's saved mapping): the video (its title
or its address, matched against the organisation's replays), the day (optional: the import's
day when absent) and the watch time in hours (YouTube Studio's « Watch time (hours) »), in
minutes or in seconds. Several rows of one replay and day are added up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from parcours.webinars.report import MAX_CELL, MAX_COLUMNS, fold

KEYS = ("video", "date", "hours", "minutes", "seconds")
HEADERS: dict[str, set[str]] = {
    "video": {"video", "vidéo", "video title", "titre de la vidéo", "title", "titre", "content",
              "contenu", "url", "adresse"},
    "date": {"date", "day", "jour", "date de visionnage"},
    "hours": {"watch time (hours)", "durée de visionnage (heures)", "heures", "hours",
              "heures de visionnage", "hours watched"},
    "minutes": {"watch time (minutes)", "minutes", "minutes watched", "minutes de visionnage",
                "total time watched (minutes)"},
    "seconds": {"watch time (seconds)", "secondes", "seconds", "seconds watched"},
}  # fmt: skip
_FOLDED = {key: {fold(s) for s in spellings} for key, spellings in HEADERS.items()}
MAX_SECONDS_A_ROW = 10_000_000 * 3600  # a very popular video's year, in seconds
_NUMBER = re.compile(r"^\s*(\d{1,12})(?:[.,](\d{1,6}))?\s*$")
_DATES = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%b %d, %Y")


@dataclass(frozen=True)
class Kept:
    line: int
    replay_id: int
    day: dt.date
    seconds: int


@dataclass(frozen=True)
class Dropped:
    line: int
    reason: str


@dataclass
class Read:
    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    error: str = ""

    def mapping(self) -> dict[str, str]:
        return {key: self.header[index] for key, index in self.columns.items()}

    def totals(self) -> dict[tuple[int, dt.date], int]:
        """Seconds per (replay, day), rows added up."""
        out: dict[tuple[int, dt.date], int] = {}
        for row in self.kept:
            out[(row.replay_id, row.day)] = out.get((row.replay_id, row.day), 0) + row.seconds
        return out


def _columns(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    folded = [fold(h) for h in header]
    columns: dict[str, int] = {}
    for key, text in (mapping or {}).items():
        if key in KEYS and text and fold(text) in folded:
            columns[key] = folded.index(fold(text))
    for index, cell in enumerate(folded):
        for key, spellings in _FOLDED.items():
            if cell in spellings and key not in columns and index not in columns.values():
                columns[key] = index
    return columns


def _number(text: str) -> float | None:
    match = _NUMBER.match(text.replace("\u202f", "").replace(" ", ""))
    if match is None:
        return None
    return float(f"{match.group(1)}.{match.group(2) or 0}")


def _day(text: str) -> dt.date | None:
    text = text.strip()[:30]
    if len(text) >= 10 and text[:4].isdigit():
        text = text[:10]
    for fmt in _DATES:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def read_views(
    rows: Iterable[tuple[int, list[str]]],
    *,
    replays: Mapping[str, int],
    today: dt.date,
    mapping: Mapping[str, str] | None = None,
    max_rows: int = 50_000,
) -> Read:
    """``replays`` maps a folded title or an address to the replay's id."""
    out = Read()
    lines = iter(rows)
    for count, (line, raw) in enumerate(lines):
        if count >= max_rows:
            break
        cells = [str(c).strip()[:MAX_CELL] for c in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if not out.header:
            columns = _columns(cells, mapping)
            if "video" in columns and {"hours", "minutes", "seconds"} & set(columns):
                out.header, out.columns = cells, columns
            continue
        out_row = _row(line, cells, out.columns, replays, today)
        if isinstance(out_row, Kept):
            out.kept.append(out_row)
        else:
            out.dropped.append(out_row)
    if not out.header:
        out.error = _(
            "En-tête introuvable : il faut une colonne de vidéo (titre ou adresse) et une "
            "colonne de durée de visionnage (heures, minutes ou secondes)."
        )
    return out


def _row(
    line: int,
    cells: list[str],
    columns: dict[str, int],
    replays: Mapping[str, int],
    today: dt.date,
) -> Kept | Dropped:
    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    video = cell("video")
    replay_id = replays.get(video.strip()) or replays.get(fold(video))
    if replay_id is None:
        return Dropped(line, _("vidéo inconnue dans la bibliothèque (« %(v)s »)") % {"v": video})
    day = today
    if "date" in columns:
        found = _day(cell("date"))
        if found is None or not 2000 <= found.year <= 2100:
            return Dropped(line, _("date illisible (« %(d)s »)") % {"d": cell("date")})
        day = found
    for key, factor in (("hours", 3600), ("minutes", 60), ("seconds", 1)):
        if key in columns:
            value = _number(cell(key))
            if value is None or value * factor > MAX_SECONDS_A_ROW:
                return Dropped(line, _("durée illisible (« %(t)s »)") % {"t": cell(key)})
            return Kept(line, replay_id, day, round(value * factor))
    return Dropped(line, _("durée illisible (« %(t)s »)") % {"t": ""})
