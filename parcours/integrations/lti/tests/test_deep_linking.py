"""Deep linking: a teacher picks a Parcours module from the LMS; the signed answer is checked
by the platform (Open edX's consumer) and its link then opens the module."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.catalogue.models import Module
from parcours.integrations.lti.tests import helpers
from parcours.integrations.lti.tests.platform import INSTRUCTOR, LEARNER, Platform


@pytest.fixture
def module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="IOT-101",
        title_fr="Objets connectés",
        duration_hours=Decimal("6"),
        status=Module.Status.PUBLISHED,
    )


def test_a_teacher_places_a_module_and_the_link_opens_it(
    client: Client, platform: Platform, org: Organisation, module: Module
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(platform, org, admin)
    response = helpers.launch(
        client, platform, sub="prof-1", email="prof@ecole.test", role=INSTRUCTOR, deep_linking=True
    )
    assert response.status_code == 302
    assert response["Location"] == "/integrations/lti/lien-profond/"
    picker = client.get(response["Location"], {"q": "connect"})
    assert "Objets connectés" in picker.content.decode()
    answer = client.post(response["Location"], {"choice": f"module:{module.pk}"})
    page = answer.content.decode()
    assert f'action="{platform.base}/deep-link-return"' in page
    assert "data-lti-autopost" in page
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    items = platform.consumer.check_and_decode_deep_linking_token(token)
    assert items[0]["title"] == "Objets connectés"
    assert items[0]["custom"] == {"parcours_type": "module", "parcours_id": str(module.pk)}
    # The placed link, launched by a learner, opens the module.
    opened = helpers.launch(
        Client(), platform, sub="eleve-1", email="eleve@ecole.test", custom=items[0]["custom"]
    )
    assert opened["Location"] == f"/catalogue/{org.slug}/{module.code}/"


def test_a_learner_cannot_ask_for_deep_linking(
    client: Client, platform: Platform, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(platform, org, admin)
    response = helpers.launch(
        client, platform, sub="e-1", email="e@ecole.test", role=LEARNER, deep_linking=True
    )
    assert response.status_code == 403
    assert client.get("/integrations/lti/lien-profond/").status_code in (302, 403)


def test_the_picker_needs_a_pending_request(as_user, trainer: User) -> None:
    assert as_user(trainer).get("/integrations/lti/lien-profond/").status_code == 403
