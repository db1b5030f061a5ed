"""The reporting pages as their readers use them: the dashboard and its period picker, the
yearly report asked for, followed and downloaded; nobody else's figures."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.reporting import jobs
from parcours.reporting.models import ReportJob
from parcours.reporting.periods import Period
from parcours.reporting.tests.data import YEAR, trained_year
from parcours.reporting.tests.test_yearly_files import pdf_text

pytestmark = pytest.mark.django_db

AsUser = Callable[[User], Client]


def test_the_dashboard_shows_the_year_s_figures_beside_last_year_with_charts_and_tables(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    trained_year(org, coordinator)
    response = as_user(coordinator).get("/rapports/", {"kind": "year", "year": str(YEAR)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Année civile 2025" in html and "Année civile 2024" in html
    people = html.split('data-figure="training.people"')[1].split("</li>")[0]
    assert '<span class="key-value">3</span>' in people  # the absent one is not trained
    assert "l&#x27;an passé : 0" in people or "l'an passé : 0" in people
    assert 'role="img"' in html and "<desc" in html  # a chart, with its description
    assert '<table class="data-table">' in html
    # A coordinator may open the list of sessions the count comes from.
    held = html.split('data-figure="training.sessions_held"')[1].split("</li>")[0]
    assert 'href="/sessions/gestion/"' in held


def test_a_school_year_and_a_range_are_reported(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    client = as_user(coordinator)
    school = client.get("/rapports/", {"kind": "school_year", "year": "2024"})
    assert "Année scolaire 2024-2025" in school.content.decode()
    span = client.get("/rapports/", {"kind": "range", "first": "2025-03-01", "last": "2025-03-31"})
    assert span.status_code == 200
    assert "mars 2025" in span.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "range", "first": "2025-04-01", "last": "2025-03-01"},
        {"kind": "year", "year": "99999"},
        {"kind": "range", "first": "2020-01-01", "last": "2025-01-01"},
        {"kind": "nonsense"},
        {"kind": "year", "site": "9223372036854775808"},
    ],
)
def test_a_bad_period_or_filter_is_a_400_with_a_message_never_a_500(
    as_user: AsUser, coordinator: User, query: dict[str, str]
) -> None:
    response = as_user(coordinator).get("/rapports/", query)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def test_another_organisation_s_site_is_not_a_valid_filter(
    as_user: AsUser, org: Organisation, coordinator: User, other_org: Organisation
) -> None:
    from parcours.accounts import actions as account_actions

    elsewhere = account_actions.create_site(
        organisation=other_org, name="Mons", city="Mons", actor=None
    )
    response = as_user(coordinator).get("/rapports/", {"kind": "year", "site": str(elsewhere.pk)})
    assert response.status_code == 400


def test_learners_and_trainers_see_no_figures(
    as_user: AsUser, learner: User, trainer: User
) -> None:
    assert as_user(learner).get("/rapports/").status_code == 403
    assert as_user(trainer).get("/rapports/").status_code == 403
    assert as_user(learner).post("/rapports/rapport-annuel/", {"kind": "year"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/rapports/")
    assert response.status_code == 302
    assert "next=/rapports/" in response["Location"]


def test_the_yearly_report_is_produced_followed_and_downloaded(
    as_user: AsUser, org: Organisation, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    trained_year(org, coordinator)
    client = as_user(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rapports/rapport-annuel/", {"kind": "year", "year": str(YEAR)})
    job = ReportJob.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/rapports/rapport-annuel/{job.pk}/"
    )
    # Tests run tasks at once (after the commit): the job is done when the page is shown.
    page = client.get(response["Location"]).content.decode()
    assert "Le rapport est prêt." in page
    assert job.requested_by == coordinator
    # The e-mail tells the person where to download it.
    assert len(mail.outbox) == 1
    assert f"/rapports/rapport-annuel/{job.pk}/" in mail.outbox[0].body
    assert "Technofutur TIC" in mail.outbox[0].subject

    pdf = client.get(f"/rapports/rapport-annuel/{job.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment;" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert "Technofutur TIC" in text and "Personnes formées" in text and "Notes de méthode" in text

    book = load_workbook(io.BytesIO(client.get(f"/rapports/rapport-annuel/{job.pk}/xlsx/").content))
    assert book.sheetnames[0] == "Lisez-moi"
    figures = {
        row[1]: row[2] for row in book["Chiffres clés"].iter_rows(min_row=2, values_only=True)
    }
    assert figures["Personnes formées"] == 3

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/rapports/rapport-annuel/{job.pk}/zip/").content)
    )
    assert "chiffres-cles.csv" in archive.namelist()
    assert client.get(f"/rapports/rapport-annuel/{job.pk}/exe/").status_code == 404


def test_the_progress_fragment_polls_until_the_job_is_done(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    job = ReportJob.objects.create(
        organisation=org,
        requested_by=coordinator,
        first=Period.calendar_year(2025).first,
        last=Period.calendar_year(2025).last,
        progress=35,
        step="Mise en page du PDF…",
    )
    client = as_user(coordinator)
    fragment = client.get(f"/rapports/rapport-annuel/{job.pk}/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert (
        'hx-trigger="every 2s"' in html and 'value="35"' in html and "Mise en page du PDF" in html
    )
    assert "<html" not in html
    page = client.get(f"/rapports/rapport-annuel/{job.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript too
    # Not ready: nothing to download yet.
    assert client.get(f"/rapports/rapport-annuel/{job.pk}/pdf/").status_code == 404


def test_another_organisation_s_report_is_not_found(
    as_user: AsUser, org: Organisation, coordinator: User, outsider: User
) -> None:
    job = jobs.request_report(
        actor=Actor.of(coordinator), organisation=org, period=Period.calendar_year(2025)
    )
    client = as_user(outsider)
    assert client.get(f"/rapports/rapport-annuel/{job.pk}/").status_code == 404
    assert client.get(f"/rapports/rapport-annuel/{job.pk}/pdf/").status_code == 404
    assert client.get("/rapports/rapport-annuel/99999999999999999999/").status_code == 404


def test_a_second_click_while_waiting_returns_the_same_job(
    org: Organisation, coordinator: User
) -> None:
    actor = Actor.of(coordinator)
    first = jobs.request_report(actor=actor, organisation=org, period=Period.calendar_year(2025))
    again = jobs.request_report(actor=actor, organisation=org, period=Period.calendar_year(2025))
    assert first.pk == again.pk  # the first is still queued (its task runs after commit)


def test_an_agent_may_read_but_not_a_career_manager(as_user: AsUser, org: Organisation) -> None:
    agent = make_person(org, Role.AGENT, "agent@technofutur.test", "Agnès", "Agent")
    career = make_person(org, Role.CAREER_MANAGER, "cm@technofutur.test", "Carl", "Suivi")
    assert as_user(agent).get("/rapports/").status_code == 200
    assert as_user(career).get("/rapports/").status_code == 403


def test_a_failing_production_is_marked_failed_and_says_so(
    as_user: AsUser,
    org: Organisation,
    coordinator: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from parcours.reporting import yearly

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(yearly, "pdf_bytes", broken)
    client = as_user(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/rapports/rapport-annuel/", {"kind": "year", "year": str(YEAR)})
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED and "no fonts" in job.error
    assert "a échoué" in client.get(f"/rapports/rapport-annuel/{job.pk}/").content.decode()
    assert mail.outbox == []


def test_the_home_page_links_to_the_reports_for_their_readers_only(
    as_user: AsUser, coordinator: User, learner: User
) -> None:
    assert 'href="/rapports/"' in as_user(coordinator).get("/compte/").content.decode()
    assert 'href="/rapports/"' not in as_user(learner).get("/compte/").content.decode()


def test_a_query_without_a_period_shows_the_current_calendar_year(
    as_user: AsUser, coordinator: User
) -> None:
    from django.utils import timezone

    response = as_user(coordinator).get("/rapports/", {"audience": "teachers"})
    assert response.status_code == 200
    assert f"Année civile {timezone.localdate().year}" in response.content.decode()


def test_in_english_the_pages_and_the_report_speak_english(
    as_user: AsUser,
    org: Organisation,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = as_user(coordinator)
    client.cookies["django_language"] = "en"
    page = client.get("/rapports/", {"kind": "year", "year": str(YEAR)}).content.decode()
    assert "Calendar year 2025" in page and "Key figures" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/rapports/rapport-annuel/", {"kind": "year", "year": str(YEAR)})
    job = ReportJob.objects.get()
    assert job.language == "en"
    book = load_workbook(io.BytesIO(client.get(f"/rapports/rapport-annuel/{job.pk}/xlsx/").content))
    assert book.sheetnames[:2] == ["Read me", "Key figures"]


def test_a_figure_links_to_its_list_only_for_those_who_may_open_it(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    agent = make_person(org, Role.AGENT, "agent@technofutur.test", "Agnès", "Agent")
    logistics = make_person(org, Role.LOGISTICS, "log@technofutur.test", "Léa", "Logistique")
    query = {"kind": "year", "year": str(YEAR)}

    def linked(user: User, key: str) -> bool:
        html = as_user(user).get("/rapports/", query).content.decode()
        return "<a href=" in html.split(f'data-figure="{key}"')[1].split("</li>")[0]

    assert linked(coordinator, "training.sessions_held")
    assert not linked(coordinator, "logistics.loans")  # the loans page is logistics'
    assert linked(logistics, "logistics.loans")
    assert not linked(logistics, "training.sessions_held")
    assert not linked(agent, "training.sessions_held") and not linked(agent, "logistics.loans")


def test_the_dashboard_says_when_the_figures_are_being_recalculated(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    from django.utils import timezone

    from parcours.reporting import facts

    trained_year(org, coordinator)
    page = as_user(coordinator)
    assert 'data-testid="recalculating"' not in page.get("/rapports/").content.decode()
    facts._set_flag(timezone.now())  # manage.py reporting_rebuild running
    html = page.get("/rapports/", {"kind": "year", "year": str(YEAR)}).content.decode()
    assert "en cours de recalcul" in html
    facts._set_flag(None)
