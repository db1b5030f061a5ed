"""Accent-insensitive search of ESCO occupations over their French and English labels.

Each occupation carries ``search_text``: its preferred and alternative labels, folded
(``lib.text.fold``: lower case, no accents), one per line. A query is folded the same way and
cut into words; every word must appear (as a substring, so "electricien" finds
"électricien/électricienne" and "electri" finds it while typing). Results whose French preferred
label starts with the query come first, then those whose label contains it, then the others,
alphabetically. The table is a few thousand narrow rows (3,007 in ESCO v1.1.1): a scan of one
column on either engine, measured in benchmarks/bench_orientation_search.py.
"""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from parcours.lib.text import fold
from parcours.orientation.models import Occupation

MAX_QUERY_LENGTH = 120
MAX_WORDS = 6
_WORD = re.compile(r"[^\W_]+")


def query_words(query: str) -> list[str]:
    """The folded words of a query, at most ``MAX_WORDS``, nothing else (no operators)."""
    return _WORD.findall(fold((query or "")[:MAX_QUERY_LENGTH]))[:MAX_WORDS]


def search_occupations(query: str) -> QuerySet[Occupation]:
    """Occupations matching every word of ``query``, best first (empty query: none)."""
    words = query_words(query)
    if not words:
        return Occupation.objects.none()
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    phrase = " ".join(words)
    return (
        Occupation.objects.filter(condition)
        .annotate(
            rank=Case(
                When(sort_label__startswith=phrase, then=Value(0)),
                When(sort_label__contains=phrase, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("isco_group")
        .order_by("rank", "sort_label", "pk")
    )
