"""Registering a platform: LTI Dynamic Registration against the local platform, the manual
form, and the administrator's pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.integrations.lti import keys
from parcours.integrations.lti.tests import helpers
from parcours.integrations.lti.tests.platform import Platform
from parcours.integrations.models import LtiRegistration, LtiToolKey
from parcours.lib.sealed import unseal


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")


def _registration_url(client: Client) -> str:
    response = client.post("/integrations/lti/lien-d-enregistrement/")
    assert response.status_code == 200
    found = re.search(
        r'value="(http://testserver/integrations/lti/enregistrement/[^"]+)"',
        response.content.decode(),
    )
    assert found
    return found.group(1).removeprefix("http://testserver")


def test_dynamic_registration_stores_the_platform_and_spends_the_link(
    as_user, admin: User, org: Organisation, platform: Platform
) -> None:
    client = as_user(admin)
    url = _registration_url(client)
    query = {
        "openid_configuration": platform.base + "/.well-known/openid-configuration",
        "registration_token": "reg-token-1",
    }
    response = Client().get(url, query)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response  # Moodle shows it in a frame
    assert "data-lti-close" in response.content.decode()
    registration = LtiRegistration.objects.get()
    assert (registration.organisation, registration.client_id, registration.deployment_ids) == (
        org,
        platform.client_id,
        ["1"],
    )
    assert registration.key_set_url == platform.base + "/jwks"
    sent = platform.registrations[0]
    assert sent["redirect_uris"] == ["http://testserver/integrations/lti/lancement/"]
    assert sent["initiate_login_uri"] == "http://testserver/integrations/lti/connexion/"
    assert sent["jwks_uri"] == f"http://testserver/integrations/lti/cles/{org.slug}.json"
    messages = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"]
    assert {m["type"] for m in messages} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert "contextmembership.readonly" in sent["scope"]
    # Single use.
    assert Client().get(url, query).status_code == 404


def test_a_refused_dynamic_registration_keeps_the_link_usable(
    as_user, admin: User, platform: Platform
) -> None:
    url = _registration_url(as_user(admin))
    query = {"openid_configuration": platform.base + "/.well-known/openid-configuration"}
    refused = Client().get(url, {**query, "registration_token": "wrong"})
    assert refused.status_code == 400
    assert "n&#x27;a pas accepté" in refused.content.decode()
    assert not LtiRegistration.objects.exists()
    ok = Client().get(url, {**query, "registration_token": "reg-token-1"})
    assert ok.status_code == 200


def test_a_forged_registration_link_is_refused(client: Client, db: None) -> None:
    assert client.get("/integrations/lti/enregistrement/not-a-token/").status_code == 404


def test_manual_registration_form_and_admin_actions(
    as_user, admin: User, org: Organisation, platform: Platform
) -> None:
    client = as_user(admin)
    data = platform.registration_data()
    bad = client.post(
        "/integrations/lti/nouvelle/", {**data, "name": "Moodle", "deployment_ids": ""}
    )
    assert bad.status_code == 422
    response = client.post(
        "/integrations/lti/nouvelle/",
        {**data, "name": "Moodle-Technosphère", "deployment_ids": "1\n2"},
    )
    assert response.status_code == 302
    registration = LtiRegistration.objects.get()
    assert registration.deployment_ids == ["1", "2"]
    page = client.get("/integrations/lti/").content.decode()
    assert "Moodle-Technosphère" in page
    duplicate = client.post(
        "/integrations/lti/nouvelle/", {**data, "name": "Encore", "deployment_ids": "1"}
    )
    assert duplicate.status_code == 422
    assert "déjà enregistrée" in duplicate.content.decode()
    client.post(f"/integrations/lti/{registration.pk}/", {"action": "disable"})
    client.post(f"/integrations/lti/{registration.pk}/", {"action": "admins_coordinators"})
    registration.refresh_from_db()
    assert (registration.is_active, registration.admin_as_coordinator) == (False, True)
    client.post(f"/integrations/lti/{registration.pk}/", {"action": "delete"})
    assert not LtiRegistration.objects.exists()


def test_other_staff_and_other_organisations_cannot_touch_registrations(
    as_user,
    admin: User,
    org: Organisation,
    other_org: Organisation,
    coordinator: User,
    platform: Platform,
) -> None:
    registration = helpers.register(platform, org, admin)
    other_admin = make_person(other_org, Role.ADMINISTRATOR, "adm@province.test", "P", "A")
    assert as_user(coordinator).get("/integrations/lti/").status_code == 403
    assert as_user(coordinator).post("/integrations/lti/lien-d-enregistrement/").status_code == 403
    response = as_user(other_admin).post(
        f"/integrations/lti/{registration.pk}/", {"action": "delete"}
    )
    assert response.status_code == 404
    assert LtiRegistration.objects.filter(pk=registration.pk).exists()


def test_the_tool_key_is_sealed_and_published_as_a_key_set(
    client: Client, org: Organisation
) -> None:
    key = keys.tool_key(org)
    stored = LtiToolKey.objects.get(organisation=org)
    assert "PRIVATE KEY" not in stored.private_key_sealed
    assert "PRIVATE KEY" in unseal(stored.private_key_sealed, purpose=keys.PURPOSE)
    jwks = client.get(f"/integrations/lti/cles/{org.slug}.json").json()
    assert jwks["keys"][0]["kid"] == key.kid
    assert jwks["keys"][0]["alg"] == "RS256"
    assert "d" not in jwks["keys"][0]  # public half only
    assert client.get("/integrations/lti/cles/nobody.json").status_code == 404


def test_the_integrations_page_shows_the_lti_card(
    as_user, admin: User, org: Organisation, platform: Platform
) -> None:
    helpers.register(platform, org, admin)
    page = as_user(admin).get("/integrations/").content.decode()
    assert "LTI 1.3 : Parcours dans Moodle" in page
    assert "Plateformes LTI actives : 1" in page
