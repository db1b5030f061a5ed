"""Who reads which figures: pages' permission functions, the API, networks, baselines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role, User
from parcours.accounts.permissions import Actor
from parcours.reporting import actions
from parcours.reporting.figures import build_report
from parcours.reporting.network import build_network_report
from parcours.reporting.periods import Filters, Period
from parcours.reporting.permissions import may_view_reports, networks_for
from parcours.reporting.tests.conftest import day_slots
from parcours.scheduling.models import Resource

pytestmark = pytest.mark.django_db
Y = 2025


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_superuser("operateur@parcours.test", "x" * 20)


@pytest.fixture
def funder(db: None) -> User:
    return account_actions.create_user(
        email="bailleur@federation.test", password="x" * 20, first_name="Fa", last_name="Bailleur"
    )


def test_staff_who_read_reports_and_those_who_do_not(
    org, other_org, coordinator, trainer, logistics, learner, outsider, operator
) -> None:
    assert may_view_reports(Actor.of(coordinator), org)
    assert may_view_reports(Actor.of(logistics), org)
    assert may_view_reports(Actor.of(operator), org)
    assert not may_view_reports(Actor.of(trainer), org)
    assert not may_view_reports(Actor.of(learner), org)
    assert not may_view_reports(Actor.of(outsider), org)  # coordinator elsewhere
    assert not may_view_reports(None, org)


def test_the_api_gives_figures_to_staff_and_404_to_everyone_else(
    org, coordinator, learner, outsider, as_user, client
) -> None:
    url = f"/api/v1/reports/organisations/{org.slug}?year={Y}"
    assert client.get(url).status_code == 401
    answer = as_user(coordinator).get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["organisations"] == [org.slug]
    assert body["period"]["first"] == f"{Y}-01-01"
    training = next(s for s in body["sections"] if s["key"] == "training")
    people = next(f for f in training["figures"] if f["key"] == "training.people")
    assert people == people | {"value": 0, "previous": 0, "unit": "people"}
    for someone in (learner, outsider):
        assert as_user(someone).get(url).status_code == 404
    # An organisation that does not exist answers exactly the same.
    assert as_user(outsider).get("/api/v1/reports/organisations/nope?year=2025").status_code == 404


def test_the_api_refuses_bad_periods_and_foreign_filters_with_a_422(
    org, other_org, coordinator, as_user
) -> None:
    site = account_actions.create_site(
        organisation=other_org, name="Ailleurs", city="Liège", actor=None
    )
    client = as_user(coordinator)
    base = f"/api/v1/reports/organisations/{org.slug}"
    for query in (
        "?year=2025&school_year=2024",
        "?first=2025-05-01",
        "?first=2025-05-01&last=2025-04-01",
        "?first=2020-01-01&last=2025-01-01",
        f"?year=2025&site={site.pk}",
        "?year=2025&audience=martians",
        "?year=1800",
        "?year=2025&site=99999999999999999999",
    ):
        answer = client.get(base + query)
        assert answer.status_code == 422, query
        assert answer["Content-Type"].startswith("application/problem+json")


def test_open_data_is_public_and_suppresses_small_counts(
    org, make_session, make_learner, enrol, roll_call, client
) -> None:
    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    for i in range(2):
        enrol(session, make_learner(i))
    roll_call(session)
    answer = client.get(f"/api/v1/reports/organisations/{org.slug}/open-data?year={Y}")
    assert answer.status_code == 200
    people = next(r for r in answer.json() if r["indicator"] == "training.people")
    assert people["value"] == "< 5"
    csv = client.get(f"/api/v1/reports/organisations/{org.slug}/open-data?year={Y}&format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert "< 5" in csv.content.decode("utf-8-sig")
    assert "Logistique" not in csv.content.decode("utf-8-sig")


def test_a_network_sums_its_organisations_for_its_readers_only(
    org,
    other_org,
    operator,
    funder,
    outsider,
    coordinator,
    make_session,
    make_learner,
    enrol,
    roll_call,
    as_user,
) -> None:
    session = make_session(slots=day_slots(dt.date(Y, 6, 2)))
    enrol(session, make_learner(1))
    roll_call(session)
    with pytest.raises(PermissionDenied):
        actions.create_network(
            actor=Actor.of(coordinator), name="Réseau", organisations=[org, other_org]
        )
    network = actions.create_network(
        actor=Actor.of(operator), name="FWB", organisations=[org, other_org], members=[funder]
    )
    assert list(networks_for(funder)) == [network]
    assert list(networks_for(operator)) == [network]
    assert list(networks_for(outsider)) == []
    report = build_network_report(network, Period.calendar_year(Y), Filters())
    assert report.value("training.people") == 1
    assert report.organisation_ids == tuple(sorted((org.pk, other_org.pk)))
    url = f"/api/v1/reports/networks/{network.pk}?year={Y}"
    assert as_user(funder).get(url).status_code == 200
    assert as_user(outsider).get(url).status_code == 404
    # The funder has no role in the organisations: their own figures stay closed.
    assert as_user(funder).get(f"/api/v1/reports/organisations/{org.slug}").status_code == 404


def test_the_outreach_baseline_is_typed_once_and_added_since_the_start(org, coordinator) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "adm@technofutur.test", "Ad", "Min")
    site = account_actions.create_site(organisation=org, name="Base", city="Mons", actor=None)
    truck = Resource.objects.create(
        organisation=org, site=site, kind=Resource.Kind.MOBILE_UNIT, name="Camion", code="TRK"
    )
    with pytest.raises(PermissionDenied):
        actions.set_outreach_baseline(actor=Actor.of(coordinator), organisation=org, pupils=1)
    with pytest.raises(ValidationError):
        actions.set_outreach_baseline(actor=Actor.of(admin), organisation=org, pupils=-1)
    actions.set_outreach_baseline(
        actor=Actor.of(admin), organisation=org, unit=truck, pupils=39_000
    )
    actions.set_outreach_baseline(
        actor=Actor.of(admin), organisation=org, unit=truck, pupils=40_000
    )
    report = build_report([org.pk], Period.calendar_year(Y), Filters())
    assert report.value("outreach.pupils_since_start") == 40_000
    assert report.value("outreach.pupils") == 0
