"""Issue #9: every htmx form in logistics fails in place. A validation error in the planning
grid's dialogs (new booking, move, refuse) keeps the page and the dialog, shows the errors in
the dialog (422 with the form fragment) and moves the focus to the error summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Booking, Resource
from tests.browser import login

DAY = "2031-03-12"  # a Wednesday, in the future


@pytest.fixture
def liege(org: Organisation, logistics: User) -> Site:
    lea = Actor.of(logistics)
    site = account_actions.create_site(
        organisation=org, name="Liège", city="Liège", actor=logistics
    )
    actions.set_opening_hours(
        actor=lea, site=site, hours={d: (dt.time(8, 0), dt.time(18, 0)) for d in range(5)}
    )
    return site


@pytest.fixture
def meuse(liege: Site, logistics: User) -> Resource:
    return actions.create_resource(
        actor=Actor.of(logistics), site=liege, name="Salle Meuse", code="LG-MEUSE", capacity=8
    )


def _open_grid(page: Page, live_url: str, user: User, site: Site) -> None:
    login(page, live_url, user.email, PASSWORD)
    page.goto(f"{live_url}/logistique/planning/{site.pk}/?date={DAY}")


def _still_on_the_grid(page: Page, site: Site) -> None:
    expect(page).to_have_url(re.compile(rf"/logistique/planning/{site.pk}/"))
    expect(page.locator("table.planning").first).to_be_visible()
    expect(page.locator("link[rel=stylesheet]").first).to_be_attached()


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        ({"#id_title": "Atelier", "#id_start_time": "11:00", "#id_end_time": "10:00"}, "fin"),
        ({"#id_title": "Atelier", "#id_participants": "30"}, "au plus 8"),
        ({"#id_title": ""}, "obligatoire"),
    ],
)
def test_new_booking_dialog_shows_errors_in_place(
    page: Page, live_url: str, logistics: User, liege: Site, meuse: Resource, fill, message
) -> None:
    _open_grid(page, live_url, logistics, liege)
    page.locator("a.cell-add").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for selector, value in fill.items():
        dialog.locator(selector).fill(value)
    dialog.get_by_role("button", name="Réserver").click()
    summary = dialog.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(re.compile(message, re.IGNORECASE))
    expect(dialog).to_be_visible()
    _still_on_the_grid(page, liege)
    assert not Booking.objects.exists()


def test_move_and_refuse_dialogs_show_errors_in_place(
    page: Page,
    live_url: str,
    logistics: User,
    school_contact: User,
    liege: Site,
    meuse: Resource,
) -> None:
    start = core.local_datetime(dt.date.fromisoformat(DAY), dt.time(9), planning.TZ)
    requested = actions.book(
        actor=Actor.of(school_contact),
        resources=[meuse],
        start=start,
        end=start + dt.timedelta(hours=1),
        title="Conseil",
    )
    _open_grid(page, live_url, logistics, liege)
    page.get_by_role("link", name=re.compile("Conseil")).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # Move: end before start.
    dialog.locator("form[action$='/deplacer/'] [name=start_time]").fill("12:00")
    dialog.locator("form[action$='/deplacer/'] [name=end_time]").fill("11:00")
    dialog.locator("form[action$='/deplacer/'] button[type=submit]").click()
    expect(dialog.locator(".error-summary")).to_be_focused()
    _still_on_the_grid(page, liege)
    # Refuse without a reason.
    dialog.locator("form[action$='/refuser/'] button[type=submit]").click()
    expect(dialog.locator(".error-summary")).to_be_focused()
    expect(dialog.locator(".error-summary")).to_contain_text("Motif du refus")
    expect(dialog).to_be_visible()
    _still_on_the_grid(page, liege)
    requested.refresh_from_db()
    assert requested.status == "requested"
    assert requested.start == start


def test_request_form_shows_errors_in_place(
    page: Page, live_url: str, school_contact: User, liege: Site, meuse: Resource
) -> None:
    login(page, live_url, school_contact.email, PASSWORD)
    page.goto(f"{live_url}/logistique/demander/?resource={meuse.pk}&day={DAY}")
    page.locator("#id_title").fill("Réunion")
    page.locator("#id_start_time").fill("12:00")
    page.locator("#id_end_time").fill("11:00")
    page.get_by_role("button", name="Envoyer la demande").click()
    summary = page.locator("#request-area .error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_url(re.compile(r"/logistique/demander/"))
    expect(page.locator("nav.sched-nav")).to_have_count(1)
    assert not Booking.objects.exists()


def test_catering_change_in_the_booking_dialog_shows_errors_in_place(
    page: Page, live_url: str, logistics: User, liege: Site, meuse: Resource
) -> None:
    lea = Actor.of(logistics)
    actions.create_catering_item(
        actor=lea, organisation=liege.organisation, slug="cafe", label_fr="Café"
    )
    start = core.local_datetime(dt.date.fromisoformat(DAY), dt.time(9), planning.TZ)
    booking = actions.book(
        actor=lea,
        resources=[meuse],
        start=start,
        end=start + dt.timedelta(hours=1),
        title="Jury",
        catering=[actions.CateringRequest("cafe", 4)],
    )
    _open_grid(page, live_url, logistics, liege)
    page.get_by_role("link", name=re.compile("Jury")).first.click()
    dialog = page.get_by_role("dialog")
    form = dialog.locator("form[action$='/catering/']")
    form.get_by_label("Café").fill("-3")
    form.get_by_role("button", name="Enregistrer le catering").click()
    expect(dialog.locator(".error-summary")).to_be_focused()
    _still_on_the_grid(page, liege)
    form = dialog.locator("form[action$='/catering/']")
    form.get_by_label("Café").fill("6")
    form.get_by_role("button", name="Enregistrer le catering").click()
    expect(page.get_by_role("status").first).to_contain_text("Catering modifié")
    assert booking.catering_lines.get().count == 6
