"""Catalogue pages: public list and module page, coordinator pages, isolation between orgs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import AuditEntry, Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions
from parcours.catalogue.models import Framework, Module
from parcours.catalogue.tests.test_modules import (  # noqa: F401 - fixtures
    competence,
    digcomp,
    digcompedu,
    level,
    make_module,
)

LIST = reverse("catalogue:public_list")
MANAGE = reverse("catalogue:manage_list")
CREATE = reverse("catalogue:manage_create")


def detail_url(module: Module) -> str:
    return reverse("catalogue:detail", args=[module.organisation.slug, module.code])


def edit_url(module: Module) -> str:
    return reverse("catalogue:manage_edit", args=[module.pk])


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "NEW-1",
        "duration_hours": "12,5",
        "format": "hybrid",
        "audience": "teachers",
        "language": "fr",
        "title_fr": "Classe inversée",
        "summary_fr": "Inverser la classe avec le numérique.",
        "objectives_fr": "",
        "description_fr": "",
        "prerequisites_fr": "",
        "title_en": "Flipped classroom",
        "summary_en": "",
        "objectives_en": "",
        "description_en": "",
        "prerequisites_en": "",
        "competences-TOTAL_FORMS": "3",
        "competences-INITIAL_FORMS": "0",
        "competences-MIN_NUM_FORMS": "0",
        "competences-MAX_NUM_FORMS": "50",
    }
    for i in range(3):
        data[f"competences-{i}-competence"] = ""
        data[f"competences-{i}-level"] = ""
    data.update(overrides)
    return data


# --- Public list -------------------------------------------------------------------------


@pytest.fixture
def published(coordinator: User, org: Organisation, digcomp: Framework) -> Module:  # noqa: F811
    return make_module(
        coordinator,
        org,
        code="EVAL",
        title_fr="Évaluation numérique",
        format="virtual_class",
        audience="teachers",
        competences=[(competence("1.1"), level(digcomp, "2"))],
        publish=True,
    )


@pytest.fixture
def draft(coordinator: User, org: Organisation) -> Module:
    return make_module(coordinator, org, code="SECRET", title_fr="Projet confidentiel")


def test_the_public_list_shows_published_modules_only(
    client: Client, published: Module, draft: Module, coordinator: User, org: Organisation
) -> None:
    archived = make_module(coordinator, org, title_fr="Module archivé", publish=True)
    from parcours.accounts.permissions import Actor
    from parcours.catalogue import actions

    actions.archive_module(actor=Actor.of(coordinator), module=archived)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Évaluation numérique" in html
    assert "Projet confidentiel" not in html
    assert "Module archivé" not in html
    assert 'role="status"' in html
    assert "1 module" in html


def test_searching_is_accent_insensitive_and_says_when_nothing_matches(
    client: Client, published: Module
) -> None:
    assert "Évaluation numérique" in client.get(LIST, {"q": "evaluation"}).content.decode()
    html = client.get(LIST, {"q": "zythologie"}).content.decode()
    assert "Aucun module ne correspond" in html
    assert "Aucun module trouvé pour « zythologie »" in html


def test_a_draft_is_not_found_by_search_either(client: Client, draft: Module) -> None:
    html = client.get(LIST, {"q": "confidentiel"}).content.decode()
    assert "Projet confidentiel" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"format": "virtual_class"}, True),
        ({"format": "in_person"}, False),
        ({"audience": "teachers"}, True),
        ({"audience": "pupils"}, False),
        ({"language": "fr"}, True),
        ({"language": "de"}, False),
        ({"organisation": "technofutur-tic"}, True),
        ({"organisation": "province-hainaut"}, False),
        ({"framework": "digcomp-3"}, True),
        ({"framework": "digcompedu"}, False),
        ({"format": "nonsense"}, True),  # an invalid filter is ignored
        ({"competence": "not-a-number"}, True),
    ],
)
def test_filters(
    client: Client,
    published: Module,
    digcompedu: Framework,  # noqa: F811
    params: dict[str, str],
    expected: bool,
) -> None:
    html = client.get(LIST, params).content.decode()
    assert ("Évaluation numérique" in html) is expected


def test_the_competence_filter_offers_competences_of_published_modules(
    client: Client, published: Module
) -> None:
    html = client.get(LIST).content.decode()
    assert "<optgroup" in html
    assert "Naviguer, rechercher et filtrer" in html
    assert "Programmation" not in html  # no published module targets it
    target = competence("1.1").pk
    assert "Évaluation numérique" in client.get(LIST, {"competence": target}).content.decode()
    other = competence("3.4").pk
    assert "Évaluation numérique" not in client.get(LIST, {"competence": other}).content.decode()


def test_pagination(client: Client, coordinator: User, org: Organisation, settings: Any) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for n in range(5):
        make_module(coordinator, org, title_fr=f"Module {n}", publish=True)
    first = client.get(LIST).content.decode()
    assert "5 modules" in first
    assert "Page 1 sur 3" in first
    assert 'rel="next"' in first
    last = client.get(LIST, {"page": 3}).content.decode()
    assert "Module 4" in last
    assert "Module 0" not in last
    assert client.get(LIST, {"page": "999"}).status_code == 200  # last page, not an error


def test_htmx_gets_only_the_results_and_the_count(client: Client, published: Module) -> None:
    response = client.get(LIST, {"q": "evaluation"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "Évaluation numérique" in html
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.content.decode()


def test_the_list_works_without_javascript(client: Client, published: Module) -> None:
    html = client.get(LIST).content.decode()
    assert 'method="get"' in html
    assert 'hx-get="/catalogue/"' in html
    assert 'hx-push-url="true"' in html
    assert '<label for="id_q"' in html


def test_list_query_count_does_not_grow_with_results(
    client: Client,
    coordinator: User,
    org: Organisation,
    digcomp: Framework,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(15):
        make_module(
            coordinator,
            org,
            title_fr=f"Module numérique {n}",
            competences=[(competence("1.1"), level(digcomp, "1")), (competence("3.4"), None)],
            publish=True,
        )
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"q": "numerique", "framework": "digcomp-3"})
    assert "15 modules" in response.content.decode()


def test_deep_pages_cost_the_same_queries_as_the_first(
    client: Client,
    coordinator: User,
    org: Organisation,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for n in range(7):
        make_module(coordinator, org, title_fr=f"Module numérique {n}", publish=True)
    # The catalogue generation, the filter options (2, then cached), then for a search the
    # synonyms (then cached) and one statement for the page's ids and the count (on SQLite, a
    # count of the full-text matches first); without a search the count and the ids; then the
    # page's modules and their competences.
    search_queries = 8 if connection.vendor == "sqlite" else 7
    for params, queries in (({"q": "numerique"}, search_queries), ({}, 7)):
        for page in ("1", "4"):
            cache.clear()  # each request as the first after a change of the catalogue
            with django_assert_num_queries(queries):
                html = client.get(LIST, {**params, "page": page}).content.decode()
            assert f"page {page} sur 4" in html
    last = client.get(LIST, {"q": "numerique", "page": "4"}).content.decode()
    assert "Module numérique 6" in last
    assert "Module numérique 0" not in last


def test_a_search_and_the_filters_are_read_once_per_catalogue_generation(
    client: Client,
    coordinator: User,
    org: Organisation,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for n in range(5):
        make_module(coordinator, org, title_fr=f"Module numérique {n}", publish=True)
    hx = {"HX-Request": "true"}  # the results region: no CSRF token, which changes each time
    first = client.get(LIST, {"q": "numerique"}, headers=hx).content.decode()
    # Again: the generation, then only the page's modules and their competences (the ranking
    # and the filter options come from the cache).
    with django_assert_num_queries(3):
        again = client.get(LIST, {"q": "numerique"}, headers=hx).content.decode()
    assert again == first
    assert "5 modules trouvés" in again
    # Another page: SQLite kept every ranked id; PostgreSQL reads that page (one statement).
    with django_assert_num_queries(3 if connection.vendor == "sqlite" else 4):
        assert "page 2 sur 3" in client.get(LIST, {"q": "numerique", "page": "2"}).content.decode()


def test_the_list_shows_a_change_of_the_catalogue_at_once(
    client: Client, coordinator: User, org: Organisation, outsider: User, other_org: Organisation
) -> None:
    make_module(coordinator, org, title_fr="Tableur débutant", publish=True)
    before = client.get(LIST, {"q": "tableur"}).content.decode()
    assert "1 module trouvé" in before
    assert other_org.name not in before  # no published module: not among the filters
    other = make_module(outsider, other_org, title_fr="Tableur avancé", publish=True)
    after = client.get(LIST, {"q": "tableur"}).content.decode()
    assert "2 modules trouvés" in after and "Tableur avancé" in after
    assert f'<option value="{other_org.slug}">{other_org.name}</option>' in after
    other_org.name = "Province du Hainaut"  # a save outside the catalogue's actions
    other_org.save()
    renamed = client.get(LIST, {"q": "tableur"}).content.decode()
    assert f'<option value="{other_org.slug}">Province du Hainaut</option>' in renamed
    actions.archive_module(actor=Actor.of(outsider), module=other)
    archived = client.get(LIST, {"q": "tableur"}).content.decode()
    assert "1 module trouvé" in archived and "Tableur avancé" not in archived
    assert other_org.slug not in archived


def test_list_query_count_for_a_signed_in_coordinator(
    as_user: Any,
    coordinator: User,
    org: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(12):
        make_module(coordinator, org, title_fr=f"Module {n}", publish=True)
    client = as_user(coordinator)
    with django_assert_max_num_queries(12):
        client.get(LIST)
    with django_assert_max_num_queries(12):
        client.get(MANAGE)


# --- Module page -------------------------------------------------------------------------


def test_the_module_page(client: Client, coordinator: User, org: Organisation) -> None:
    module = make_module(
        coordinator,
        org,
        code="MD",
        title_fr="Écrire en Markdown",
        description_fr="Du **gras** et une liste :\n\n- un\n- deux\n\n<script>alert('x')</script>",
        objectives_fr="Savoir [lier](javascript:alert(1)) et *souligner*.",
        prerequisites_fr="Aucun outil.",
        duration_hours="7.5",
        publish=True,
    )
    response = client.get(detail_url(module))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Écrire en Markdown</h1>" in html
    assert "<strong>gras</strong>" in html
    assert "<li>deux</li>" in html
    assert "<em>souligner</em>" in html
    assert "<script>alert" not in html
    assert "javascript:alert" not in html
    assert "7,5 heures" in html
    assert "Technofutur TIC" in html


def test_the_module_page_lists_competences_with_levels(client: Client, published: Module) -> None:
    html = client.get(detail_url(published)).content.decode()
    assert "Naviguer, rechercher et filtrer des données" in html
    assert "niveau 2 — Niveau 2" in html
    assert "DigComp 3.0" in html


@pytest.mark.parametrize("persona", [None, "learner", "outsider"])
def test_a_draft_page_is_404_outside_its_organisation_staff(
    persona: str | None, draft: Module, as_user: Any, client: Client, request: Any
) -> None:
    if persona:
        client = as_user(request.getfixturevalue(persona))
    assert client.get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize("persona", ["coordinator", "trainer"])
def test_staff_preview_their_drafts(
    persona: str, draft: Module, as_user: Any, request: Any
) -> None:
    html = as_user(request.getfixturevalue(persona)).get(detail_url(draft)).content.decode()
    assert "Projet confidentiel" in html
    assert "pas visible dans le catalogue public" in html
    assert ("Modifier ce module" in html) is (persona == "coordinator")


def test_an_unknown_module_is_404(client: Client, org: Organisation) -> None:
    assert client.get(reverse("catalogue:detail", args=[org.slug, "NOPE"])).status_code == 404


# --- Coordinator pages -------------------------------------------------------------------


def test_manage_pages_need_a_login(client: Client, draft: Module) -> None:
    for url in (MANAGE, CREATE, edit_url(draft)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/compte/connexion/" in response["Location"]


@pytest.mark.parametrize("persona", ["trainer", "learner", "logistics"])
def test_manage_pages_are_403_for_non_coordinators(
    persona: str, draft: Module, as_user: Any, request: Any
) -> None:
    client = as_user(request.getfixturevalue(persona))
    assert client.get(MANAGE).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(draft)).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    publish = reverse("catalogue:manage_publish", args=[draft.pk])
    assert client.post(publish).status_code == 403
    assert not Module.objects.filter(code="NEW-1").exists()


def test_the_manage_list_shows_every_status_of_my_organisation_only(
    as_user: Any,
    coordinator: User,
    outsider: User,
    other_org: Organisation,
    draft: Module,
    published: Module,
) -> None:
    make_module(outsider, other_org, title_fr="Module de la province")
    html = as_user(coordinator).get(MANAGE).content.decode()
    assert "Projet confidentiel" in html
    assert "Évaluation numérique" in html
    assert "Module de la province" not in html
    drafts_only = as_user(coordinator).get(MANAGE, {"status": "draft"}).content.decode()
    assert "Projet confidentiel" in drafts_only
    assert "Évaluation numérique" not in drafts_only
    searched = as_user(coordinator).get(MANAGE, {"q": "confidentiel"}).content.decode()
    assert "Projet confidentiel" in searched
    assert "Évaluation numérique" not in searched


def test_the_outsider_never_sees_or_changes_our_drafts(
    as_user: Any, outsider: User, draft: Module
) -> None:
    client = as_user(outsider)
    assert "Projet confidentiel" not in client.get(MANAGE).content.decode()
    assert client.get(edit_url(draft)).status_code == 404
    assert client.post(edit_url(draft), form_data(code="SECRET")).status_code == 404
    for name in ("manage_publish", "manage_archive", "manage_restore"):
        assert client.post(reverse(f"catalogue:{name}", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Module.Status.DRAFT
    assert draft.title_fr == "Projet confidentiel"


def test_the_form_is_labelled_and_bilingual(as_user: Any, coordinator: User) -> None:
    html = as_user(coordinator).get(CREATE).content.decode()
    assert "<legend>Français</legend>" in html
    assert '<legend lang="en">English</legend>' in html
    assert '<label for="id_title_fr">' in html
    assert '<label for="id_title_en">' in html
    assert '<label for="id_competences-0-competence">' in html
    assert '<label for="id_competences-0-level">' in html


def test_creating_a_module_through_the_form(
    as_user: Any,
    coordinator: User,
    org: Organisation,
    digcomp: Framework,  # noqa: F811
) -> None:
    data = form_data(
        **{
            "competences-0-competence": str(competence("3.4").pk),
            "competences-0-level": str(level(digcomp, "3").pk),
        }
    )
    response = as_user(coordinator).post(CREATE, data)
    module = Module.objects.get(code="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == edit_url(module)
    assert module.organisation == org
    assert module.status == Module.Status.DRAFT
    assert str(module.duration_hours) == "12.50"
    assert module.title_en == "Flipped classroom"
    assert [
        (x.competence.code, getattr(x.level, "code", None)) for x in module.competence_links.all()
    ] == [("3.4", "3")]
    assert AuditEntry.objects.filter(action="module.create", actor=coordinator).exists()


def test_bad_input_shows_errors_next_to_fields_and_writes_nothing(
    as_user: Any, coordinator: User
) -> None:
    response = as_user(coordinator).post(
        CREATE, form_data(title_fr="", duration_hours="0", format="telepathy")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Le formulaire contient 3 erreurs" in html
    assert 'id="id_title_fr_error"' in html
    assert 'aria-invalid="true"' in html
    assert "La durée doit être supérieure à zéro heure." in html
    assert not Module.objects.exists()


def test_a_duplicate_code_is_reported_on_the_code_field(
    as_user: Any, coordinator: User, draft: Module
) -> None:
    response = as_user(coordinator).post(CREATE, form_data(code="secret"))
    html = response.content.decode()
    assert "déjà utilisé par un autre module de votre organisation" in html
    assert 'id="id_code_error"' in html
    assert Module.objects.count() == 1


def test_a_level_of_another_framework_is_refused(
    as_user: Any,
    coordinator: User,
    digcomp: Framework,  # noqa: F811
    digcompedu: Framework,  # noqa: F811
) -> None:
    data = form_data(
        **{
            "competences-0-competence": str(competence("3.4").pk),
            "competences-0-level": str(level(digcompedu, "A1").pk),
        }
    )
    html = as_user(coordinator).post(CREATE, data).content.decode()
    assert "n'appartient pas au référentiel" in html or "n&#x27;appartient pas" in html
    assert not Module.objects.exists()


def test_editing_a_module(
    as_user: Any,
    coordinator: User,
    digcomp: Framework,  # noqa: F811
    published: Module,
) -> None:
    client = as_user(coordinator)
    page = client.get(edit_url(published)).content.decode()
    assert 'value="Évaluation numérique"' in page
    assert f'<option value="{competence("1.1").pk}" selected>' in page
    data = form_data(
        code="EVAL",
        title_fr="Évaluation numérique (v2)",
        **{
            "competences-INITIAL_FORMS": "1",
            "competences-0-competence": str(competence("1.1").pk),
            "competences-0-level": "",
            "competences-0-DELETE": "on",
            "competences-1-competence": str(competence("3.4").pk),
        },
    )
    response = client.post(edit_url(published), data)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title_fr == "Évaluation numérique (v2)"
    assert [x.competence.code for x in published.competence_links.all()] == ["3.4"]


def test_publish_archive_and_restore_buttons(
    as_user: Any, coordinator: User, draft: Module
) -> None:
    client = as_user(coordinator)
    page = client.get(edit_url(draft)).content.decode()
    assert reverse("catalogue:manage_publish", args=[draft.pk]) in page
    assert "csrfmiddlewaretoken" in page
    client.post(reverse("catalogue:manage_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Module.Status.PUBLISHED
    client.post(reverse("catalogue:manage_archive", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Module.Status.ARCHIVED
    response = client.post(reverse("catalogue:manage_restore", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Module.Status.DRAFT
    assert "Module remis en brouillon." in response.content.decode()


def test_publishing_an_incomplete_module_explains_why(
    as_user: Any, coordinator: User, org: Organisation
) -> None:
    module = make_module(coordinator, org, summary_fr="")
    response = as_user(coordinator).post(
        reverse("catalogue:manage_publish", args=[module.pk]), follow=True
    )
    assert "Un résumé en français est requis pour publier." in response.content.decode()
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT


def test_status_changes_need_post(as_user: Any, coordinator: User, draft: Module) -> None:
    url = reverse("catalogue:manage_publish", args=[draft.pk])
    assert as_user(coordinator).get(url).status_code == 405


def test_status_changes_need_the_csrf_token(coordinator: User, draft: Module) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(reverse("catalogue:manage_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Module.Status.DRAFT


# --- Admin (platform administrators) ------------------------------------------------------


def test_the_admin_browses_and_acts_through_the_actions(
    client: Client,
    draft: Module,
    digcomp: Framework,  # noqa: F811
) -> None:
    root = User.objects.create_superuser(email="root@parcours.test", password="x")
    client.force_login(root)
    for url in (
        reverse("admin:catalogue_framework_changelist"),
        reverse("admin:catalogue_framework_change", args=[digcomp.pk]),
        reverse("admin:catalogue_competence_changelist") + "?q=programmation",
        reverse("admin:catalogue_module_changelist") + "?status__exact=draft",
        reverse("admin:catalogue_module_change", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("admin:catalogue_module_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Module.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="module.publish", actor=root).exists()
