"""Pages of search results (``module_ids`` + ``paginate_ids``), as the catalogue lists use them.

They must list the same modules in the same order as ``search_modules`` (rank, then title,
then id), count them in the same statement as the page, and follow ``Paginator.get_page``'s
rules for odd page numbers. Runs on whichever database the suite uses.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet

from parcours.accounts.models import Organisation, User
from parcours.catalogue import search
from parcours.catalogue.models import Module
from parcours.catalogue.search import module_ids, paginate_ids, search_modules
from parcours.catalogue.tests.test_modules import make_module


@pytest.fixture
def catalogue(coordinator: User, org: Organisation) -> None:
    # Same words and lengths, different titles: equal ranks, so the title decides. Written
    # in an order that is neither the title order nor the rank order.
    for letter in "DBECA":
        make_module(
            coordinator,
            org,
            title_fr=f"Atelier numérique {letter}",
            summary_fr="Des outils numériques pour la classe.",
            publish=True,
        )
    make_module(  # matches "atelier" in its title and summary: ranked first
        coordinator,
        org,
        title_fr="Atelier zeta",
        summary_fr="Un atelier pour construire un atelier numérique.",
        publish=True,
    )
    make_module(coordinator, org, title_fr="Numérique et société", publish=True)
    make_module(coordinator, org, title_fr="Atelier numérique brouillon")  # a draft
    make_module(
        coordinator,
        org,
        title_fr="Atelier numérique virtuel",
        format="virtual_class",
        publish=True,
    )


@pytest.fixture(params=["join", "merge"])
def ranking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both SQLite strategies (search._SqliteHits): one joined statement (few matches) and
    the merge in Python (many matches: every match counts as many here)."""
    if request.param == "merge":
        monkeypatch.setattr(search, "_SQLITE_MANY_HITS", 1)


def expected(queryset: QuerySet[Module], query: str) -> list[int]:
    return list(search_modules(queryset, query).values_list("pk", flat=True))


def all_pages(ids: Any, per_page: int) -> tuple[list[int], int]:
    first = paginate_ids(ids, 1, per_page)
    found = list(first.object_list)
    for number in range(2, first.paginator.num_pages + 1):
        found += list(paginate_ids(ids, number, per_page).object_list)
    return found, first.paginator.count


QUERIES = ["numérique", "numerique", "atelier", "atelier numéri", '"atelier numérique"']


@pytest.mark.usefixtures("catalogue", "ranking")
@pytest.mark.parametrize("query", [*QUERIES, "atelier -zeta", "zythologie", "   ", '"'])
@pytest.mark.parametrize("per_page", [1, 3, 20])
def test_pages_list_what_search_modules_lists_in_its_order(query: str, per_page: int) -> None:
    published = Module.objects.published().order_by("title_fr", "pk")
    wanted = expected(published, query)
    assert all_pages(module_ids(published, query), per_page) == (wanted, len(wanted))


@pytest.mark.usefixtures("catalogue", "ranking")
def test_equal_ranks_are_listed_by_title() -> None:
    published = Module.objects.published().order_by("title_fr", "pk")
    titles = dict(Module.objects.values_list("pk", "title_fr"))
    found, _count = all_pages(module_ids(published, "atelier"), 2)
    listed = [titles[pk] for pk in found]
    assert listed[0] == "Atelier zeta"
    twins = [f"Atelier numérique {c}" for c in "ABCDE"]
    assert [title for title in listed if title in twins] == twins
    start = listed.index(twins[0])
    assert listed[start : start + 5] == twins  # equal ranks: next to each other
    assert "Atelier numérique brouillon" not in listed


@pytest.mark.usefixtures("catalogue", "ranking")
def test_filters_and_other_orders_are_kept() -> None:
    virtual = Module.objects.published().filtered(format="virtual_class").order_by("title_fr")
    assert all_pages(module_ids(virtual, "numérique"), 20)[0] == expected(virtual, "numérique")
    by_code = Module.objects.order_by("-code", "pk")  # a blank query keeps the given order
    assert all_pages(module_ids(by_code, ""), 4)[0] == list(by_code.values_list("pk", flat=True))
    assert all_pages(module_ids(Module.objects.none(), "atelier"), 20) == ([], 0)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("number", ["1", "2", "3", "999", "0", "-1", "abc", "", None, 2])
def test_odd_page_numbers_follow_get_page(number: Any) -> None:
    published = Module.objects.published().order_by("title_fr", "pk")
    page = paginate_ids(module_ids(published, "numérique"), number, 2)
    reference = Paginator(expected(published, "numérique"), 2).get_page(number)
    assert (page.number, list(page.object_list)) == (reference.number, reference.object_list)
    assert page.paginator.count == reference.paginator.count


@pytest.mark.usefixtures("catalogue")
def test_a_page_and_the_count_are_one_search(django_assert_num_queries: Any) -> None:
    # PostgreSQL: one statement (the page and COUNT(*) OVER ()). SQLite: a count of the
    # full-text matches (it picks the ranking strategy), then the statement that ranks them.
    sqlite = connection.vendor == "sqlite"
    published = Module.objects.published().order_by("title_fr", "pk")
    with django_assert_num_queries(2 if sqlite else 1):
        page = paginate_ids(module_ids(published, "numérique"), 2, 3)
        assert page.paginator.count == 8
        assert len(page.object_list) == 3
    with django_assert_num_queries(1):  # nothing found: the empty first page says 0
        assert paginate_ids(module_ids(published, "zythologie"), 1, 3).paginator.count == 0
    # Beyond the last page: PostgreSQL counts, then reads the last page; SQLite reads every
    # ranked id anyway.
    with django_assert_num_queries(2 if sqlite else 3):
        assert paginate_ids(module_ids(published, "numérique"), 9, 3).number == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage only")
@pytest.mark.django_db
def test_the_search_vector_is_kept_in_the_row_on_postgresql() -> None:
    # Reading it out of line (TOAST) made every search over many modules several times slower.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'catalogue_module'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)
