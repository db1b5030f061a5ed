from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.pathways.models import Pathway

from .conftest import AI_RULE, complete


@pytest.fixture(autouse=True)
def _french(settings):
    settings.LANGUAGE_CODE = "fr"


def test_public_pathway_page_lists_the_rule_in_words(client, ai_pathway: Pathway) -> None:
    response = client.get(reverse("pathways:detail", args=["technofutur-tic", "REF-IA"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Référent IA" in body
    assert "Module de clôture" in body
    assert "parmi" in body


def test_an_archived_module_is_named_without_a_link_to_a_missing_page(
    client, as_user, ai_pathway: Pathway, ai_modules, coordinator: User, learner: User
) -> None:
    from parcours.catalogue import actions as catalogue_actions

    closing = ai_modules["CLOT"]
    catalogue_actions.archive_module(actor=Actor.of(coordinator), module=closing)
    closing_url = reverse("catalogue:detail", args=["technofutur-tic", closing.code])
    option_url = reverse("catalogue:detail", args=["technofutur-tic", ai_modules["O1"].code])
    page = reverse("pathways:detail", args=["technofutur-tic", "REF-IA"])
    assert client.get(closing_url).status_code == 404  # the page the link pointed to
    body = client.get(page).content.decode()
    assert closing.code in body and "module retiré du catalogue" in body
    assert closing_url not in body
    assert option_url in body  # the published modules keep their link
    # The learner's progress lists it the same way; the coordinator still reaches its page.
    complete(learner, ai_modules, "M1A")
    assert closing_url not in as_user(learner).get(page).content.decode()
    assert closing_url in as_user(coordinator).get(page).content.decode()


def test_draft_pathway_is_not_public(client, ai_pathway: Pathway, coordinator: User) -> None:
    from parcours.pathways import actions

    actions.set_pathway_status(actor=Actor.of(coordinator), pathway=ai_pathway, status="draft")
    url = reverse("pathways:detail", args=["technofutur-tic", "REF-IA"])
    assert client.get(url).status_code == 404
    assert "Référent IA" not in client.get(reverse("pathways:public_list")).content.decode()


def test_coordinator_creates_a_pathway_through_the_form(
    as_user, coordinator: User, ai_modules
) -> None:
    client = as_user(coordinator)
    response = client.post(
        reverse("pathways:manage_create"),
        {"code": "NEW", "title_fr": "Nouveau parcours", "rule_text": AI_RULE},
    )
    pathway = Pathway.objects.get(code="NEW")
    assert response.status_code == 302
    assert response.url == reverse("pathways:manage_detail", args=[pathway.pk])
    assert pathway.status == Pathway.Status.DRAFT
    detail = client.get(response.url).content.decode()
    assert "Module de clôture" in detail


def test_form_shows_rule_errors_and_writes_nothing(as_user, coordinator: User, ai_modules) -> None:
    client = as_user(coordinator)
    response = client.post(
        reverse("pathways:manage_create"),
        {"code": "BAD", "title_fr": "Mauvais", "rule_text": "M1A & INCONNU"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "INCONNU" in body
    assert 'role="alert"' in body
    assert not Pathway.objects.filter(code="BAD").exists()


def test_rule_preview_explains_or_lists_errors(as_user, coordinator: User, ai_modules) -> None:
    client = as_user(coordinator)
    ok = client.post(reverse("pathways:rule_preview"), {"rule_text": AI_RULE}).content.decode()
    assert "4 exigences" in ok
    bad = client.post(reverse("pathways:rule_preview"), {"rule_text": "3 parmi (M1A, M1B)"})
    assert "n'est pas valable" in bad.content.decode()


def test_rule_errors_say_where_in_words_never_a_json_path(
    as_user, coordinator: User, ai_modules
) -> None:
    """Issue #9: "/all_of/1/at_least" meant nothing to a coordinator."""
    client = as_user(coordinator)
    response = client.post(
        reverse("pathways:rule_preview"), {"rule_text": "M1A & 3 parmi (O1, O2)"}
    )
    body = response.content.decode()
    assert "Dans la 2e condition du « et », le nombre d&#x27;un « … parmi »" in body
    assert "/all_of" not in body
    saved = client.post(
        reverse("pathways:manage_create"),
        {"code": "BAD2", "title_fr": "Mauvais", "rule_text": "M1A & 3 parmi (O1, O2)"},
    ).content.decode()
    assert "Dans la 2e condition du « et »" in saved
    assert "/all_of" not in saved


def test_the_saved_rule_reads_in_the_interface_language(
    as_user, coordinator: User, ai_pathway: Pathway
) -> None:
    client = as_user(coordinator)
    page = client.get(reverse("pathways:manage_detail", args=[ai_pathway.pk])).content.decode()
    assert "2 parmi (O1" in page
    assert "2 of (" not in page
    form = client.get(reverse("pathways:manage_edit", args=[ai_pathway.pk])).content.decode()
    assert "2 parmi (O1" in form


@pytest.mark.parametrize("who", ["trainer", "learner", "outsider"])
def test_management_pages_are_for_the_organisation_coordinators(
    request, as_user, who: str, ai_pathway: Pathway
) -> None:
    client = as_user(request.getfixturevalue(who))
    listing = client.get(reverse("pathways:manage_list"))
    # The outsider coordinates another organisation: they see their own (empty) list.
    assert listing.status_code == (200 if who == "outsider" else 403)
    assert "Référent IA" not in listing.content.decode()
    for name in ("manage_detail", "manage_edit", "manage_progress"):
        assert client.get(reverse(f"pathways:{name}", args=[ai_pathway.pk])).status_code in (
            403,
            404,
        )
    response = client.post(
        reverse("pathways:manage_status", args=[ai_pathway.pk]), {"status": "archived"}
    )
    assert response.status_code in (403, 404)
    ai_pathway.refresh_from_db()
    assert ai_pathway.status == Pathway.Status.PUBLISHED


def test_progress_table_and_learner_explanation(
    as_user,
    coordinator: User,
    learner: User,
    ai_pathway: Pathway,
    ai_modules,
    django_assert_max_num_queries,
) -> None:
    complete(learner, ai_modules, "M1A", "O1", "O2")
    for i in range(5):
        other = User.objects.create_user(email=f"l{i}@test.test", first_name=f"Apprenant·e-{i}")
        complete(other, ai_modules, "M1B", "O3", "O4", "CLOT")
    client = as_user(coordinator)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("pathways:manage_progress", args=[ai_pathway.pk]))
    body = page.content.decode()
    assert "6 apprenants ont commencé ce parcours" in body
    assert "Obtenu : 5 ; à une exigence près : 1." in body
    assert "Chloé Renard" in body and "Apprenant·e-1" in body
    one_short = client.get(
        reverse("pathways:manage_progress", args=[ai_pathway.pk]) + "?etat=presque"
    ).content.decode()
    # (Names with a "·": a CSRF token, letters and digits, cannot contain them by chance.)
    assert "Chloé Renard" in one_short and "Apprenant·e-1" not in one_short
    detail = client.get(reverse("pathways:learner_progress", args=[ai_pathway.pk, learner.pk]))
    assert "Module de clôture" in detail.content.decode()


def test_learner_sees_own_progress_but_not_others(
    as_user, learner: User, ai_pathway: Pathway, ai_modules
) -> None:
    complete(learner, ai_modules, "M1A", "O1", "O2")
    someone = User.objects.create_user(email="someone@test.test")
    client = as_user(learner)
    mine = client.get(reverse("pathways:my_progress")).content.decode()
    assert "Référent IA" in mine
    assert "Module de clôture" in mine
    other = client.get(reverse("pathways:learner_progress", args=[ai_pathway.pk, someone.pk]))
    assert other.status_code == 404


def test_outsider_coordinator_cannot_see_a_learner_of_another_org(
    as_user, outsider: User, learner: User, ai_pathway: Pathway
) -> None:
    response = as_user(outsider).get(
        reverse("pathways:learner_progress", args=[ai_pathway.pk, learner.pk])
    )
    assert response.status_code == 404
