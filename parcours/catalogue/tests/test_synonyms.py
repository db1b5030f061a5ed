"""Search synonyms and "Vouliez-vous dire … ?" (issue #9): « intelligence artificielle »
found nothing although modules were about « IA »; a typo found nothing and suggested nothing.

Runs on whichever database the suite uses (SQLite FTS5 or PostgreSQL).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions, suggestions
from parcours.catalogue.models import Module, SearchSynonym
from parcours.catalogue.search import (
    build_synonyms,
    expand_query,
    fts5_expression,
    parse_query,
    search_modules,
    tsquery_expression,
)
from parcours.catalogue.tests.test_modules import make_module

LIST = reverse("catalogue:public_list")


def codes(query: str, queryset: QuerySet[Module] | None = None) -> list[str]:
    qs = Module.objects.all() if queryset is None else queryset
    synonyms = suggestions.synonyms_for(None)
    return sorted(search_modules(qs, query, synonyms).values_list("code", flat=True))


@pytest.fixture
def catalogue(coordinator: User, org: Organisation) -> None:
    make_module(coordinator, org, code="IA-1", title_fr="L'IA en classe", publish=True)
    make_module(
        coordinator,
        org,
        code="IA-2",
        title_fr="Éthique",
        summary_fr="Les outils d'intelligence artificielle et leurs biais.",
        publish=True,
    )
    make_module(coordinator, org, code="TIC", title_fr="Les TIC au quotidien", publish=True)
    make_module(coordinator, org, code="JEU", title_fr="Apprendre par le jeu", publish=True)


# --- Query expansion (pure) ---------------------------------------------------------------

SYNONYMS = build_synonyms(
    [
        ["IA", "intelligence artificielle", "AI"],
        ["TIC", "technologies de l'information et de la communication"],
    ]
)


def test_a_synonym_expands_both_ways_whatever_the_case_and_accents() -> None:
    ia = expand_query(parse_query("IA"), SYNONYMS)
    assert ia.terms == [["ia"]]
    assert ia.alternatives == [[["intelligence", "artificielle"], ["ai"]]]
    both = expand_query(parse_query("Intelligence ARTIFICIELLE éthique"), SYNONYMS)
    assert both.terms == [["intelligence", "artificielle"], ["ethique"]]
    assert both.loose == [True, False]  # the typed words, each required, or a synonym
    assert both.alternatives[0] == [["ia"], ["ai"]]
    assert both.alternatives[1] == []
    assert fts5_expression(both) == (
        '(("intelligence"* "artificielle"*) OR "ia" OR "ai") AND "ethique"*'
    )
    quoted = expand_query(parse_query('"intelligence artificielle"'), SYNONYMS)
    assert quoted.loose == [False]
    # Plurals and stopwords do not matter: "technologie information" is the same key.
    tic = expand_query(
        parse_query("technologies de l'information et de la communication"), SYNONYMS
    )
    assert tic.alternatives[0] == [["tic"]]


def test_fts5_and_tsquery_expressions_of_an_expanded_query() -> None:
    parsed = expand_query(parse_query("ia -jeu"), SYNONYMS)
    assert fts5_expression(parsed) == ('("ia"* OR "intelligence artificielle" OR "ai") NOT "jeu"')
    assert tsquery_expression(parsed) == "(ia | intelligence <-> artificielle | ai) & !(jeu)"


def test_the_word_being_typed_is_one_prefix_in_the_tsquery() -> None:
    # "ia:*" finds all that "ia" finds: the word as typed is not also searched on its own.
    assert tsquery_expression(expand_query(parse_query("ia"), SYNONYMS)) == (
        "(ia:* | intelligence <-> artificielle | ai)"
    )
    loose = expand_query(parse_query("cours intelligence artificielle"), SYNONYMS)
    assert tsquery_expression(loose) == ("(cours) & ((intelligence & artificielle:*) | ia | ai)")


words = st.text(alphabet="abcdeéèiIAl TIC'\"-", min_size=0, max_size=40)
groups = st.lists(st.lists(words, min_size=1, max_size=4), max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words, groups)
def test_expansion_keeps_every_word_and_makes_valid_expressions(
    query: str, synonym_groups: list[list[str]]
) -> None:
    synonyms = build_synonyms(synonym_groups)
    parsed = parse_query(query)
    expanded = expand_query(parsed, synonyms)
    # Expansion only regroups the user's words and adds alternatives; it never drops one.
    assert [w for t in expanded.terms for w in t] == [w for t in parsed.terms for w in t]
    assert expanded.excluded == parsed.excluded
    if not synonyms:
        assert expanded == parsed
    else:
        assert len(expanded.alternatives) == len(expanded.terms) == len(expanded.loose)
    if expanded.is_empty:
        return
    # The FTS5 expression always parses (the engine is the judge).
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('ia intelligence artificielle tic jeu')")
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", [fts5_expression(expanded)]).fetchall()
    # The raw tsquery is made of words and operators only, parentheses balanced.
    text = tsquery_expression(expanded)
    assert re.fullmatch(r"[\w\s()|&!<>:*-]+", text), text
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


@settings(max_examples=200, deadline=None)
@given(words, st.sampled_from([str.upper, str.lower, str.title]))
def test_expansion_ignores_case_and_accents(query: str, change: Any) -> None:
    """« Intelligence Artificielle », « INTELLIGENCE ARTIFICIELLE » and « intelligence
    artificielle » are the same search, synonyms included."""
    plain = expand_query(parse_query(query), SYNONYMS)
    changed = expand_query(parse_query(change(query)), SYNONYMS)
    assert changed == plain
    if not plain.is_empty:
        assert fts5_expression(changed) == fts5_expression(plain)
    assert expand_query(parse_query(query.replace("e", "é")), SYNONYMS) == plain


# --- Searching with synonyms -----------------------------------------------------------------


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "query",
    ["intelligence artificielle", "Intelligence Artificielle", "INTELLIGENCE artificielle", "ia"],
)
def test_the_seeded_synonyms_find_what_the_words_alone_do_not(query: str) -> None:
    """Platform-wide defaults come with the migration: IA ↔ intelligence artificielle."""
    assert SearchSynonym.objects.filter(organisation=None, term="IA").exists()
    assert codes(query) == ["IA-1", "IA-2"]


@pytest.mark.usefixtures("catalogue")
def test_technologies_de_l_information_finds_tic() -> None:
    # Every module's text names its organisation, "Technofutur TIC": the TIC module, with the
    # word in its title, comes first.
    found = search_modules(
        Module.objects.all(),
        "technologies de l'information et de la communication",
        suggestions.synonyms_for(None),
    )
    assert found.values_list("code", flat=True)[0] == "TIC"


@pytest.mark.usefixtures("catalogue")
def test_the_public_list_uses_synonyms_and_says_so(client: Client) -> None:
    html = client.get(LIST, {"q": "intelligence artificielle"}).content.decode()
    assert "L&#x27;IA en classe" in html or "L'IA en classe" in html
    assert "Recherche élargie aux synonymes" in html


def test_an_organisations_synonym_applies_to_its_searches(
    coordinator: User, org: Organisation
) -> None:
    make_module(coordinator, org, code="MB", title_fr="Micro:bit en classe", publish=True)
    assert codes("carte programmable") == []
    actions.create_synonym(
        actor=Actor.of(coordinator),
        organisation=org,
        term="carte programmable",
        expansions="micro:bit, arduino",
    )
    assert codes("carte programmable") == ["MB"]
    assert codes("cartes programmables") == ["MB"]


# --- Did you mean ----------------------------------------------------------------------------


@pytest.mark.usefixtures("catalogue")
def test_a_typo_suggests_the_catalogues_own_word(client: Client) -> None:
    html = client.get(LIST, {"q": "intellignce artificiele"}).content.decode()
    assert "Vouliez-vous dire" in html
    assert "intelligence artificielle" in html
    assert "q=intelligence+artificielle" in html
    # The suggestion finds something.
    assert codes("intelligence artificielle")


def test_a_suggestion_keeps_the_accents_of_the_catalogue(
    client: Client, coordinator: User, org: Organisation
) -> None:
    make_module(coordinator, org, code="EV", title_fr="Évaluation numérique", publish=True)
    html = client.get(LIST, {"q": "evalutaion numerqiue"}).content.decode()
    assert "Vouliez-vous dire « <a" in html
    assert ">évaluation numérique</a> »" in html


@pytest.mark.usefixtures("catalogue")
def test_no_suggestion_when_the_search_finds_something_or_nothing_is_close(
    client: Client,
) -> None:
    assert "Vouliez-vous dire" not in client.get(LIST, {"q": "jeu"}).content.decode()
    assert "Vouliez-vous dire" not in client.get(LIST, {"q": "zythologie"}).content.decode()


def test_a_drafts_words_are_never_suggested(
    client: Client, coordinator: User, org: Organisation
) -> None:
    make_module(coordinator, org, code="SECRET", title_fr="Cryptographie quantique")
    make_module(coordinator, org, code="PUB", title_fr="Apprendre par le jeu", publish=True)
    html = client.get(LIST, {"q": "kryptographie quantik"}).content.decode()
    assert "Vouliez-vous dire" not in html
    assert "quantique" not in html.split("Aucun module ne correspond", 1)[-1]
    # Its own coordinator, in the management list, does get it.
    client.force_login(coordinator)
    own = client.get(reverse("catalogue:manage_list"), {"q": "kryptographie quantik"})
    assert "Vouliez-vous dire" in own.content.decode()


def test_closest_word_ranking() -> None:
    vocabulary = suggestions.Vocabulary.of(
        {"intelligence": 5, "intelligent": 1, "artificielle": 4, "jeu": 3, "evaluation": 2}
    )
    assert vocabulary.closest("inteligence") == "intelligence"
    assert vocabulary.closest("evalutaion") == "evaluation"
    assert vocabulary.closest("zzzzzz") is None
    assert vocabulary.knows("intell", as_prefix=True)  # the last word, as typed so far
    assert not vocabulary.knows("intell")
    assert suggestions.suggest("inteligence artificiele", vocabulary) == (
        "intelligence artificielle"
    )
    assert suggestions.suggest("jeu", vocabulary) is None


# --- Editing synonyms --------------------------------------------------------------------------


def test_synonym_actions_validate_and_respect_tenants(
    coordinator: User, outsider: User, org: Organisation, other_org: Organisation
) -> None:
    alice = Actor.of(coordinator)
    synonym = actions.create_synonym(
        actor=alice, organisation=org, term="  PIX ", expansions="certification numérique, ,"
    )
    assert (synonym.term, synonym.expansions) == ("PIX", "certification numérique")
    with pytest.raises(ValidationError) as exc:
        actions.create_synonym(actor=alice, organisation=org, term="pix", expansions="x y")
    assert "existe déjà" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        actions.create_synonym(actor=alice, organisation=org, term="!!", expansions="")
    assert set(exc.value.message_dict) == {"term", "expansions"}
    with pytest.raises(PermissionDenied):
        actions.create_synonym(actor=Actor.of(outsider), organisation=org, term="A", expansions="B")
    with pytest.raises(PermissionDenied):  # platform-wide: platform administrators only
        actions.create_synonym(actor=alice, organisation=None, term="A", expansions="B")
    with pytest.raises(PermissionDenied):
        actions.delete_synonym(actor=Actor.of(outsider), synonym=synonym)


def test_the_synonyms_page(
    as_user, coordinator: User, outsider: User, learner: User, org: Organisation
) -> None:
    url = reverse("catalogue:synonyms")
    client = as_user(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "intelligence artificielle" in page.content.decode()  # the platform-wide list
    bad = client.post(url, {"term": "", "expansions": ""})
    assert bad.status_code == 422
    assert 'class="error-summary"' in bad.content.decode()
    assert client.post(url, {"term": "PIX", "expansions": "certification"}).status_code == 302
    synonym = SearchSynonym.objects.get(organisation=org, term="PIX")
    edit = reverse("catalogue:synonym_edit", args=[synonym.pk])
    assert client.post(edit, {"term": "PIX", "expansions": "certif, pix.fr"}).status_code == 302
    synonym.refresh_from_db()
    assert synonym.expansions == "certif, pix.fr"
    # Another organisation's coordinator: the same 404 as for an id nobody has.
    other = as_user(outsider)
    assert other.get(edit).status_code == 404
    delete = reverse("catalogue:synonym_delete", args=[synonym.pk])
    assert other.post(delete).status_code == 404
    common = SearchSynonym.objects.filter(organisation=None).first()
    assert common is not None
    assert other.post(reverse("catalogue:synonym_delete", args=[common.pk])).status_code == 404
    # A learner may not manage synonyms at all.
    assert as_user(learner).get(url).status_code == 403
    as_user(coordinator).post(delete)
    assert not SearchSynonym.objects.filter(pk=synonym.pk).exists()


def test_a_platform_administrator_edits_the_common_synonyms(client: Client, db: Any) -> None:
    root = User.objects.create_superuser(email="root@parcours.test", password="x")
    client.force_login(root)
    response = client.post(
        reverse("catalogue:synonyms"),
        {"term": "LMS", "expansions": "plateforme d'apprentissage", "platform_wide": "on"},
    )
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(organisation=None, term="LMS").exists()
