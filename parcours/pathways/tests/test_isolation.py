"""Who may learn what: no page or API of pathways tells whether an id exists elsewhere, drafts
never leave their organisation, and every number from an address is bounded (issue #9)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.pathways import actions
from parcours.pathways.models import Pathway
from parcours.pathways.permissions import progress_learners
from parcours.pathways.tests.test_api import bearer

from .conftest import complete

HUGE = "99999999999999999999"


@pytest.fixture
def stranger(other_org: Organisation) -> User:
    """A learner of another organisation, with nothing to do with the pathway."""
    return make_person(other_org, Role.LEARNER, "sto@province.test", "Stéphane", "Olivier")


def evaluation(client: Client, pathway: Pathway, learner: int, who: User) -> tuple[int, str]:
    response = client.get(
        f"/api/v1/pathways/{pathway.pk}/evaluation", {"learner": learner}, headers=bearer(who)
    )
    return response.status_code, response.json().get("detail", "")


def test_the_evaluation_api_is_no_oracle_of_user_ids(
    client: Client, coordinator: User, learner: User, stranger: User, ai_pathway: Pathway
) -> None:
    """A coordinator asking about an account outside their scope gets exactly the answer an id
    nobody has gets."""
    unknown = User.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    assert evaluation(client, ai_pathway, learner.pk, coordinator)[0] == 200
    outside = evaluation(client, ai_pathway, stranger.pk, coordinator)
    nobody = evaluation(client, ai_pathway, unknown, coordinator)
    assert outside == nobody
    assert outside[0] == 404


def test_a_learner_of_the_pathway_from_elsewhere_is_in_the_coordinators_scope(
    client: Client, coordinator: User, stranger: User, ai_pathway: Pathway, ai_modules
) -> None:
    complete(stranger, ai_modules, "M1A")
    assert evaluation(client, ai_pathway, stranger.pk, coordinator)[0] == 200
    actor = Actor.of(coordinator)
    assert progress_learners(actor, ai_pathway).filter(pk=stranger.pk).exists()


def test_learners_never_see_each_other(
    client: Client, learner: User, stranger: User, ai_pathway: Pathway, ai_modules
) -> None:
    complete(stranger, ai_modules, "M1A")
    assert evaluation(client, ai_pathway, stranger.pk, learner)[0] == 404
    assert evaluation(client, ai_pathway, learner.pk, learner)[0] == 200


def test_a_draft_pathway_is_the_same_404_as_a_missing_one(
    client: Client, coordinator: User, outsider: User, learner: User, ai_pathway: Pathway
) -> None:
    actions.set_pathway_status(actor=Actor.of(coordinator), pathway=ai_pathway, status="draft")
    draft = client.get(f"/api/v1/pathways/{ai_pathway.pk}/evaluation", headers=bearer(outsider))
    missing = client.get(
        f"/api/v1/pathways/{ai_pathway.pk + 999}/evaluation", headers=bearer(outsider)
    )
    assert (draft.status_code, draft.json()) == (missing.status_code, missing.json())
    assert draft.status_code == 404
    # The page: the same for the public, the other organisation and a learner.
    url = reverse("pathways:detail", args=[ai_pathway.organisation.slug, ai_pathway.code])
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(learner)
    assert client.get(url).status_code == 404
    assert "REF-IA" not in client.get(reverse("pathways:public_list")).content.decode()
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_the_learner_progress_page_is_no_oracle(
    as_user, coordinator: User, outsider: User, learner: User, stranger: User, ai_pathway: Pathway
) -> None:
    def page(who: User, pathway_id: int, learner_id: int) -> int:
        url = reverse("pathways:learner_progress", args=[pathway_id, learner_id])
        return as_user(who).get(url).status_code

    unknown = stranger.pk + 1000
    assert page(coordinator, ai_pathway.pk, learner.pk) == 200
    assert page(coordinator, ai_pathway.pk, stranger.pk) == 404
    assert page(coordinator, ai_pathway.pk, unknown) == 404
    # Another organisation's coordinator: the learner exists, the pathway is public; still 404.
    assert page(outsider, ai_pathway.pk, learner.pk) == 404
    assert page(learner, ai_pathway.pk, learner.pk) == 200


@pytest.mark.parametrize(
    "params",
    [
        {"learner": HUGE},
        {"learner": "-1"},
        {"learner": "0"},
    ],
)
def test_evaluation_bounds(client: Client, learner: User, ai_pathway: Pathway, params) -> None:
    response = client.get(
        f"/api/v1/pathways/{ai_pathway.pk}/evaluation", params, headers=bearer(learner)
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/pathways/{HUGE}",
        f"/api/v1/pathways/{HUGE}/evaluation",
        "/api/v1/pathways?offset=" + HUGE,
        "/api/v1/pathways?limit=1000",
        "/api/v1/pathways?status=nonsense",
        "/api/v1/pathways?organisation=" + "x" * 200,
    ],
)
def test_pathway_api_bounds(client: Client, learner: User, url: str) -> None:
    response = client.get(url, headers=bearer(learner))
    assert response.status_code in (404, 422)
    assert response.status_code != 404 or "evaluation" not in url
    assert response["Content-Type"] == "application/problem+json"


def test_the_pathway_list_api_is_capped_and_paged(
    client: Client, coordinator: User, org: Organisation, ai_modules
) -> None:
    actor = Actor.of(coordinator)
    for n in range(3):
        pathway = actions.create_pathway(
            actor=actor,
            organisation=org,
            data=actions.PathwayData(code=f"P{n}", title_fr=f"Parcours {n}", rule_text="M1A"),
        )
        actions.set_pathway_status(actor=actor, pathway=pathway, status="published")
    first = client.get("/api/v1/pathways", {"limit": 2}).json()
    rest = client.get("/api/v1/pathways", {"limit": 2, "offset": 2}).json()
    assert [p["code"] for p in first + rest] == ["P0", "P1", "P2"]


@pytest.mark.parametrize("name", ["pathways:public_list", "manage_progress"])
def test_huge_page_numbers_are_a_clear_400(
    as_user, coordinator: User, ai_pathway: Pathway, name: str
) -> None:
    if name == "manage_progress":
        url = reverse("pathways:manage_progress", args=[ai_pathway.pk])
    else:
        url = reverse(name)
    response = as_user(coordinator).get(url, {"page": HUGE})
    assert response.status_code == 400
    assert "Numéro de page invalide" in response.content.decode()
    assert as_user(coordinator).get(url, {"page": "abc"}).status_code == 200


def test_huge_ids_in_paths_are_a_404_not_a_500(
    as_user, coordinator: User, ai_pathway: Pathway, learner: User
) -> None:
    huge = int(HUGE)
    client = as_user(coordinator)
    for url in [
        # Typed into the address: the bounded <id:> converter cannot even build these URLs.
        f"/parcours/{huge}/apprenants/{learner.pk}/",
        f"/parcours/{ai_pathway.pk}/apprenants/{huge}/",
        reverse("pathways:manage_detail", args=[1]).replace("/1/", f"/{huge}/"),
        reverse("pathways:manage_progress", args=[1]).replace("/1/", f"/{huge}/"),
        f"/catalogue/gestion/{HUGE}/",  # the <id:> converter: not even a route
        f"/catalogue/gestion/synonymes/{HUGE}/",
        reverse("catalogue:detail", args=[ai_pathway.organisation.slug, "Y" * 5000]),
    ]:
        assert client.get(url).status_code == 404, url
