"""Catalogue API: frameworks, modules, filters, pagination, drafts only for their staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.catalogue.models import Framework, Module
from parcours.catalogue.tests.test_modules import (  # noqa: F401 - fixtures
    competence,
    digcomp,
    digcompedu,
    level,
    make_module,
)

API = "/api/v1"


def bearer(user: User) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def published(coordinator: User, org: Organisation, digcomp: Framework) -> Module:  # noqa: F811
    return make_module(
        coordinator,
        org,
        code="EVAL",
        title_fr="Évaluation numérique",
        format="virtual_class",
        audience="teachers",
        duration_hours="7.5",
        competences=[(competence("1.1"), level(digcomp, "2"))],
        publish=True,
    )


@pytest.fixture
def draft(coordinator: User, org: Organisation) -> Module:
    return make_module(coordinator, org, code="SECRET", title_fr="Projet confidentiel")


# --- Frameworks --------------------------------------------------------------------------


def test_list_frameworks(
    client: Client,
    digcomp: Framework,  # noqa: F811
    digcompedu: Framework,  # noqa: F811
) -> None:
    response = client.get(f"{API}/frameworks")
    assert response.status_code == 200
    assert [f["slug"] for f in response.json()] == ["digcomp-3", "digcompedu"]


def test_a_framework_with_its_areas_competences_and_levels(
    client: Client,
    digcomp: Framework,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}/frameworks/digcomp-3")
    body = response.json()
    assert body["name"] == "DigComp 3.0"
    assert [lv["code"] for lv in body["levels"]] == ["1", "2", "3", "4"]
    assert [a["code"] for a in body["areas"]] == ["1", "3"]
    assert body["areas"][0]["competences"][0]["code"] == "1.1"
    assert body["areas"][1]["competences"][0]["title_en"] == "Programming"


def test_an_unknown_framework_is_a_problem_404(client: Client, db: None) -> None:
    response = client.get(f"{API}/frameworks/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


# --- Modules -----------------------------------------------------------------------------


def test_modules_are_published_ones_only(client: Client, published: Module, draft: Module) -> None:
    body = client.get(f"{API}/modules").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == "EVAL"
    assert item["organisation"]["slug"] == "technofutur-tic"
    assert item["duration_hours"] == 7.5
    assert item["url"].endswith("/catalogue/technofutur-tic/EVAL/")
    assert item["competences"] == [
        {
            "competence": {
                "id": competence("1.1").pk,
                "code": "1.1",
                "title_fr": "Naviguer, rechercher et filtrer des données",
                "title_en": "Browsing, searching and filtering data",
                "framework": "digcomp-3",
            },
            "level": {
                "id": item["competences"][0]["level"]["id"],
                "code": "2",
                "name_fr": "Niveau 2",
                "name_en": "",
            },
        }
    ]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"q": "evaluation"}, 1),
        ({"q": "numerique"}, 1),
        ({"q": "confidentiel"}, 0),
        ({"q": '" NEAR( *'}, 0),
        ({"format": "virtual_class"}, 1),
        ({"format": "hybrid"}, 0),
        ({"audience": "teachers"}, 1),
        ({"language": "en"}, 0),
        ({"organisation": "technofutur-tic"}, 1),
        ({"organisation": "province-hainaut"}, 0),
        ({"framework": "digcomp-3"}, 1),
        ({"framework": "digcompedu"}, 0),
    ],
)
def test_module_filters(
    client: Client, published: Module, draft: Module, params: dict[str, str], count: int
) -> None:
    response = client.get(f"{API}/modules", params)
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_module_filter_by_competence(client: Client, published: Module) -> None:
    target = competence("1.1").pk
    assert client.get(f"{API}/modules", {"competence": target}).json()["count"] == 1
    other = competence("3.4").pk
    assert client.get(f"{API}/modules", {"competence": other}).json()["count"] == 0


def test_invalid_parameters_are_a_422_problem(client: Client, db: None) -> None:
    invalid: list[dict[str, str | int]] = [
        {"format": "telepathy"},
        {"limit": 1000},
        {"offset": -1},
        {"limit": 0},
    ]
    for params in invalid:
        response = client.get(f"{API}/modules", params)
        assert response.status_code == 422, params
        assert response["Content-Type"] == "application/problem+json"


def test_pagination_with_limit_and_offset(
    client: Client, coordinator: User, org: Organisation
) -> None:
    for n in range(5):
        make_module(coordinator, org, code=f"P{n}", title_fr=f"Module {n}", publish=True)
    body = client.get(f"{API}/modules", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert (body["limit"], body["offset"]) == (2, 2)
    assert [m["code"] for m in body["items"]] == ["P2", "P3"]


def test_module_list_query_count_is_constant(
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
    # With a search: the catalogue generation and the synonyms (cached by generation after the
    # first request), the count, the page, the competences.
    with django_assert_max_num_queries(5):
        body = client.get(f"{API}/modules", {"q": "numerique", "limit": "100"}).json()
    assert body["count"] == 15
    headers = bearer(coordinator)
    with django_assert_max_num_queries(7):
        client.get(f"{API}/modules", {"status": "draft"}, headers=headers)


def test_one_module(client: Client, published: Module) -> None:
    response = client.get(f"{API}/modules/{published.pk}")
    assert response.status_code == 200
    assert response.json()["title_fr"] == "Évaluation numérique"


def test_an_unknown_module_is_a_problem_404(client: Client, db: None) -> None:
    response = client.get(f"{API}/modules/999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- Drafts: only for their organisation's staff ------------------------------------------


def test_anonymous_callers_never_see_drafts(client: Client, draft: Module) -> None:
    assert client.get(f"{API}/modules", {"status": "draft"}).json()["count"] == 0
    assert client.get(f"{API}/modules/{draft.pk}").status_code == 404


def test_a_coordinator_with_a_token_sees_their_drafts(
    client: Client, coordinator: User, draft: Module, published: Module
) -> None:
    headers = bearer(coordinator)
    body = client.get(f"{API}/modules", {"status": "draft"}, headers=headers).json()
    assert [m["code"] for m in body["items"]] == ["SECRET"]
    assert body["items"][0]["status"] == "draft"
    assert client.get(f"{API}/modules/{draft.pk}", headers=headers).status_code == 200
    # Without ?status, the list stays the public catalogue.
    default = client.get(f"{API}/modules", headers=headers).json()
    assert [m["code"] for m in default["items"]] == ["EVAL"]


def test_a_session_works_like_a_token(as_user: Any, coordinator: User, draft: Module) -> None:
    client = as_user(coordinator)
    assert client.get(f"{API}/modules", {"status": "draft"}).json()["count"] == 1


def test_staff_of_another_organisation_never_see_our_drafts(
    client: Client, outsider: User, draft: Module, other_org: Organisation
) -> None:
    own = make_module(outsider, other_org, code="PROV", title_fr="Brouillon de la province")
    headers = bearer(outsider)
    body = client.get(f"{API}/modules", {"status": "draft"}, headers=headers).json()
    assert [m["code"] for m in body["items"]] == [own.code]
    assert client.get(f"{API}/modules/{draft.pk}", headers=headers).status_code == 404
    searched = client.get(
        f"{API}/modules", {"status": "draft", "q": "confidentiel"}, headers=headers
    )
    assert searched.json()["count"] == 0


def test_a_learner_of_the_organisation_does_not_see_drafts(
    client: Client, learner: User, draft: Module
) -> None:
    headers = bearer(learner)
    assert client.get(f"{API}/modules", {"status": "draft"}, headers=headers).json()["count"] == 0
    assert client.get(f"{API}/modules/{draft.pk}", headers=headers).status_code == 404


def test_a_bad_token_is_ignored_on_public_endpoints(client: Client, published: Module) -> None:
    headers = {"Authorization": "Bearer prc_nope"}
    assert client.get(f"{API}/modules", headers=headers).json()["count"] == 1


def test_the_openapi_document_describes_the_catalogue(client: Client, db: None) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in ("/frameworks", "/frameworks/{slug}", "/modules", "/modules/{module_id}"):
        assert f"{API}{path}" in paths


# --- How a module is completed -----------------------------------------------------------


def test_a_module_says_how_it_is_completed(
    client: Client, coordinator: User, org: Organisation, published: Module
) -> None:
    project = make_module(coordinator, org, code="PROJ", completion_mode="both", publish=True)
    one = client.get(f"{API}/modules/{project.pk}").json()
    assert one["completion_mode"] == "both"
    listed = {m["code"]: m["completion_mode"] for m in client.get(f"{API}/modules").json()["items"]}
    assert listed == {"EVAL": "attendance", "PROJ": "both"}


def test_modules_filtered_by_completion_mode(
    client: Client, coordinator: User, org: Organisation, published: Module
) -> None:
    make_module(coordinator, org, code="PROJ", completion_mode="assessment", publish=True)
    codes = [
        m["code"]
        for m in client.get(f"{API}/modules", {"completion_mode": "assessment"}).json()["items"]
    ]
    assert codes == ["PROJ"]
    refused = client.get(f"{API}/modules", {"completion_mode": "luck"})
    assert refused.status_code == 422
