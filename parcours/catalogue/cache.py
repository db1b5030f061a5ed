"""What the catalogue's list pages keep between requests, and when it is forgotten.

**What is cached** (Django's ``default`` cache: per process with the default local-memory
backend, shared with a shared backend), for ``TIMEOUT`` seconds at most:

- the public list's filter options: organisations with published modules, frameworks and
  competences that published modules target (``filter_options``, one entry per language);
- the ranked ids of a search: one entry per full-text statement, that is per query text,
  filters, organisation and status (``search.SearchHits``). The modules shown are still read
  from the database on every request, through the page's own queryset.

**When it is forgotten**: every key contains the *catalogue generation*, a random value stored
in one row (``CatalogueGeneration``) and read once per list page (``generation()``, one tiny
query). Every write that changes what a list page shows gives it a new value, in the writing
transaction (``bump()``):

- saves and deletes of modules, their competence links, competences, competence areas,
  frameworks, proficiency levels and organisations (signals, see ``apps.py``);
- ``search.index_module`` / ``reindex_modules``, which every catalogue action calls (so the
  writes they make with ``update()`` or ``bulk_create`` count too), and the frameworks
  importer.

A reader reads the generation *before* the data, so an entry can hold newer data than its key
but never older: once a writer has committed, the next request reads the new generation and
misses. A write that bypasses all of the above (raw SQL, ``update()`` outside the actions)
shows after ``TIMEOUT`` seconds at the latest.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import get_language

from parcours.catalogue.models import CatalogueGeneration

T = TypeVar("T")

#: The longest an entry is kept (a safety net for writes that bypass ``bump``).
TIMEOUT = 300
#: The generation's row.
ROW = 1
#: The generation when the row is missing (e.g. right after a test database flush).
MISSING = "none"


def generation(using: str = DEFAULT_DB_ALIAS) -> str:
    """The current catalogue generation (read it before reading the data it keys)."""
    table = connections[using].ops.quote_name(CatalogueGeneration._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = %s", [ROW])  # noqa: S608
        row = cursor.fetchone()
    return str(row[0]) if row else MISSING


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Give the generation a new value (call it in the transaction that changes the data)."""
    value = uuid.uuid4().hex
    rows = CatalogueGeneration.objects.using(using)
    if not rows.filter(pk=ROW).update(value=value):
        rows.bulk_create([CatalogueGeneration(pk=ROW, value=value)], ignore_conflicts=True)
        rows.filter(pk=ROW).update(value=value)


def key(current: str, kind: str, *parts: object) -> str:
    """A cache key: the generation, what is cached, and a digest of what it depends on."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"parcours:catalogue:{current}:{kind}:{digest}"


def remember(cache_key: str, compute: Callable[[], T]) -> T:
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value


FilterOptions = tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[Any, Any]]]


def filter_options(current: str) -> FilterOptions:
    """(organisations, frameworks, competences) for ``CatalogueFilterForm``, in the active
    language: (slug, name), (slug, name) and grouped competence choices."""
    from parcours.catalogue.forms import published_competence_choices
    from parcours.catalogue.querysets import organisations_with_published_modules

    def compute() -> FilterOptions:
        frameworks, competences = published_competence_choices()
        organisations = list(organisations_with_published_modules().values_list("slug", "name"))
        return organisations, frameworks, competences

    return remember(key(current, "options", get_language()), compute)
