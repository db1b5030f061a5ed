"""Organisation slugs that would be shadowed by a literal address.

Many pages put the organisation's slug right after an app's prefix (``/catalogue/<org>/``,
``/orientation/<org>/``…), beside literal pages under the same prefix (``/catalogue/gestion/``,
``/orientation/classe/``). An organisation called "gestion" would never reach its own pages.
The reserved words are read from the URLconf itself, so a new literal page of any app is
covered without a list to keep up to date.
"""

from __future__ import annotations

from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

ORG_PARAMETER = "<slug:org_slug>"


def _first_segment(pattern: URLPattern | URLResolver) -> str:
    route = str(pattern.pattern)
    return route.split("/", 1)[0]


def _collect(patterns: list[URLPattern | URLResolver], found: set[str]) -> None:
    segments = [_first_segment(p) for p in patterns]
    if ORG_PARAMETER in segments:
        found.update(s for s in segments if s and "<" not in s and not s.startswith("^"))
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _collect(list(pattern.url_patterns), found)


@cache
def reserved_slugs() -> frozenset[str]:
    """The literal first segments beside an ``<slug:org_slug>`` in any part of the site."""
    found: set[str] = set()
    _collect(list(get_resolver().url_patterns), found)
    return frozenset(s.rstrip("/").lower() for s in found if s)


def is_reserved(slug: str) -> bool:
    return slug.lower() in reserved_slugs()
