"""Absolute links (issue #9): the demo names the address it serves; production refuses an
address others cannot reach for years (http, an IP address)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from parcours.credentials import actions, checks, verification
from parcours.credentials.models import IssuedCredential, IssuerProfile
from parcours.credentials.tests.conftest import EARNING, complete, make_achievement

DEMO_HOST = "localhost:8765"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    return settings


@pytest.fixture
def earned_badge(learner, ai_badge, ai_modules, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, *EARNING)
    return IssuedCredential.objects.get(learner=learner)


def test_the_demo_builds_every_link_from_the_address_it_serves(
    demo, as_user, coordinator, org, learner, ai_pathway, ai_modules
):
    badge = make_achievement(coordinator, org, pathway=ai_pathway, activate=False)
    complete(learner, ai_modules, *EARNING)  # eligible; nothing issued (the badge is a draft)
    coordinator_client = as_user(coordinator)
    coordinator_client.post(
        f"/badges/gestion/{badge.pk}/statut/", {"status": "active"}, HTTP_HOST=DEMO_HOST
    )
    assert IssuerProfile.objects.get().did.startswith("did:web:localhost%3A8765:")
    response = coordinator_client.post(
        f"/badges/gestion/{badge.pk}/delivrer/",
        {"learner": learner.pk},
        HTTP_HOST=DEMO_HOST,
    )
    assert response.status_code == 302
    credential = IssuedCredential.objects.get(learner=learner)
    document = json.loads(credential.document)
    assert document["issuer"]["id"] == "did:web:localhost%3A8765:badges:issuers:technofutur-tic"
    assert document["credentialStatus"]["statusListCredential"].startswith(
        f"http://{DEMO_HOST}/badges/issuers/technofutur-tic/status/"
    )
    assert document["credentialSubject"]["achievement"]["id"].startswith(f"http://{DEMO_HOST}/")
    assert "8000" not in credential.document

    page = as_user(learner).get(f"/badges/{credential.uuid}/", HTTP_HOST=DEMO_HOST)
    html = page.content.decode()
    assert f"http://{DEMO_HOST}/badges/verifier/{credential.uuid}/" in html
    assert "127.0.0.1:8000" not in html

    did = (
        as_user(learner).get("/badges/issuers/technofutur-tic/did.json", HTTP_HOST=DEMO_HOST).json()
    )
    assert did["id"] == document["issuer"]["id"]

    # The verification page served there finds the status list it published.
    verdict = as_user(learner).get(f"/badges/verifier/{credential.uuid}/", HTTP_HOST=DEMO_HOST)
    assert 'data-check="not_revoked"' in verdict.content.decode()


def test_production_links_use_site_url_whatever_the_host(settings, as_user, learner, earned_badge):
    settings.SITE_URL = "https://parcours.example.org"
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    html = as_user(learner).get(f"/badges/{earned_badge.uuid}/", HTTP_HOST="localhost").content
    assert f"https://parcours.example.org/badges/verifier/{earned_badge.uuid}/" in html.decode()


@pytest.mark.parametrize(
    ("site_url", "refused"),
    [
        ("http://parcours.example.org", True),
        ("https://192.168.1.20", True),
        ("https://[2001:db8::1]:8443", True),
        ("https://localhost:8443", True),
        ("https://parcours.example.org", False),
        ("https://badges.province.be:8443", False),
    ],
)
def test_production_refuses_an_address_others_cannot_reach(settings, site_url, refused):
    settings.DEBUG = False
    settings.TESTING = False
    settings.SITE_URL = site_url
    errors = checks.site_url_can_issue()
    assert [e.id for e in errors] == (["credentials.E002"] if refused else [])
    assert all(e.level >= 40 for e in errors)  # errors: the site does not start


def test_production_with_an_http_address_issues_nothing(
    settings, coordinator, learner, ai_badge, ai_modules
):
    complete(learner, ai_modules, *EARNING)
    settings.DEBUG = False
    settings.TESTING = False
    settings.SITE_URL = "http://10.0.0.5:8000"
    with pytest.raises(ValidationError, match="https"):
        actions.issue_credential(achievement=ai_badge, learner=learner)
    assert not IssuedCredential.objects.exists()
    assert verification  # the module stays importable without a public address


def test_did_host_must_be_a_domain(settings):
    settings.DEBUG = False
    settings.TESTING = False
    settings.SITE_URL = "https://parcours.example.org"
    settings.CREDENTIALS_DID_HOST = "10.1.2.3"
    assert [e.id for e in checks.site_url_can_issue()] == ["credentials.E003"]
