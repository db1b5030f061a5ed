"""Per-(organisation, month) partial measures: what a roll call invalidates is one month of one
organisation, not the year of every organisation.

A period is cut into months (clipped to the period at both ends). For each organisation and
month piece, :func:`partial` reads that piece's facts once and keeps, in the cache under the
month's token (``facts.month_tokens``: renewed by every rebuild that changed facts of that
month; plus ``facts.generation()``, renewed by ``rebuild_all``):

- the additive counts (marks, present marks, present seconds, per site and per module);
- the *sets* the distinct counts need, as compact integer arrays: the learners trained (with
  their declared profile), per site and per module; the learners still waiting;
- the sessions with slots in the piece (cancelled, first slot, places, seats), since "held"
  depends on the time of asking.

:func:`merge` then unions the sets (so a person trained in two months, two sites or two
organisations still counts once) and adds the counts: every figure stays exact, and after a
write only the rebuilt months are read again from the facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from parcours.reporting import facts
from parcours.reporting.models import LearnerDayFact, SessionDayFact, WaitlistFact

CACHE_SECONDS = 24 * 3600  # a month's partial unused for a day is dropped

Profile = tuple[str, str, str, int | None, str]  # audience, school year, gender, birth year, band


@dataclass
class Partial:
    """One organisation's facts over one month (or the part of it inside the period)."""

    marks: int = 0
    present: int = 0
    seconds: int = 0
    learners: array = field(default_factory=lambda: array("q"))  # trained, distinct
    profile_of: array = field(default_factory=lambda: array("l"))  # index in ``profiles``
    profiles: list[Profile] = field(default_factory=list)
    sites: dict[int | None, tuple[array, int]] = field(default_factory=dict)
    modules: dict[int, tuple[array, int]] = field(default_factory=dict)
    # session -> (cancelled, first slot in the piece, places, seat-holding enrolments)
    sessions: dict[int, tuple[bool, dt.datetime, int, int]] = field(default_factory=dict)
    waiting: array = field(default_factory=lambda: array("q"))


def pieces(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The months from ``first`` to ``last``, each clipped to those days."""
    out: list[tuple[dt.date, dt.date]] = []
    start = first
    while start <= last:
        following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        out.append((start, min(last, following - dt.timedelta(days=1))))
        start = following
    return out


def _compute(
    organisation_id: int, first: dt.date, last: dt.date, site: int | None, modules: list[int] | None
) -> Partial:
    scope = Q(organisation_id=organisation_id, day__gte=first, day__lte=last)
    if site:
        scope &= Q(site_id=site)
    if modules is not None:
        scope &= Q(module_id__in=modules)
    found = Partial()
    profiles: dict[Profile, int] = {}
    trained: dict[int, int] = {}
    sites: dict[int | None, tuple[set[int], list[int]]] = {}
    by_module: dict[int, tuple[set[int], list[int]]] = {}
    marks = present = seconds = 0
    rows = (
        LearnerDayFact.objects.filter(scope)
        .values_list(
            "learner_id",
            "site_id",
            "module_id",
            "marks",
            "present",
            "present_seconds",
            "audience",
            "school_year",
            "gender",
            "birth_year",
            "age_band",
        )
        .order_by()
    )
    for learner, site_id, module, n_marks, n_present, n_seconds, *profile in rows.iterator(
        chunk_size=20_000
    ):
        marks += n_marks
        if not n_present:
            continue
        present += n_present
        seconds += n_seconds
        key: Profile = tuple(profile)  # type: ignore[assignment]
        index = profiles.get(key)
        if index is None:
            index = profiles[key] = len(profiles)
        trained[learner] = index
        place = sites.get(site_id)
        if place is None:
            place = sites[site_id] = (set(), [0])
        place[0].add(learner)
        place[1][0] += n_seconds
        taught = by_module.get(module)
        if taught is None:
            taught = by_module[module] = (set(), [0])
        taught[0].add(learner)
        taught[1][0] += n_seconds
    found.marks, found.present, found.seconds = marks, present, seconds
    found.learners = array("q", trained.keys())
    found.profile_of = array("l", trained.values())
    found.profiles = list(profiles)
    found.sites = {k: (array("q", v[0]), v[1][0]) for k, v in sites.items()}
    found.modules = {k: (array("q", v[0]), v[1][0]) for k, v in by_module.items()}
    for session, cancelled, start, capacity, seats in (
        SessionDayFact.objects.filter(scope)
        .values_list("session_id", "cancelled", "first_start", "capacity", "seats")
        .order_by()
    ):
        known = found.sessions.get(session)
        if known is None or start < known[1]:
            found.sessions[session] = (bool(cancelled), start, capacity, seats)
    found.waiting = array(
        "q",
        WaitlistFact.objects.filter(scope)
        .values_list("learner_id", flat=True)
        .order_by()
        .distinct(),
    )
    return found


Entry = dict[tuple[dt.date, dt.date], tuple[str, "Partial"]]
MEMO_ENTRIES = 256  # (organisation, year, filters) entries kept in this process
_memo: OrderedDict[str, Entry] = OrderedDict()
_memo_lock = threading.Lock()


def _recall(key: str) -> Entry:
    """An (organisation, year, filters) entry: from this process's memo (no unpickling: the
    network's 30 organisations are merged after each write), else from the shared cache."""
    with _memo_lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
            return dict(found)
    stored = cache.get(key)
    return dict(stored) if isinstance(stored, dict) else {}


def _keep(key: str, entry: Entry) -> None:
    with _memo_lock:
        _memo[key] = entry
        _memo.move_to_end(key)
        while len(_memo) > MEMO_ENTRIES:
            _memo.popitem(last=False)
    cache.set(key, entry, CACHE_SECONDS)


def forget() -> None:
    """Empty this process's memo (tests, with the cache)."""
    with _memo_lock:
        _memo.clear()


def partials(
    organisation_ids: Sequence[int],
    first: dt.date,
    last: dt.date,
    site: int | None,
    modules: list[int] | None,
) -> list[tuple[tuple[dt.date, dt.date], Partial]]:
    """Every (month piece, partial) of the organisations between two days: from the cache
    when the month's token is unchanged, else read from the facts (and cached)."""
    tokens = facts.month_tokens(organisation_ids, first, last)
    generation = facts.generation()
    filters = hashlib.sha256(f"{site}|{modules}".encode()).hexdigest()[:24]
    out: list[tuple[tuple[dt.date, dt.date], Partial]] = []
    for org in organisation_ids:
        for year in range(first.year, last.year + 1):
            key = f"reporting:partials:{org}:{year}:{filters}"
            entry = _recall(key)
            changed = False
            for piece in pieces(max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))):
                token = f"{generation}:{tokens.get((org, facts.month_key(piece[0])), '')}"
                known = entry.get(piece)
                if known is None or known[0] != token:
                    known = (token, _compute(org, piece[0], piece[1], site, modules))
                    entry[piece] = known
                    changed = True
                out.append((piece, known[1]))
            if changed:
                _keep(key, entry)
    return out


@dataclass(frozen=True)
class Merged:
    """The partials of a period added up (see the module docstring)."""

    groups: Counter[Profile]
    marks: int
    present: int
    seconds: int
    by_month: dict[tuple[int, int], tuple[int, int]]
    by_site: list[tuple[int | None, int, int]]
    by_module: list[tuple[int, int, int]]
    sessions: dict[int, tuple[bool, dt.datetime, int, int]]
    unmet: int


def merge(found: list[tuple[tuple[dt.date, dt.date], Partial]]) -> Merged:
    profile_of: dict[int, Profile] = {}
    months: dict[tuple[int, int], tuple[set[int], list[int]]] = {}
    sites: dict[int | None, tuple[set[int], list[int]]] = {}
    modules: dict[int, tuple[set[int], list[int]]] = {}
    sessions: dict[int, tuple[bool, dt.datetime, int, int]] = {}
    waiting: set[int] = set()
    marks = present = seconds = 0

    def add(into: dict[Any, tuple[set[int], list[int]]], key: Any, people: Any, sec: int) -> None:
        known = into.get(key)
        if known is None:
            known = into[key] = (set(), [0])
        known[0].update(people)
        known[1][0] += sec

    for (first, _last), part in found:
        marks += part.marks
        present += part.present
        seconds += part.seconds
        profiles = part.profiles
        profile_of.update(
            zip(part.learners, map(profiles.__getitem__, part.profile_of), strict=True)
        )
        add(months, (first.year, first.month), part.learners, part.seconds)
        for site, (people, sec) in part.sites.items():
            add(sites, site, people, sec)
        for module, (people, sec) in part.modules.items():
            add(modules, module, people, sec)
        for session, row in part.sessions.items():
            known = sessions.get(session)
            if known is None or row[1] < known[1]:
                sessions[session] = row
        waiting.update(part.waiting)
    return Merged(
        groups=Counter(profile_of.values()),
        marks=marks,
        present=present,
        seconds=seconds,
        by_month={k: (len(v[0]), v[1][0]) for k, v in months.items()},
        by_site=[(k, len(v[0]), v[1][0]) for k, v in sites.items()],
        by_module=[(k, len(v[0]), v[1][0]) for k, v in modules.items()],
        sessions=sessions,
        unmet=len(waiting),
    )
