"""Smoke journey: the login page in French, a failed then a successful login."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts.models import User
from tests.browser import LOGIN_PATH, login


def test_login_journey(page: Page, live_url: str, coordinator: User) -> None:
    page.goto(f"{live_url}{LOGIN_PATH}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")

    login(page, live_url, coordinator.email, "not-the-password")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))
    expect(page.get_by_role("alert")).to_be_visible()

    login(page, live_url, coordinator.email, PASSWORD)
    expect(page).to_have_url(f"{live_url}/compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")
