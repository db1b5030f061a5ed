"""Career API: caseload and outcomes, for the organisation's career managers only."""

from __future__ import annotations

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.careers import actions


def _auth(user) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_caseload_of_a_career_manager(client, file, career_manager, learner) -> None:
    response = client.get("/api/v1/careers/caseload", **_auth(career_manager))
    assert response.status_code == 200
    rows = response.json()
    assert [r["email"] for r in rows] == [learner.email]
    assert rows[0]["training_end"] == "2025-12-19"
    assert "note" not in rows[0]


def test_outcomes_at_six_months_with_rates(client, file, career_manager) -> None:
    actions.record_outcome(
        actor=Actor.of(career_manager),
        file=file,
        milestone="m6",
        status="employed",
        contract="permanent",
    )
    response = client.get(
        "/api/v1/careers/outcomes?first=2026-06-01&last=2026-06-30", **_auth(career_manager)
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["people"], body["employed"], body["employment_rate"]) == (1, 1, "100.0")
    bad = client.get(
        "/api/v1/careers/outcomes?first=2026-06-30&last=2026-06-01", **_auth(career_manager)
    )
    assert bad.status_code == 422


def test_other_staff_and_other_organisations_are_refused(
    client, org, other_org, file, coordinator, career_manager
) -> None:
    assert client.get("/api/v1/careers/caseload", **_auth(coordinator)).status_code == 403
    assert client.get("/api/v1/careers/caseload").status_code == 401
    response = client.get(
        "/api/v1/careers/caseload?organisation=province-hainaut", **_auth(career_manager)
    )
    assert response.status_code == 404
    theirs = make_person(other_org, Role.CAREER_MANAGER, "cm@province.test", "Paul", "Henry")
    assert client.get("/api/v1/careers/caseload", **_auth(theirs)).json() == []
