"""Full-text search: accents, case, several words, prefixes, ranking, hostile input.

Runs on whichever database the suite uses (SQLite FTS5 or PostgreSQL french_unaccent).
"""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from parcours.accounts.models import Organisation, User
from parcours.catalogue.models import Framework, Module
from parcours.catalogue.search import (
    fts5_expression,
    parse_query,
    search_modules,
    tsquery_prefix_expression,
)
from parcours.catalogue.tests.test_modules import (  # noqa: F401 - fixtures
    competence,
    digcomp,
    make_module,
)


def codes(query: str, queryset: QuerySet[Module] | None = None) -> list[str]:
    qs = Module.objects.all() if queryset is None else queryset
    return list(search_modules(qs, query).values_list("code", flat=True))


@pytest.fixture
def catalogue(coordinator: User, org: Organisation, digcomp: Framework) -> None:  # noqa: F811
    make_module(
        coordinator,
        org,
        code="EVAL",
        title_fr="Évaluation numérique",
        summary_fr="Concevoir des évaluations en ligne pour la classe.",
    )
    make_module(
        coordinator,
        org,
        code="IOT",
        title_fr="Internet des objets",
        summary_fr="Capteurs, réseaux et microcontrôleurs.",
        objectives_fr="- Programmer une carte micro:bit",
    )
    make_module(
        coordinator,
        org,
        code="IA-ETHIQUE",
        title_fr="Éthique et regard critique sur l'IA",
        summary_fr="Les modules d'intelligence artificielle en classe.",
        description_fr="Une séance consacrée à l'évaluation des outils.",
        competences=[(competence("1.1"), None)],
    )
    make_module(
        coordinator,
        org,
        code="JEU",
        title_fr="Apprentissage par le jeu",
        title_en="Game-based learning",
        summary_fr="Jeux sérieux et ludification.",
    )


pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.mark.parametrize(
    "query", ["evaluation", "Évaluation", "EVALUATION", "évaluation", "EvAlUaTiOn"]
)
def test_accents_and_case_do_not_matter(query: str) -> None:
    assert "EVAL" in codes(query)


def test_numerique_finds_numerique_with_accents() -> None:
    assert codes("numerique") == ["EVAL"]


def test_several_words_must_all_match() -> None:
    assert codes("evaluation numerique") == ["EVAL"]
    assert codes("evaluation objets") == []


def test_the_last_word_is_a_prefix_for_search_as_you_type() -> None:
    assert codes("numéri") == ["EVAL"]
    assert codes("internet des obj") == ["IOT"]


@pytest.mark.parametrize(("query", "code"), [("évaluations", "EVAL"), ("jeux", "JEU")])
def test_plural_and_singular_variants(query: str, code: str) -> None:
    assert code in codes(query)


def test_a_title_match_ranks_before_a_description_match() -> None:
    found = codes("évaluation")
    assert found[0] == "EVAL"
    assert "IA-ETHIQUE" in found  # only in its description


def test_every_field_is_searched() -> None:
    assert codes("capteurs") == ["IOT"]  # summary
    assert codes("micro") == ["IOT"]  # objectives
    assert codes("séance") == ["IA-ETHIQUE"]  # description
    assert codes("game-based") == ["JEU"]  # English title
    assert codes("IA-ETHIQUE") == ["IA-ETHIQUE"]  # code
    assert codes("filtrer des données") == ["IA-ETHIQUE"]  # targeted competence
    assert len(codes("technofutur")) == 4  # organisation name


def test_a_phrase_and_an_exclusion() -> None:
    assert codes('"internet des objets"') == ["IOT"]
    assert codes("évaluation -éthique") == ["EVAL"]


def test_no_result() -> None:
    assert codes("zythologie") == []


def test_a_blank_query_changes_nothing() -> None:
    assert len(codes("")) == 4
    assert len(codes("   ")) == 4


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "AND(",
        "OR",
        "NOT",
        "NEAR(a b",
        "a AND",
        "-",
        "--",
        "'",
        "\\",
        "^",
        ")",
        "(",
        "title:évaluation",
        "%",
        "_",
        "évaluation*",
        '"évaluation',
        "l'évaluation",
        "💡 jeu",
        "x\x00y",
        "select * from catalogue_module; --",
        "a" * 5000,
        " ".join(["jeu"] * 100),
    ],
)
def test_hostile_input_never_breaks_the_search(query: str) -> None:
    codes(query)  # no exception
    search_modules(Module.objects.all(), query).count()


def test_hostile_input_still_finds_the_words_in_it() -> None:
    assert codes('"évaluation') == codes("évaluation")
    assert "EVAL" in codes("l'évaluation")
    assert codes("AND( jeu") == [] or "JEU" in codes("AND( jeu")


def test_search_combines_with_filters_and_subqueries(coordinator: User) -> None:
    drafts = Module.objects.filter(code__in=["EVAL", "IOT"])
    assert codes("évaluation", drafts) == ["EVAL"]
    inner = search_modules(Module.objects.all(), "évaluation")
    outer = Module.objects.filter(pk__in=inner.values("pk")).values_list("code", flat=True)
    assert set(outer) == {"EVAL", "IA-ETHIQUE"}
    assert search_modules(Module.objects.all(), "évaluation").count() == 2


# --- Query parsing (no database needed, but cheap) ---------------------------------------


def test_parse_keeps_only_words_and_drops_stopwords() -> None:
    parsed = parse_query("L'évaluation des « outils » numériques")
    assert parsed.terms == [["evaluation"], ["outils"], ["numeriques"]]
    assert not parsed.has_operators


def test_parse_keeps_stopwords_when_there_is_nothing_else() -> None:
    assert parse_query("de la").terms == [["de"], ["la"]]


def test_fts5_expression_quotes_every_word() -> None:
    assert fts5_expression(parse_query('NEAR( "x y" -z numéri')) == (
        '"near"* "x y" "numeri"* NOT "z"'
    )
    assert fts5_expression(parse_query("ia ")) == '"ia"'


def test_tsquery_prefix_expression() -> None:
    assert tsquery_prefix_expression(parse_query("évaluation numéri")) == ("evaluation & numeri:*")
