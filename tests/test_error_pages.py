"""Branded error pages for people (French, or English when chosen); problem+json for the API."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from config import errors

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_branded_404(client: Client) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'role="banner"' in html and 'id="contenu"' in html  # the site's landmarks
    assert "Technical" not in html and "Using the URLconf" not in html


def test_the_404_speaks_english_to_who_chose_it(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/nulle-part/").content.decode()
    assert "Page not found" in html


def test_a_forbidden_page_is_the_branded_403_with_the_reason(client: Client, learner) -> None:
    client.force_login(learner)
    response = client.get("/catalogue/gestion/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "Seuls les coordinateurs" in html


def test_a_form_without_csrf_token_gets_the_branded_page(learner) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post("/compte/", {})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_the_500_page_needs_no_database(django_assert_num_queries) -> None:
    request = RequestFactory().get("/catalogue/")
    with translation.override("fr"), django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/nulle-part", "/api/v2/"])
def test_unknown_api_urls_stay_problem_json(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_an_api_500_is_problem_json() -> None:
    response = errors.server_error(RequestFactory().get("/api/v1/sessions"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
