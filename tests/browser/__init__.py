"""End-to-end journeys in headless Chromium (Playwright's sync API).

Fixtures live in ``tests/browser/conftest.py``: ``browser`` (session), ``page`` (desktop,
fr-BE), ``phone_page`` (390x844, touch) and ``live_url``. Every test here is marked
``browser`` and runs against a live server with a transactional database.

Helpers to import from tests: ``from tests.browser import login``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

LOGIN_PATH = "/compte/connexion/"


def login(page: Page, live_url: str, email: str, password: str) -> Page:
    """Log in through the real login form and wait for the next page to load.

    Does not assert success: after wrong credentials the page shows the form again with an
    error. Check where you landed (``page.url``, a heading) in the test.
    """
    page.goto(f"{live_url}{LOGIN_PATH}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()
    return page
