"""Webinar journey: a coordinator imports a webinar's Teams participant report (UTF-16, tabs,
summary block first), reads the preview (who is present, what is ignored and why), confirms,
and sees the completions on the online attendance page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Enrolment
from parcours.lib.dates import platform_zone
from parcours.webinars import actions as webinars
from parcours.webinars.models import ParticipantMinutes
from parcours.webinars.tests.conftest import teams_report
from tests.browser import login


def test_coordinator_imports_a_teams_report_and_sees_completions(
    page: Page, live_url: str, org: Organisation, coordinator: User, tmp_path: Path
) -> None:
    actor = Actor.of(coordinator)
    module = Module.objects.create(
        organisation=org,
        code="EDULAB-WEB1",
        title_fr="Webinaire : l'IA générative en classe",
        duration_hours=Decimal("1"),
        status=Module.Status.PUBLISHED,
    )
    day = timezone.localdate() - dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(16), tzinfo=platform_zone())
    end = start + dt.timedelta(hours=1)
    session = enrolment.create_session(
        actor=actor,
        organisation=org,
        data=enrolment.SessionData(
            module_id=module.pk,
            code="EDULAB-TV-1",
            capacity=2_000,
            slots=[(start, end)],
            online_url="https://teams.example.test/x",
        ),
    )
    session = enrolment.set_session_status(actor=actor, session=session, status="published")
    people = [
        make_person(org, Role.LEARNER, f"{n.lower()}@ecole.test", n, "Prof")
        for n in ("Ana", "Ben", "Cleo")
    ]
    enrolment.enrol_many(
        actor=actor, session=session, learners=people, now=start - dt.timedelta(days=5)
    )
    webinar = webinars.save_webinar(
        actor=actor,
        session=session,
        data=webinars.WebinarData(provider="teams", live_url="https://teams.example.test/x"),
    )
    minute = dt.timedelta(minutes=1)
    report = tmp_path / "AttendanceReport.csv"
    report.write_bytes(
        teams_report(
            [
                # Ana drops out and comes back: one person, minutes summed.
                ("Ana Prof", "ana@ecole.test", start - 5 * minute, start + 30 * minute),
                ("Ana Prof", "ana@ecole.test", start + 33 * minute, end + 2 * minute),
                ("Ben Prof", "ben@ecole.test", start, start + 20 * minute),
                ("Guest", "guest@ailleurs.test", start, end),
            ]
        )
    )

    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/sessions/gestion/{session.pk}/")
    page.get_by_role("link", name="Importer le rapport de participation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer un rapport")
    page.get_by_label("Rapport de participation (CSV ou Excel)").set_input_files(str(report))
    page.get_by_role("button", name="Voir l'aperçu").click()

    summary = page.get_by_role("region", name="Ce qui sera enregistré")
    expect(summary).to_contain_text("2 personnes inscrites reconnues")
    expect(summary).to_contain_text("dont 1 présente")
    expect(summary).to_contain_text("personne non inscrite à cette session (1)")
    people_table = page.get_by_role("table", name="Personnes reconnues")
    expect(people_table.get_by_role("row", name="Ana Prof")).to_contain_text("57")
    expect(page.get_by_role("table", name="Lignes ignorées")).to_contain_text("Guest")
    assert not ParticipantMinutes.objects.exists()

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Présences en ligne")
    expect(page.get_by_role("status").first).to_contain_text("Rapport importé")
    table = page.get_by_role("table", name="Personnes inscrites")
    expect(table.get_by_role("row", name="Ana Prof")).to_contain_text("Terminée")
    expect(table.get_by_role("row", name="Ben Prof")).to_contain_text("Absence")
    assert Enrolment.objects.get(session=session, learner=people[0]).status == "completed"
    assert webinar.reports.count() == 1
