"""The LTI launch in Chromium: the test plays the LMS with Open edX's LTI consumer (its page
auto-posts the login initiation to Parcours, its authorisation endpoint answers Parcours'
redirect with a page that posts the signed id_token to Parcours' launch URL). Parcours signs
the person in and shows the module of the link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from html import escape
from urllib.parse import parse_qsl

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.catalogue.models import Module
from parcours.integrations.lti import keys
from parcours.integrations.lti.tests import helpers
from parcours.integrations.lti.tests.platform import Platform
from parcours.integrations.models import LtiLaunchLog


@pytest.fixture
def lms(live_url: str, org: Organisation, settings) -> Iterator[Platform]:
    settings.SITE_URL = live_url
    settings.PLATFORM_NAME = "Moodle-Technosphère (essai)"
    cache.clear()
    platform = Platform(tool_base=live_url, tool_public_pem=keys.tool_key(org).public_pem)
    yield platform
    platform.stop()
    cache.clear()


def test_a_moodle_link_opens_the_module_signed_in(
    page: Page, live_url: str, lms: Platform, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(lms, org, admin)
    module = Module.objects.create(
        organisation=org,
        code="IA-101",
        title_fr="Introduction à l'IA",
        duration_hours=Decimal("12"),
        status=Module.Status.PUBLISHED,
    )
    login_params = lms.prepare(
        sub="moodle-501",
        email="lea.lambert@ecole.test",
        name="Léa Lambert",
        custom={"parcours_type": "module", "parcours_id": str(module.pk)},
    )
    page.goto(lms.start_url(login_params))
    expect(page).to_have_url(re.compile(re.escape(f"{live_url}/catalogue/{org.slug}/IA-101/")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Introduction à l'IA")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    person = User.objects.get(email="lea.lambert@ecole.test")
    assert LtiLaunchLog.objects.get().user == person
    page.goto(f"{live_url}/compte/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Léa")


def test_a_replayed_launch_shows_a_clear_error_page(
    page: Page, live_url: str, lms: Platform, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(lms, org, admin)
    posted: list[dict[str, str]] = []
    page.on(
        "request",
        lambda request: (
            posted.append(dict(parse_qsl(request.post_data or "")))
            if request.method == "POST" and request.url.endswith("/integrations/lti/lancement/")
            else None
        ),
    )
    page.goto(lms.start_url(lms.prepare(sub="moodle-502", email="sam@ecole.test")))
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    # Someone posts the same id_token again (from another page).
    fields = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in posted[0].items()
    )
    page.set_content(
        f'<form method="post" action="{live_url}/integrations/lti/lancement/">{fields}'
        '<button type="submit">Relancer</button></form>'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Relancer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours n'a pas pu s'ouvrir")
    expect(page.get_by_role("alert")).to_contain_text("déjà été utilisé")
