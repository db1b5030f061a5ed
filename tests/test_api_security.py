"""API hardening (issue #9): CSRF on session calls, problem+json everywhere, 64-bit integers,
Swagger UI served without a CDN."""

# ruff: noqa: F811  (the enrolment fixtures are imported, then requested by name)

from __future__ import annotations

import re

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.enrolment.models import Enrolment
from parcours.enrolment.tests.conftest import make_session, module, site  # noqa: F401

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


class TestCsrf:
    def test_a_session_post_without_the_csrf_token_is_refused(
        self, csrf_client, make_session, learner
    ) -> None:
        session = make_session()
        csrf_client.force_login(learner)
        response = csrf_client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json"
        )
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        assert "CSRF" in response.json()["title"]
        assert not Enrolment.objects.filter(learner=learner).exists()

    def test_a_session_post_with_the_csrf_token_is_accepted(
        self, csrf_client, make_session, learner
    ) -> None:
        session = make_session()
        csrf_client.force_login(learner)
        csrf_client.get("/compte/")  # any page sets the CSRF cookie
        token = csrf_client.cookies["csrftoken"].value
        response = csrf_client.post(
            f"/api/v1/sessions/{session.pk}/enrolments",
            {},
            "application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 201, response.content

    def test_a_bearer_token_post_needs_no_csrf(self, csrf_client, make_session, learner) -> None:
        session = make_session()
        response = csrf_client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json", **_bearer(learner)
        )
        assert response.status_code == 201, response.content

    def test_session_reads_need_no_csrf(self, csrf_client, learner) -> None:
        csrf_client.force_login(learner)
        assert csrf_client.get("/api/v1/enrolments/mine").status_code == 200

    def test_anonymous_post_is_a_401(self, csrf_client, make_session) -> None:
        session = make_session()
        response = csrf_client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json"
        )
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


class TestIntegersAtTheEdge:
    @pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
    def test_path_integers_beyond_64_bits_are_a_422(self, client, value) -> None:
        response = client.get(f"/api/v1/sessions/{value}")
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"][-1] == "session_id"

    def test_the_largest_64_bit_integer_is_just_not_found(self, client) -> None:
        response = client.get(f"/api/v1/sessions/{2**63 - 1}")
        assert response.status_code == 404

    def test_query_integers_beyond_64_bits_are_a_422(self, client, learner) -> None:
        response = client.get("/api/v1/enrolments/mine", {"x": 1}, **_bearer(learner))
        assert response.status_code == 200
        response = client.get(
            "/api/v1/pathways/1/evaluation", {"learner": 2**64}, **_bearer(learner)
        )
        assert response.status_code == 422


class TestDatesAtTheEdge:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"start": "2026-03-12T10:00:00+20:45"}, "start"),  # PostgreSQL: out of range
            ({"start": "9999-12-31T23:00:00-05:00"}, "start"),  # past year 9999 in UTC
            ({"end": "1066-10-14T09:00:00+00:00"}, "end"),
        ],
    )
    def test_dates_beyond_what_databases_store_are_a_422(
        self, client, learner, query, field
    ) -> None:
        response = client.get("/api/v1/bookings", query, **_bearer(learner))
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"][-1] == field


class TestOpenApi:
    def test_every_operation_declares_the_problems_it_can_return(self, client) -> None:
        document = client.get("/api/v1/openapi.json").json()
        for path, item in document["paths"].items():
            for method, operation in item.items():
                codes = set(operation["responses"])
                assert {"400", "403", "404", "409", "422", "429"} <= codes, (method, path)
                if operation.get("security"):
                    assert "401" in codes, (method, path)

    def test_integers_are_documented_as_64_bit(self, client) -> None:
        document = client.get("/api/v1/openapi.json").json()
        parameter = document["paths"]["/api/v1/sessions/{session_id}"]["get"]["parameters"][0]
        assert parameter["schema"]["maximum"] == 2**63 - 1


class TestSwaggerOffline:
    def test_the_docs_page_loads_its_assets_locally_without_inline_script(self, client) -> None:
        html = client.get("/api/v1/docs").content.decode()
        # No asset from a CDN: every src/href is local (a word search for "cdn" could also hit
        # the page's random CSRF token).
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert "/static/ninja/swagger-ui-bundle.js" in html
        assert "/static/ninja/swagger-ui-init.js" in html
        # The only <script> without src is JSON data, which a CSP without 'unsafe-inline' allows.
        assert html.count("<script") == html.count("<script src=") + 1
        assert '<script type="application/json"' in html
