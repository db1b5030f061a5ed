"""Every number and date the credentials pages and API accept is bounded (issue #9): out of
range answers a clear 4xx, never a 500, and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import EARNING, complete

HUGE = "9" * 30
pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def earned(learner, ai_badge, ai_modules, django_capture_on_commit_callbacks) -> IssuedCredential:
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, *EARNING)
    return IssuedCredential.objects.get(learner=learner)


@pytest.mark.parametrize("value", ["abc", HUGE, "-1", "1.5", ""])
def test_issue_one_with_a_bad_learner_id(as_user, coordinator, ai_badge, value):
    response = as_user(coordinator).post(
        f"/badges/gestion/{ai_badge.pk}/delivrer/", {"learner": value}, follow=True
    )
    assert response.status_code == 200
    assert "Choisissez un apprenant." in response.content.decode()
    assert not IssuedCredential.objects.exists()


@pytest.mark.parametrize(
    "query",
    [f"achievement={HUGE}", f"learner={HUGE}", f"offset={HUGE}", f"limit={HUGE}", "limit=-5"],
)
def test_api_list_bounds(as_user, coordinator, earned, query):
    response = as_user(coordinator).get(f"/api/v1/credentials?{query}")
    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("field", ["achievement_id", "learner_id"])
def test_api_issue_bounds(as_user, coordinator, learner, ai_badge, field):
    payload = {"achievement_id": ai_badge.pk, "learner_id": learner.pk, field: int(HUGE)}
    response = as_user(coordinator).post(
        "/api/v1/credentials", payload, content_type="application/json"
    )
    assert response.status_code in (404, 422), response.content
    assert not IssuedCredential.objects.exists()


@pytest.mark.parametrize(
    "form",
    [{"competence_0": HUGE}, {"level_0": HUGE}, {"expiry_days": HUGE}, {"pathway": HUGE}],
)
def test_achievement_form_bounds(as_user, coordinator, ai_pathway, form):
    data = {
        "name_fr": "Badge",
        "description_fr": "Description",
        "criteria_fr": "Critères",
        "kind": "Badge",
        "pathway": ai_pathway.pk,
        "color": "#1d4f91",
        **form,
    }
    response = as_user(coordinator).post("/badges/gestion/nouveau/", data)
    assert response.status_code in (200, 422)
    assert "error" in response.content.decode()


@pytest.mark.parametrize(
    "dates",
    [
        {"validFrom": "0001-01-01T00:00:00+14:00"},
        {"validUntil": "0001-01-01T00:00:00+14:00"},
        {"validUntil": "9999-12-31T23:59:59-14:00"},
        {"validFrom": "9999-12-31T23:59:59-12:00"},
        {"validFrom": "2026-13-45T99:00:00Z"},
    ],
)
def test_extreme_dates_in_a_pasted_badge(earned, dates):
    document = {**json.loads(earned.document), **dates}
    response = Client().post("/badges/verifier/", {"credential": json.dumps(document)})
    assert response.status_code == 200
    api = Client().post("/api/v1/credentials/verify", json.dumps(document), "application/json")
    assert api.status_code == 200 and api.json()["valid"] is False


@pytest.mark.parametrize("index", ["²", HUGE, "-1", "١٢"])
def test_odd_status_indexes(earned, index):
    document = json.loads(earned.document)
    document["credentialStatus"]["statusListIndex"] = index
    response = Client().post("/badges/verifier/", {"credential": json.dumps(document)})
    assert response.status_code == 200


def test_overlong_seal_on_the_verification_page(earned):
    response = Client().get(f"/badges/verifier/{earned.uuid}/?titulaire={'a' * 10000}")
    assert response.status_code == 200
    assert 'data-verdict="name_not_confirmed"' in response.content.decode()


def test_status_list_number_bounds(earned):
    assert Client().get(f"/badges/issuers/technofutur-tic/status/{HUGE}").status_code == 404


def test_dates_without_offset_or_at_the_ends_of_time():
    from parcours.credentials.verification import _date

    naive = _date("2026-03-01T10:00:00")
    assert naive is not None and naive.tzinfo is not None  # compared with an aware "now"
    first, last = _date("0001-01-01T00:00:00Z"), _date("9999-12-31T23:59:59Z")
    assert first is not None and first.year == 1
    assert last is not None and last.year == 9999
    assert _date("2026-02-30T10:00:00Z") is None
    assert _date(12) is None


@pytest.mark.parametrize("pk", [str(2**63), "9" * 19, "0"])
@pytest.mark.parametrize(
    "route",
    [
        "credentials:manage_detail",
        "credentials:manage_edit",
        "credentials:manage_status",
        "credentials:manage_issue_one",
        "credentials:manage_bulk",
    ],
)
def test_an_out_of_range_id_in_the_address_is_not_found(as_user, coordinator, route, pk):
    from django.urls import reverse

    url = reverse(route, args=[1]).replace("/1/", f"/{pk}/")
    client = as_user(coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("number", [str(2**63), "9" * 19, "0"])
def test_an_out_of_range_status_list_number_is_not_found(client, org, number):
    assert client.get(f"/badges/issuers/{org.slug}/status/{number}").status_code == 404
