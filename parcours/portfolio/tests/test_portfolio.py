"""The portfolio: what it lists, what the shared page shows, the revocable link, the exports."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Competence, CompetenceArea, Framework, ProficiencyLevel
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import make_achievement, make_module
from parcours.pathways.actions import record_completion
from parcours.portfolio import actions
from parcours.portfolio.models import ShareLink


@pytest.fixture
def earned(coordinator, org, learner, django_capture_on_commit_callbacks):
    """A module targeting a DigCompEdu competence at B1, its badge, completed by the learner."""
    framework = Framework.objects.create(slug="digcompedu", name="DigCompEdu")
    area = CompetenceArea.objects.create(framework=framework, code="4", title_fr="Évaluation")
    competence = Competence.objects.create(
        framework=framework, area=area, code="4.1", title_fr="Stratégies d'évaluation"
    )
    level = ProficiencyLevel.objects.create(
        framework=framework, code="B1", order=3, name_fr="Intégrateur"
    )
    module = make_module(org, "UE2", "Évaluation numérique", hours="30")
    catalogue_actions.update_module(
        actor=Actor.of(coordinator), module=module, data={}, competences=[(competence.pk, level.pk)]
    )
    make_achievement(coordinator, org, module=module)
    with django_capture_on_commit_callbacks(execute=True):
        record_completion(learner=learner, module=module, hours=Decimal(30))
    return IssuedCredential.objects.get(learner=learner)


def test_portfolio_lists_badges_and_competences_by_framework(as_user, learner, earned):
    html = as_user(learner).get(reverse("portfolio:mine")).content.decode()
    assert "Référent IA" in html  # the badge's name (credentials' test achievement)
    assert (
        "DigCompEdu" in html
        and "4.1 Stratégies d&#x27;évaluation" in html
        and "Intégrateur" in html
    )


def test_share_link_shows_only_public_items_and_revoking_404s(as_user, client, learner, earned):
    token = actions.create_link(person=learner)
    url = reverse("portfolio:public", args=[token])
    client.logout()
    page = client.get(url).content.decode()
    assert "Référent IA" not in page and "DigCompEdu" not in page  # nothing chosen yet
    assert learner.email not in page
    actions.set_public(person=learner, kind="badge", ref=str(earned.uuid), public=True)
    page = client.get(url).content.decode()
    assert "Référent IA" in page and "DigCompEdu" not in page and learner.email not in page
    # Only the hash is stored.
    assert not ShareLink.objects.filter(token_hash=token).exists()
    # A new link revokes the old one; revoking makes the page 404.
    second = actions.create_link(person=learner)
    assert client.get(url).status_code == 404
    actions.revoke_link(person=learner)
    assert client.get(reverse("portfolio:public", args=[second])).status_code == 404
    assert client.get(reverse("portfolio:public", args=["x" * 500])).status_code == 404


def test_one_cannot_publish_someone_elses_item(learner, coordinator, earned):
    with pytest.raises(ValidationError):
        actions.set_public(person=coordinator, kind="badge", ref=str(earned.uuid), public=True)
    with pytest.raises(ValidationError):
        actions.set_public(person=learner, kind="nonsense", ref="x", public=True)


def test_toggle_page_and_bad_input(as_user, learner, earned):
    client = as_user(learner)
    ok = client.post(
        reverse("portfolio:toggle"), {"kind": "framework", "ref": "digcompedu", "public": "1"}
    )
    assert ok.status_code == 302
    bad = client.post(reverse("portfolio:toggle"), {"kind": "badge", "ref": "pas-un-uuid"})
    assert bad.status_code == 302  # back to the page with the message, nothing written
    html = client.get(reverse("portfolio:mine")).content.decode()
    assert "ne fait pas partie de votre portfolio" in html


def test_zip_holds_the_signed_credentials_byte_for_byte(as_user, learner, earned):
    response = as_user(learner).get(reverse("portfolio:zip"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert len(names) == 1
        body = archive.read(names[0]).decode()
    assert body == earned.document
    assert "proof" in json.loads(body)


def test_pdf_export(as_user, learner, earned):
    response = as_user(learner).get(reverse("portfolio:pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_pages_need_login(client):
    assert client.get(reverse("portfolio:mine")).status_code == 302


def test_portfolio_page_queries_do_not_grow_with_badges(
    as_user, coordinator, org, learner, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(learner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portfolio:mine")).status_code == 200
        return len(ctx.captured_queries)

    def earn(code: str) -> None:
        module = make_module(org, code, f"Module {code}")
        make_achievement(coordinator, org, module=module)
        with django_capture_on_commit_callbacks(execute=True):
            record_completion(learner=learner, module=module)

    earn("A1")
    few = queries()
    for code in ("A2", "A3", "A4"):
        earn(code)
    assert IssuedCredential.objects.filter(learner=learner).count() == 4
    assert queries() == few
