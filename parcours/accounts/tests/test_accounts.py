from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client
from django.urls import reverse

from parcours.accounts import actions
from parcours.accounts.models import ApiToken, AuditEntry, Organisation, Role, User


def test_passwords_are_hashed_with_argon2(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("un mot de passe")
    assert encoded.startswith("argon2$")
    assert check_password("un mot de passe", encoded)


def test_api_token_secret_is_only_stored_hashed(coordinator: User) -> None:
    token, secret = actions.create_api_token(user=coordinator, name="script")
    assert secret.startswith("prc_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.split("_", 2)[2] not in stored.key_hash
    _key_id, raw = ApiToken.parse(secret)  # type: ignore[misc]
    assert stored.matches(raw)
    assert not stored.matches(raw + "x")


def test_roles_and_audit(org: Organisation, coordinator: User) -> None:
    assert coordinator.memberships.get().role == Role.COORDINATOR
    assert AuditEntry.objects.filter(action="membership.grant", organisation=org).exists()


def test_switching_organisation_only_to_ones_you_belong_to(
    as_user, coordinator: User, org: Organisation, other_org: Organisation
) -> None:
    client = as_user(coordinator)
    client.post(reverse("accounts:switch_organisation"), {"organisation": other_org.pk})
    assert "Technofutur TIC" in client.get(reverse("accounts:dashboard")).content.decode()
    actions.grant_role(user=coordinator, organisation=other_org, role=Role.COORDINATOR, actor=None)
    client.post(reverse("accounts:switch_organisation"), {"organisation": other_org.pk})
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Organisation active : Province" in page


def test_language_switch_to_english(client: Client, db: None) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/catalogue/"})
    assert response.status_code == 302
    page = client.get("/catalogue/")
    assert page.content.decode().count('lang="en"') >= 1


def test_language_switch_is_remembered_on_the_profile(as_user, learner: User) -> None:
    """The choice follows the person to another browser (no cookie there) and to their e-mails."""
    as_user(learner).post(reverse("set_language"), {"language": "en", "next": "/catalogue/"})
    learner.refresh_from_db()
    assert learner.language == "en"
    elsewhere = Client()
    elsewhere.force_login(learner)
    assert '<html lang="en">' in elsewhere.get("/catalogue/").content.decode()


def test_language_switch_refuses_an_unknown_language(as_user, learner: User) -> None:
    as_user(learner).post(reverse("set_language"), {"language": "xx", "next": "/catalogue/"})
    learner.refresh_from_db()
    assert learner.language == "fr"


@pytest.mark.parametrize("url", ["/compte/", "/catalogue/gestion/", "/parcours/gestion/"])
def test_private_pages_need_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_organisations_api_is_public(client: Client, org: Organisation) -> None:
    body = client.get("/api/v1/organisations").json()
    assert [o["slug"] for o in body] == ["technofutur-tic"]


def test_french_by_default_even_for_an_english_browser(client: Client, db: None) -> None:
    page = client.get("/catalogue/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="fr">' in page.content.decode()
    assert page["Content-Language"] == "fr"


def test_signed_in_person_gets_their_preferred_language(as_user, learner: User) -> None:
    learner.language = "en"
    learner.save()
    page = as_user(learner).get("/catalogue/")
    assert '<html lang="en">' in page.content.decode()
