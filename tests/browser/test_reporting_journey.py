"""Reporting journey (issue #11): a coordinator opens the reports from their space, changes
the period, produces the yearly activity report, follows it and downloads the PDF."""

from __future__ import annotations

import io

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.reporting.tests.data import trained_year
from tests.browser import login


def test_a_coordinator_produces_and_downloads_the_yearly_report(
    page: Page, live_url: str, org: Organisation, coordinator: User, tmp_path
) -> None:
    trained_year(org, coordinator)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/compte/")
    page.get_by_role("link", name="Voir les rapports").click()
    expect(page.get_by_role("heading", level=1, name="Rapports et chiffres")).to_be_visible()

    # The school year 2024-2025, then the calendar year 2025.
    page.get_by_label("Période", exact=True).select_option("school_year")
    page.get_by_label("Année", exact=True).fill("2024")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("p.lead")).to_contain_text("Année scolaire 2024-2025")
    page.get_by_label("Période", exact=True).select_option("year")
    page.get_by_label("Année", exact=True).fill("2025")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("p.lead")).to_contain_text("Année civile 2025")
    people = page.locator('[data-figure="training.people"]')
    expect(people.locator(".key-value")).to_have_text("3")
    expect(page.locator("svg.chart[role=img]").first).to_be_visible()

    # Tests run the task inline (after the POST's commit): the answer waits for the PDF.
    with page.expect_navigation(timeout=120_000):
        page.get_by_test_id("produce-report").click(no_wait_after=True)
    expect(page.get_by_role("heading", level=1, name="Rapport d'activité")).to_be_visible()
    expect(page.get_by_text("Le rapport est prêt.")).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    path = tmp_path / "rapport.pdf"
    download_info.value.save_as(path)
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Technofutur TIC" in text and "Année civile 2025" in text
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_dashboard_fits_a_phone(
    phone_page: Page, live_url: str, org: Organisation, coordinator: User
) -> None:
    trained_year(org, coordinator)
    login(phone_page, live_url, coordinator.email, PASSWORD)
    phone_page.goto(f"{live_url}/rapports/?kind=year&year=2025")
    expect(phone_page.locator('[data-figure="training.people"] .key-value')).to_have_text("3")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1  # wide tables scroll inside their own box, the page does not
