"""Ids in page addresses are bounded: an id beyond 64 bits is "not found", never an overflow
in the database (a 500 on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from parcours.accounts.models import Organisation, User

BIG = str(2**63)  # one beyond the largest id


def _ours(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Our views' routes (third-party apps' own, e.g. allauth's, are theirs)."""
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _ours(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "__module__", "").startswith(
            "parcours."
        ):
            yield route, entry.pattern


def test_no_page_address_takes_an_unbounded_integer() -> None:
    unbounded = [
        route
        for route, pattern in _ours(get_resolver().url_patterns)
        if any(isinstance(c, IntConverter) for c in getattr(pattern, "converters", {}).values())
    ]
    assert unbounded == [], "use <id:…> (parcours.lib.ids.IdConverter), not <int:…>"


@pytest.mark.parametrize(
    "name",
    [
        "enrolment:detail",
        "enrolment:manage_detail",
        "enrolment:roll_call",
        "pathways:manage_detail",
        "documents:download",
        "accounts:admin_member",
    ],
)
def test_an_id_beyond_64_bits_is_not_found(
    as_user: Any, coordinator: User, org: Organisation, name: str
) -> None:
    url = reverse(name, args=[1]).replace("/1/", f"/{BIG}/")
    assert as_user(coordinator).get(url).status_code == 404
