"""People and access journeys (issue #10): an administrator invites a trainer, who accepts
from the e-mailed link (read from the test outbox) and lands in "Mon espace"; the administrator
gives a role and changes it; an invitation with a landing page lands there."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core import mail
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts import invitations
from parcours.accounts.models import Organisation, Role, User
from tests.browser import login

LINK = re.compile(r"https?://[^\s]+(/compte/invitation/[A-Za-z0-9_-]+/)")
NEW_PASSWORD = "Une-phrase-de-passe-solide-7"


def _link_in_outbox(to: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            found = LINK.search(str(message.body))
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no e-mail to {to}: {[m.to for m in mail.outbox]}")


def _accept(page: Page, url: str, first: str, last: str) -> None:
    page.goto(url)
    page.get_by_label("Prénom").fill(first)
    page.get_by_label("Nom de famille").fill(last)
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Choisir mon mot de passe et entrer").click()


def test_admin_invites_a_trainer_who_accepts_then_gets_a_role_changed(
    page: Page, new_page: Callable[..., Page], live_url: str, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Lovelace")
    login(page, live_url, admin.email, PASSWORD)
    page.get_by_role("link", name="Membres et rôles").click()
    expect(page.get_by_role("heading", level=2, name="Membres")).to_be_visible()
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_label("Adresse e-mail").fill("nina@exemple.test")
    page.get_by_label("Rôle").select_option(label="Formateur")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à nina@exemple.test.")).to_be_visible()
    expect(page.get_by_role("cell", name="nina@exemple.test", exact=True)).to_be_visible()

    # Nina opens the link from her e-mail, in her own browser.
    nina = new_page()
    _accept(nina, live_url + _link_in_outbox("nina@exemple.test"), "Nina", "Vos")
    expect(nina.get_by_role("heading", level=1)).to_have_text("Bonjour Nina")
    expect(nina.get_by_text("Organisation active : Technofutur TIC")).to_be_visible()
    # The link served once.
    nina.goto(live_url + _link_in_outbox("nina@exemple.test"))
    expect(nina.get_by_role("heading", level=1)).to_have_text(
        "Ce lien d'invitation ne fonctionne plus"
    )

    # Ada gives Nina the read-only agent role, then changes "Formateur" to coordinator.
    page.goto(f"{live_url}/compte/administration/?q=nina")
    page.get_by_role("link", name="Nina Vos").click()
    page.get_by_label("Ajouter un rôle").select_option(label="Agent (consultation)")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("Rôle ajouté.")).to_be_visible()
    roles = page.get_by_test_id("member-roles")
    expect(roles).to_contain_text("Agent (consultation)")
    page.get_by_label("Remplacer « Formateur » par").select_option(label="Coordinateur pédagogique")
    page.get_by_role("button", name="Changer le rôle « Formateur »").click()
    expect(page.get_by_text("Rôle modifié.")).to_be_visible()
    expect(roles.locator("strong")).to_have_text(
        ["Agent (consultation)", "Coordinateur pédagogique"]
    )
    nina_user = User.objects.get(email="nina@exemple.test")
    assert set(nina_user.memberships.values_list("role", flat=True)) == {
        Role.COORDINATOR,
        Role.AGENT,
    }


def test_last_administrator_is_told_why_the_change_is_refused(
    page: Page, live_url: str, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Lovelace")
    login(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/compte/administration/membres/{admin.pk}/")
    page.get_by_label("Remplacer « Administrateur » par").select_option(label="Formateur")
    page.get_by_role("button", name="Changer").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("dernier administrateur")
    expect(summary).to_be_focused()


def test_invitation_with_a_landing_page_lands_there(
    page: Page, live_url: str, org: Organisation
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Lovelace")
    invitations.invite(
        organisation=org,
        email="leo@exemple.test",
        role=Role.LEARNER,
        invited_by=admin,
        next_url="/compte/",
        first_name="Léo",
        last_name="Petit",
    )
    page.goto(live_url + _link_in_outbox("leo@exemple.test"))
    expect(page.get_by_label("Prénom")).to_have_value("Léo")
    _accept(page, page.url, "Léo", "Petit")
    expect(page).to_have_url(f"{live_url}/compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Léo")
