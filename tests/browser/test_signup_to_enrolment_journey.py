"""A visitor signs up from a session page and ends up enrolled (issue #10): the session's
"Créer un compte pour m'inscrire", the e-mail's confirmation link, then "M'inscrire" on the
session page the confirmation brought them back to: three steps. Under the production
Content-Security-Policy, with the cancel confirmation dialog too."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from parcours.accounts.models import Organisation, User
from parcours.enrolment.models import Enrolment
from parcours.enrolment.slots import full_days
from tests.browser.test_access_journeys import (  # noqa: F401 - fixtures
    NEW_PASSWORD,
    csp_violations,
    mailed_link,
    production_csp,
)
from tests.browser.test_enrolment_journeys import _session


def test_sign_up_from_a_session_page_and_land_enrolled(
    page: Page,
    live_url: str,
    org: Organisation,
    coordinator: User,
    trainer: User,
    production_csp: None,  # noqa: F811
    csp_violations: list[str],  # noqa: F811
) -> None:
    today = timezone.localdate()
    session = _session(org, coordinator, trainer, full_days(today + dt.timedelta(days=14)))
    page.goto(f"{live_url}/sessions/{session.pk}/")
    page.get_by_test_id("signup-for-session").click()
    # Step 1: the account.
    page.get_by_label("Adresse e-mail").fill("olga@ecole.test")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre adresse e-mail")
    assert not Enrolment.objects.filter(learner__email="olga@ecole.test").exists()
    # Step 2: the e-mail's link confirms the address and comes back to the session.
    page.goto(f"{live_url}{mailed_link('olga@ecole.test')}")
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(f"{live_url}/sessions/{session.pk}/")
    # Step 3: enrol.
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est confirmée.")
    assert Enrolment.objects.get(learner__email="olga@ecole.test").status == "confirmed"
    # Undo: the cancel link opens a confirmation dialog (static script, no inline code).
    page.goto(f"{live_url}/sessions/mes-sessions/")
    page.get_by_role("link", name=re.compile("^Annuler")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("button", name="Oui, annuler l'inscription").click()
    expect(page.get_by_role("status")).to_contain_text("L'inscription est annulée.")
    assert csp_violations == []
