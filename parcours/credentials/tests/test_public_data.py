"""What the public credentials endpoints show (issue #9): nothing of a draft achievement,
nothing of another organisation's people."""

from __future__ import annotations

import pytest
from django.test import Client

from parcours.accounts.permissions import Actor
from parcours.credentials import actions
from parcours.credentials.states import AchievementStatus
from parcours.credentials.tests.conftest import make_achievement

pytestmark = pytest.mark.usefixtures("no_network")


def test_a_drafts_image_and_documents_are_not_public(
    as_user, coordinator, outsider, learner, org, ai_pathway
):
    draft = make_achievement(coordinator, org, pathway=ai_pathway, activate=False)
    urls = [
        f"/badges/achievements/{draft.uuid}/image.png",
        f"/badges/achievements/{draft.uuid}/",
        f"/badges/ob2/badges/{draft.uuid}",
    ]
    for url in urls:
        for client in (Client(), as_user(outsider), as_user(learner)):
            assert client.get(url).status_code == 404, url
    preview = as_user(coordinator).get(urls[0])
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert "no-store" in preview["Cache-Control"]  # a draft's image is not cached

    actor = Actor.of(coordinator)
    actions.set_achievement_status(actor=actor, achievement=draft, status=AchievementStatus.ACTIVE)
    for url in urls:
        assert Client().get(url).status_code == 200, url
    actions.set_achievement_status(
        actor=actor, achievement=draft, status=AchievementStatus.ARCHIVED
    )
    for url in urls:  # badges issued under it still show it
        assert Client().get(url).status_code == 200, url


def test_issuing_to_someone_elses_learner_names_nobody(as_user, coordinator, outsider, ai_badge):
    response = as_user(coordinator).post(
        "/api/v1/credentials",
        {"achievement_id": ai_badge.pk, "learner_id": outsider.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Oscar" not in response.content.decode() and "Piron" not in response.content.decode()
