"""Login through allauth: e-mail in any case, French errors, lockouts per account and per IP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from parcours.accounts.models import User

LOGIN = reverse("accounts:login")


@pytest.fixture
def rate_limits(settings) -> Iterator[None]:
    """The production rate limits (tests run without them), with empty counters."""
    settings.ACCOUNT_RATE_LIMITS = settings.PARCOURS_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def post_login(client: Client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_with_email_in_any_case(client: Client, coordinator: User) -> None:
    response = post_login(client, "  ALICE@Technofutur.TEST ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Bonjour Alice" in page
    assert "Technofutur TIC" in page


def test_login_returns_to_the_page_asked_for(client: Client, coordinator: User) -> None:
    response = client.post(
        f"{LOGIN}?next=/sessions/", {"login": coordinator.email, "password": PASSWORD}
    )
    assert response["Location"] == "/sessions/"


def test_login_never_redirects_to_another_site(client: Client, coordinator: User) -> None:
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"login": coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_wrong_password_says_so_in_french(client: Client, coordinator: User) -> None:
    response = post_login(client, coordinator.email, "faux")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Corrigez les erreurs suivantes" in html
    assert "mot de passe" in html.lower() and "incorrect" in html
    assert not is_logged_in(client)


def test_the_login_page_is_labelled_and_offers_the_other_ways_in(client: Client, db: None) -> None:
    html = client.get(f"{LOGIN}?next=/sessions/3/").content.decode()
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert "Mot de passe oublié ?" in html
    assert "Utiliser une clé d'accès" in html
    # The sign-up link keeps the page to come back to.
    assert f"{reverse('account_signup')}?next=%2Fsessions%2F3%2F" in html


def test_logout_logs_out(as_user, learner: User) -> None:
    client = as_user(learner)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


@pytest.mark.usefixtures("rate_limits")
def test_account_lockout_counts_every_spelling_of_the_address(
    client: Client, coordinator: User, trainer: User, settings
) -> None:
    """Changing the case (or adding spaces) of the e-mail does not give fresh attempts."""
    spellings = [
        "alice@technofutur.test",
        "ALICE@technofutur.test",
        "Alice@Technofutur.Test",
        " alice@TECHNOFUTUR.test",
        "aLiCe@technofutur.TEST",
        "ALICE@TECHNOFUTUR.TEST",
    ]
    for attempt, spelling in enumerate(spellings[: settings.LOGIN_FAILURES_PER_ACCOUNT]):
        post_login(client, spelling, f"wrong-{attempt}")
    locked = post_login(client, spellings[-1], PASSWORD)
    assert not is_logged_in(client)
    assert "Trop de tentatives de connexion" in locked.content.decode()
    # Only that account is locked, not everyone behind the same address.
    other = post_login(client, trainer.email, PASSWORD)
    assert other.status_code == 302
    assert is_logged_in(client)


@pytest.mark.usefixtures("rate_limits")
def test_one_address_cannot_try_many_accounts(client: Client, coordinator: User, settings) -> None:
    """Spraying passwords over many accounts from one IP hits an IP-wide limit."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.PARCOURS_RATE_LIMITS,
        "login_failed": "4/15m/ip,5/15m/key",
    }
    for n in range(4):
        post_login(client, f"person{n}@exemple.test", "Password123!")
    blocked = post_login(client, coordinator.email, PASSWORD)
    assert not is_logged_in(client)
    assert "Trop de tentatives de connexion" in blocked.content.decode()
    # Another client address is not affected.
    elsewhere = Client()
    assert post_login(elsewhere, coordinator.email, PASSWORD, ip="198.51.100.20").status_code == 302


def test_production_limits_are_per_ip_and_per_account(settings) -> None:
    limits = settings.PARCOURS_RATE_LIMITS
    assert limits["login_failed"] == (
        f"{settings.LOGIN_FAILURES_PER_IP}/{settings.LOGIN_LOCKOUT_MINUTES}m/ip,"
        f"{settings.LOGIN_FAILURES_PER_ACCOUNT}/{settings.LOGIN_LOCKOUT_MINUTES}m/key"
    )
    for action in (
        "signup",
        "reset_password",
        "confirm_email",
        "accept_invitation",
        "request_invitation_link",
        "login",
    ):
        assert "/ip" in limits[action], action
    for action in (
        "reset_password",
        "confirm_email",
        "accept_invitation",
        "request_invitation_link",
    ):
        assert "/key" in limits[action], action


@pytest.mark.usefixtures("rate_limits")
def test_too_many_logins_from_one_address_get_a_french_429(
    client: Client, db: None, settings
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.PARCOURS_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        post_login(client, "x@exemple.test", "Password123!")
    response = post_login(client, "x@exemple.test", "Password123!")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_the_admin_logs_in_through_the_front_door(client: Client, db: None) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.usefixtures("rate_limits")
def test_invitation_links_are_limited_per_link_and_per_address(db: None, settings) -> None:
    from django.test import RequestFactory

    from parcours.accounts import throttle

    settings.ACCOUNT_RATE_LIMITS = {
        **settings.PARCOURS_RATE_LIMITS,
        "accept_invitation": "3/m/ip,2/h/key",
    }

    def attempt(key: str, ip: str = "203.0.113.9"):
        return throttle.consume_or_429(
            RequestFactory().post("/invitation/x/", REMOTE_ADDR=ip), "accept_invitation", key=key
        )

    assert attempt("link-1") is None
    assert attempt("link-1") is None
    blocked = attempt("link-1")  # third try of the same link
    assert blocked is not None and blocked.status_code == 429
    assert attempt("link-2", ip="198.51.100.1") is None  # another link, elsewhere
    assert attempt("link-3") is not None  # this address has used its 3 tries


@pytest.mark.usefixtures("rate_limits")
def test_the_invitation_pages_are_rate_limited(client: Client, db: None, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.PARCOURS_RATE_LIMITS,
        "accept_invitation": "100/m/ip,2/h/key",
        "request_invitation_link": "100/m/ip,2/h/key",
    }
    accept = reverse("accounts:invitation_accept", args=["x" * 43])
    answers = [client.post(accept, {"password1": "p"}).status_code for _ in range(3)]
    assert answers[:2] != [429, 429] and answers[2] == 429
    ask = reverse("accounts:invitation_new_link")
    asked = [client.post(ask, {"email": "Zoe@Exemple.be"}).status_code for _ in range(2)]
    assert 429 not in asked
    assert client.post(ask, {"email": "zoe@exemple.be"}).status_code == 429


@pytest.mark.usefixtures("rate_limits")
def test_sign_ups_are_limited_per_address(client: Client, db: None, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.PARCOURS_RATE_LIMITS, "signup": "2/m/ip"}
    url = reverse("account_signup")
    for n in range(2):
        client.post(url, {"email": f"p{n}@exemple.test", "password1": "x", "password2": "x"})
    assert client.post(url, {"email": "p9@exemple.test"}).status_code == 429
