"""Every number or slug the catalogue accepts from an address is bounded: a clear 4xx, never a
500 from the database (issue #9)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import Organisation, User
from parcours.catalogue.models import Module
from parcours.catalogue.tests.test_modules import make_module

HUGE = "99999999999999999999"
LIST = reverse("catalogue:public_list")


@pytest.fixture
def published(coordinator: User, org: Organisation) -> Module:
    return make_module(coordinator, org, title_fr="Évaluation numérique", publish=True)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": HUGE}, "Numéro de page invalide"),
        ({"page": "10001"}, "Numéro de page invalide"),
        ({"competence": HUGE}, "Compétence"),
        ({"framework": "x" * 300}, "Référentiel de compétences"),
        ({"organisation": "y" * 300}, "Organisation"),
        ({"format": "telepathy"}, "Format"),
        ({"q": "z" * 500}, "Rechercher un module"),
    ],
)
def test_public_list_bounds(client: Client, published: Module, params, message: str) -> None:
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_filter_that_cannot_apply_is_named_and_the_others_still_apply(
    client: Client, published: Module
) -> None:
    html = client.get(LIST, {"competence": HUGE, "format": "in_person"}).content.decode()
    assert "n'a pas pu être appliqué" in html
    assert "Évaluation numérique" in html  # in_person is the default format
    # htmx only swaps 2xx answers: the results region carries the message.
    fragment = client.get(LIST, {"competence": HUGE}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "n'a pas pu être appliqué" in fragment.content.decode()


def test_ordinary_odd_pages_still_follow_get_page(client: Client, published: Module) -> None:
    for page in ("abc", "0", "-3", "999", "10000"):
        assert client.get(LIST, {"page": page}).status_code == 200, page


def test_manage_list_bounds(as_user, coordinator: User, published: Module) -> None:
    client = as_user(coordinator)
    url = reverse("catalogue:manage_list")
    assert client.get(url, {"page": HUGE}).status_code == 400
    response = client.get(url, {"status": "vanished"})
    assert response.status_code == 400
    assert "Statut" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/modules/{HUGE}",
        f"/api/v1/modules?competence={HUGE}",
        f"/api/v1/modules?offset={HUGE}",
        "/api/v1/modules?framework=" + "x" * 300,
        "/api/v1/modules?organisation=" + "x" * 300,
        "/api/v1/frameworks/" + "x" * 300,
    ],
)
def test_api_bounds(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_draft_modules_never_show_publicly_or_to_other_tenants(
    client: Client, coordinator: User, outsider: User, org: Organisation
) -> None:
    draft = make_module(coordinator, org, title_fr="Brouillon secret")
    detail = reverse("catalogue:detail", args=[org.slug, draft.code])
    missing = reverse("catalogue:detail", args=[org.slug, "NOPE"])
    api = f"/api/v1/modules/{draft.pk}"
    for who in (None, outsider):
        if who is not None:
            client.force_login(who)
        assert client.get(detail).status_code == client.get(missing).status_code == 404
        assert client.get(api).status_code == 404
        assert client.get(api).json() == client.get(f"{api}999").json()
        assert "Brouillon secret" not in client.get(LIST, {"q": "secret"}).content.decode()
        listing = client.get("/api/v1/modules", {"status": "draft"}).json()
        assert listing["count"] == 0


@pytest.mark.parametrize("pk", [str(2**63), "9" * 19, "0"])
@pytest.mark.parametrize(
    "route",
    [
        "catalogue:manage_edit",
        "catalogue:manage_publish",
        "catalogue:manage_archive",
        "catalogue:manage_restore",
        "catalogue:synonym_edit",
        "catalogue:synonym_delete",
    ],
)
def test_an_out_of_range_id_in_the_address_is_not_found(
    as_user, coordinator: User, route: str, pk: str
) -> None:
    url = reverse(route, args=[1]).replace("/1/", f"/{pk}/")
    client = as_user(coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
