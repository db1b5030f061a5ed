"""Assessments API: the reviewers' queue, scoped; the learner's own projects."""

from __future__ import annotations

from parcours.accounts import actions as account_actions
from parcours.accounts.permissions import Actor
from parcours.assessments import actions


def _auth(user) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_trainer_lists_pending_projects_and_outsiders_see_none(
    client, enrolled, unit, trainer, outsider
) -> None:
    actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Projet", link="https://exemple.test/p"
    )
    rows = client.get("/api/v1/assessments/submissions", **_auth(trainer)).json()
    assert [r["module_code"] for r in rows] == ["UE2"] and rows[0]["has_file"] is False
    # A coordinator of another organisation sees none of these.
    assert client.get("/api/v1/assessments/submissions", **_auth(outsider)).json() == []
    assert client.get("/api/v1/assessments/submissions", **_auth(enrolled)).status_code == 403
    bad = client.get("/api/v1/assessments/submissions?limit=100000", **_auth(trainer))
    assert bad.status_code in (400, 422)
    mine = client.get("/api/v1/assessments/mine", **_auth(enrolled)).json()
    assert [r["version"] for r in mine] == [1]


def test_portfolio_api(client, learner) -> None:
    data = client.get("/api/v1/portfolio", **_auth(learner)).json()
    assert data == {"badges": [], "attestations": [], "projects": [], "frameworks": []}
    assert client.get("/api/v1/portfolio").status_code == 401
