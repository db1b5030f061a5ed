from __future__ import annotations

import pytest
from django.test import Client

from parcours.accounts.actions import create_api_token
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.pathways import actions
from parcours.pathways.models import Pathway

from .conftest import complete


def bearer(user: User) -> dict[str, str]:
    _, secret = create_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_list_and_get_published_pathways(client: Client, ai_pathway: Pathway) -> None:
    listing = client.get("/api/v1/pathways").json()
    assert [p["code"] for p in listing] == ["REF-IA"]
    detail = client.get(f"/api/v1/pathways/{ai_pathway.pk}").json()
    assert detail["rule"] == ai_pathway.rule
    assert detail["rule_text"].startswith("(M1A | M1B)")
    assert len(detail["modules"]) == 11


def test_draft_pathways_are_hidden_from_the_public_and_other_orgs(
    client: Client, coordinator: User, outsider: User, ai_pathway: Pathway
) -> None:
    actions.set_pathway_status(actor=Actor.of(coordinator), pathway=ai_pathway, status="draft")
    missing = client.get(f"/api/v1/pathways/{ai_pathway.pk}")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert (
        client.get(f"/api/v1/pathways/{ai_pathway.pk}", headers=bearer(outsider)).status_code == 404
    )
    own = client.get(f"/api/v1/pathways/{ai_pathway.pk}", headers=bearer(coordinator))
    assert own.status_code == 200


def test_learner_evaluates_themself(client: Client, learner: User, ai_pathway, ai_modules) -> None:
    complete(learner, ai_modules, "M1A", "O1", "O2")
    response = client.get(f"/api/v1/pathways/{ai_pathway.pk}/evaluation", headers=bearer(learner))
    body = response.json()
    assert response.status_code == 200
    assert (body["satisfied"], body["met"], body["total"]) == (False, 3, 4)
    assert any("clôture" in line for line in body["missing"])


def test_evaluation_needs_a_token(client: Client, ai_pathway: Pathway) -> None:
    response = client.get(f"/api/v1/pathways/{ai_pathway.pk}/evaluation")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    bad = client.get(
        f"/api/v1/pathways/{ai_pathway.pk}/evaluation",
        headers={"Authorization": "Bearer prc_000000000000_nope"},
    )
    assert bad.status_code == 401


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator", 200), ("outsider", 404), ("trainer", 200)]
)
def test_evaluation_of_another_learner(
    request, client: Client, who: str, status: int, learner: User, ai_pathway: Pathway
) -> None:
    """Coordinators of the pathway's organisation may look; staff of other orgs may not."""
    person = request.getfixturevalue(who)
    response = client.get(
        f"/api/v1/pathways/{ai_pathway.pk}/evaluation?learner={learner.pk}",
        headers=bearer(person),
    )
    expected = 404 if who == "trainer" else status
    assert response.status_code == expected
