"""Second factors: staff of an organisation that requires one set it up before anything else."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User

DASHBOARD = reverse("accounts:dashboard")
MFA_INDEX = reverse("mfa_index")


def login(email: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def requiring_org(org: Organisation) -> Organisation:
    org.require_staff_mfa = True
    org.save(update_fields=["require_staff_mfa"])
    return org


@pytest.mark.usefixtures("requiring_org")
def test_staff_without_second_factor_are_sent_to_set_one_up(coordinator: User) -> None:
    client = login(coordinator.email)
    for url in (DASHBOARD, "/catalogue/gestion/", "/sessions/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == MFA_INDEX
    page = client.get(MFA_INDEX)
    assert page.status_code == 200
    assert "double authentification" in page.content.decode()
    # The allow-list: set-up pages, language switch, logout.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert (
        client.post(reverse("set_language"), {"language": "fr", "next": MFA_INDEX})["Location"]
        == MFA_INDEX
    )
    # Session-authenticated API calls are refused too, with a problem document.
    api = client.get("/api/v1/organisations")
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("requiring_org")
def test_setting_up_an_authenticator_app_opens_the_staff_pages(coordinator: User) -> None:
    client = login(coordinator.email)
    activate = reverse("mfa_activate_totp")
    page = client.get(activate)
    secret = page.context["form"].secret
    response = client.post(activate, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.usefixtures("requiring_org")
def test_next_login_asks_for_the_code(coordinator: User) -> None:
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"login": coordinator.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.usefixtures("requiring_org")
def test_learners_of_that_organisation_are_not_asked(learner: User) -> None:
    assert login(learner.email).get(DASHBOARD).status_code == 200


def test_staff_of_organisations_that_do_not_require_it_are_not_asked(
    coordinator: User, django_assert_max_num_queries
) -> None:
    client = login(coordinator.email)
    assert client.get(DASHBOARD).status_code == 200


def test_the_requirement_applies_from_the_next_login(coordinator: User, org: Organisation) -> None:
    client = login(coordinator.email)
    org.require_staff_mfa = True
    org.save(update_fields=["require_staff_mfa"])
    assert client.get(DASHBOARD).status_code == 200  # this session goes on
    assert login(coordinator.email).get(DASHBOARD)["Location"] == MFA_INDEX


def test_an_administrator_turning_it_on_is_asked_too(
    org: Organisation, other_org: Organisation, outsider: User
) -> None:
    """Only organisations the person is staff of count."""
    org.require_staff_mfa = True
    org.save(update_fields=["require_staff_mfa"])
    assert login(outsider.email).get(DASHBOARD).status_code == 200
