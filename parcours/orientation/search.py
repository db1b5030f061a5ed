"""Accent-insensitive search of ESCO occupations over their French and English labels.

Each occupation carries ``search_text``: its preferred and alternative labels, folded
(``lib.text.fold``: lower case, no accents), one per line, written by the importer. A query is
folded the same way and cut into words; every word must appear (as a substring, so
"electricien" finds "électricien/électricienne" and "electri" finds it while typing).

Ranking: an occupation whose French preferred label *is* the query ("électricien/électricienne"
for "electricien": ESCO labels are "masculine/feminine") comes first, then labels that start
with the query, then labels that contain it, then the others (a match on an alternative or
English label); shorter labels first within each rank, then alphabetically.

The index: the table holds 3,007 occupations whose rows are wide (two long descriptions), so a
``LIKE`` over every row read megabytes per query (p95 above 30 ms). The search instead runs over
an in-memory copy of the narrow columns (id, ``search_text``, ``sort_label``: a few hundred
kilobytes per process), then reads the page's occupations by id. The copy is rebuilt when the
table's fingerprint (row count and highest id, one cheap query per search) changes, when
``forget()`` is called (the importer does, on commit) and at the latest every ``TTL_SECONDS``
(a re-import that only changes labels, run by another process, shows within that delay). The
same code on SQLite and PostgreSQL; measured in benchmarks/bench_orientation_search.py.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass

from django.db.models import Count, Max

from parcours.lib.text import fold
from parcours.orientation.models import Occupation

MAX_QUERY_LENGTH = 120
MAX_WORDS = 6
TTL_SECONDS = 60.0
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Index:
    fingerprint: tuple[int, int | None]
    built_at: float
    rows: tuple[tuple[int, str, str], ...]  # (id, search_text, sort_label)
    text: str  # every search_text, separated by NUL (a word never spans two rows)
    starts: tuple[int, ...]  # where each row's text starts in ``text``

    def rows_containing(self, word: str) -> list[int]:
        """Indexes of the rows whose text contains ``word`` (``str.find`` over one string)."""
        found: list[int] = []
        position = self.text.find(word)
        while position != -1:
            row = bisect_right(self.starts, position) - 1
            found.append(row)
            if row + 1 >= len(self.starts):
                break
            position = self.text.find(word, self.starts[row + 1])
        return found


_index: _Index | None = None
_lock = threading.Lock()


def forget() -> None:
    """Drop this process's copy (after an import)."""
    global _index
    with _lock:
        _index = None


def _current() -> _Index:
    global _index
    counts = Occupation.objects.aggregate(n=Count("pk"), last=Max("pk"))
    fingerprint = (int(counts["n"] or 0), counts["last"])
    index = _index
    now = time.monotonic()
    if index is None or index.fingerprint != fingerprint or now - index.built_at > TTL_SECONDS:
        rows = tuple(Occupation.objects.values_list("pk", "search_text", "sort_label"))
        starts, position = [], 0
        for _pk, text, _label in rows:
            starts.append(position)
            position += len(text) + 1
        joined = "\x00".join(text for _pk, text, _label in rows)
        index = _Index(fingerprint, now, rows, joined, tuple(starts))
        with _lock:
            _index = index
    return index


def query_words(query: str) -> list[str]:
    """The folded words of a query, at most ``MAX_WORDS``, nothing else (no operators)."""
    return _WORD.findall(fold((query or "")[:MAX_QUERY_LENGTH]))[:MAX_WORDS]


def _rank(label: str, phrase: str) -> int:
    if label == phrase or label.startswith(phrase + "/"):
        return 0
    if label.startswith(phrase):
        return 1
    return 2 if phrase in label else 3


def occupation_ids(query: str) -> list[int]:
    """Ids of the occupations matching every word of ``query``, best first (empty: none)."""
    words = query_words(query)
    if not words:
        return []
    phrase = " ".join(words)
    index = _current()
    longest = max(words, key=len)  # the rarest, usually: the fewest candidates to check
    others = [word for word in words if word != longest]
    rows = index.rows
    hits = []
    for row in index.rows_containing(longest):
        pk, text, label = rows[row]
        if not others or all(word in text for word in others):
            hits.append((_rank(label, phrase), len(label), label, pk))
    hits.sort()
    return [hit[3] for hit in hits]


LONG_FIELDS = ("alt_labels_fr", "alt_labels_en", "description_fr", "description_en")


def in_order(ids: list[int], *, labels_only: bool = False) -> list[Occupation]:
    """The occupations of ``ids``, in that order, with their ISCO group (one query);
    ``labels_only``: without the long texts (descriptions, alternative labels)."""
    deferred = ("search_text", *LONG_FIELDS) if labels_only else ("search_text",)
    found = Occupation.objects.select_related("isco_group").defer(*deferred).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def search_occupations(
    query: str, limit: int = 20, *, labels_only: bool = False
) -> list[Occupation]:
    """The first ``limit`` occupations matching ``query``, best first, with their ISCO group."""
    return in_order(occupation_ids(query)[:limit], labels_only=labels_only)
