"""The front door in Chromium: sign-up with confirmation, password reset, TOTP, passkeys, CSP.

E-mails are read from Django's locmem outbox (the live server runs in this process). The
passkey journey uses Chromium's virtual authenticator (DevTools protocol) and runs under the
production Content-Security-Policy, so allauth's WebAuthn scripts are checked against it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import ConsoleMessage, Page, expect

from conftest import PASSWORD
from parcours.accounts.models import User
from tests.browser import LOGIN_PATH, login

NEW_PASSWORD = "une-phrase-de-passe-solide"


def mailed_link(to: str) -> str:
    """The path of the link in the last e-mail sent to ``to``."""
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no e-mail to {to}: {[m.to for m in mail.outbox]}"
    match = re.search(r"https?://[^/\s]+(/\S+)", str(messages[-1].body))
    assert match, messages[-1].body
    return match.group(1)


def totp_code(secret: str, shift: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


@pytest.fixture
def production_csp(settings) -> None:
    settings.CONTENT_SECURITY_POLICY = settings.CSP_POLICY


@pytest.fixture
def csp_violations(page: Page) -> Iterator[list[str]]:
    """Console messages about the Content-Security-Policy seen during the test (must stay [])."""
    seen: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", watch)
    yield seen


def test_sign_up_from_a_session_page_confirm_by_email_and_come_back(
    page: Page, live_url: str, db: None
) -> None:
    # The session page's "S'inscrire à cette session" link carries ?next=<the session page>.
    page.goto(f"{live_url}/compte/signup/?next=/sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    page.get_by_label("Adresse e-mail").fill("nina@exemple.test")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()  # step 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre adresse e-mail")

    page.goto(f"{live_url}{mailed_link('nina@exemple.test')}")  # step 2: the e-mail's link
    page.get_by_role("button", name="Confirmer").click()  # step 3
    expect(page).to_have_url(f"{live_url}/sessions/")
    expect(page.get_by_role("link", name="Mon espace")).to_be_visible()


@pytest.mark.usefixtures("production_csp")
def test_sign_up_errors_are_summarised_and_linked_to_their_field(
    page: Page, live_url: str, db: None, csp_violations: list[str]
) -> None:
    page.goto(f"{live_url}/compte/signup/")
    page.get_by_label("Adresse e-mail").fill("nina@exemple.test")
    page.locator("input[name=password1]").fill("password")
    page.locator("input[name=password2]").fill("password")
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Corrigez les erreurs suivantes")
    expect(summary).to_be_focused()  # static/js/parcours.js, allowed by the CSP
    summary.get_by_role("link").first.click()
    expect(page.locator("input[name=password1]")).to_be_focused()
    assert csp_violations == []


def test_reset_a_forgotten_password(page: Page, live_url: str, learner: User) -> None:
    page.goto(f"{live_url}{LOGIN_PATH}")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.locator("input[name=email]").fill(learner.email)
    page.get_by_role("button", name="Réinitialiser mon mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{live_url}{mailed_link(learner.email)}")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    login(page, live_url, learner.email, NEW_PASSWORD)
    expect(page).to_have_url(f"{live_url}/compte/")


def test_enrol_an_authenticator_app_and_log_in_with_it(
    page: Page, live_url: str, coordinator: User, settings
) -> None:
    settings.MFA_TOTP_TOLERANCE = 1  # the login uses the next period's code
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/compte/2fa/totp/activate/")
    expect(page.get_by_role("img")).to_be_visible()  # the QR code
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text(re.compile("codes de récupération", re.I)).first).to_be_visible()
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, live_url, coordinator.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/compte/2fa/authenticate/"))
    page.locator("input[name=code]").fill(totp_code(secret, shift=1))
    page.get_by_role("button", name="Connexion", exact=True).click()
    expect(page).to_have_url(f"{live_url}/compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")


@pytest.mark.usefixtures("production_csp")
def test_register_a_passkey_then_sign_in_with_it_without_a_password(
    page: Page, live_url: str, learner: User, csp_violations: list[str]
) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/compte/2fa/webauthn/add/")
    page.locator("input[name=name]").fill("Ordinateur de test")
    page.get_by_label("Sans mot de passe").check()
    page.get_by_role("button", name="Ajouter").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert Authenticator.objects.filter(user=learner, type="webauthn").exists()

    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_url}{LOGIN_PATH}")
    page.get_by_role("button", name="Utiliser une clé d'accès").click()
    expect(page).to_have_url(f"{live_url}/compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Chloé")
    assert csp_violations == []


@pytest.mark.usefixtures("production_csp")
def test_main_pages_work_under_the_production_csp(
    page: Page, live_url: str, coordinator: User, csp_violations: list[str]
) -> None:
    response = page.goto(f"{live_url}/catalogue/")
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.get_by_role("searchbox").first.fill("num")
    login(page, live_url, coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")
    page.goto(f"{live_url}/compte/2fa/totp/activate/")
    expect(page.get_by_role("img")).to_be_visible()  # the QR code is a data: image
    page.goto(f"{live_url}/sessions/")
    assert csp_violations == []
