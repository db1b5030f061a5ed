"""The public explorer, without an account, and the links shown on other apps' pages."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.lib import sections
from parcours.orientation import actions
from parcours.orientation.models import JobSheet, World
from parcours.orientation.views import outreach_orientation


def test_a_visitor_goes_from_worlds_to_a_sheet_and_its_upcoming_session(
    client: Client,
    org: Organisation,
    coordinator: User,
    world: World,
    sheet: JobSheet,
    module: Module,
    make_session: Callable[..., Session],
) -> None:
    session = make_session(days=(20,))
    make_session(days=(30,), publish=False)  # a draft session never shows
    actions.save_job_sheet(
        actor=Actor.of(coordinator),
        organisation=org,
        data={},
        sheet=sheet,
        links=actions.SheetLinks(module_ids=[module.pk]),
    )
    actions.save_route(
        actor=Actor.of(coordinator), sheet=sheet, data={"title_fr": "Électricité (technique)"}
    )
    index = client.get(reverse("orientation:index"), follow=True)
    assert "Életroworld" in index.content.decode()
    page = client.get(reverse("orientation:world", args=[org.slug, world.slug])).content.decode()
    assert "Électricienne, électricien" in page
    body = client.get(reverse("orientation:sheet", args=[org.slug, sheet.slug])).content.decode()
    assert "électricien/électricienne" in body  # the ESCO label
    assert "7411" in body  # the ISCO group
    assert "ESCO, European Commission" in body
    assert "Électricité (technique)" in body
    assert reverse("enrolment:detail", args=[session.pk]) in body
    assert body.count(reverse("enrolment:detail", args=[session.pk])[:-1]) == 1


def test_unpublished_sheets_and_worlds_are_404(
    client: Client, org: Organisation, coordinator: User, world: World, sheet: JobSheet
) -> None:
    actions.save_job_sheet(
        actor=Actor.of(coordinator), organisation=org, data={"is_published": False}, sheet=sheet
    )
    assert client.get(reverse("orientation:sheet", args=[org.slug, sheet.slug])).status_code == 404
    actions.save_world(
        actor=Actor.of(coordinator), organisation=org, data={"is_published": False}, world=world
    )
    assert client.get(reverse("orientation:world", args=[org.slug, world.slug])).status_code == 404
    assert client.get(reverse("orientation:worlds", args=[org.slug])).status_code == 404


def test_the_esco_search_page_is_accent_insensitive(client: Client, electrician) -> None:
    page = client.get(reverse("orientation:occupations"), {"q": "ELECTRICIEN"})
    assert "électricien/électricienne" in page.content.decode()
    odd = client.get(reverse("orientation:occupations"), {"q": "\x00%_" * 100})
    assert odd.status_code == 200


def test_a_module_page_lists_its_occupations_and_the_catalogue_filters_by_them(
    client: Client, org: Organisation, coordinator: User, sheet: JobSheet, module: Module
) -> None:
    other = Module.objects.create(
        organisation=org, code="Z9", title_fr="Autre chose", duration_hours=2, status="published"
    )
    actions.save_job_sheet(
        actor=Actor.of(coordinator),
        organisation=org,
        data={},
        sheet=sheet,
        links=actions.SheetLinks(module_ids=[module.pk]),
    )
    page = client.get(reverse("catalogue:detail", args=[org.slug, module.code])).content.decode()
    assert "Des métiers auxquels ce module prépare" in page
    assert reverse("orientation:sheet", args=[org.slug, sheet.slug]) in page
    listing = client.get(reverse("catalogue:public_list"), {"metier": f"{org.slug}/{sheet.slug}"})
    text = listing.content.decode()
    assert escape(module.title_fr) in text
    assert other.title_fr not in text
    assert "Électricienne, électricien" in text
    unknown = client.get(reverse("catalogue:public_list"), {"metier": "nope/nope"})
    assert unknown.status_code == 400
    assert "Filtre inconnu" in unknown.content.decode()


def test_an_outreach_activity_lists_its_worlds_and_occupations(
    org: Organisation, coordinator: User, world: World, sheet: JobSheet, logistics: User, rf
) -> None:
    from parcours.accounts import actions as account_actions
    from parcours.scheduling.actions import outreach, resources
    from parcours.scheduling.models import Resource

    admin = Actor.of(coordinator)
    logistics_admin = Actor.of(_admin(org))
    site = account_actions.create_site(organisation=org, name="Dépôt", city="Liège", actor=None)
    unit = resources.create_resource(
        actor=logistics_admin,
        site=site,
        name="Camion",
        code="TRUCK",
        kind=Resource.Kind.MOBILE_UNIT,
    )
    activity = outreach.create_outreach_activity(
        actor=logistics_admin, unit=unit, slug="energie", title_fr="L'énergie"
    )
    assert outreach_orientation(rf.get("/"), activity) is None
    actions.save_world(
        actor=admin, organisation=org, data={}, world=world, activity_ids=[activity.pk]
    )
    actions.save_job_sheet(
        actor=admin,
        organisation=org,
        data={},
        sheet=sheet,
        links=actions.SheetLinks(activity_ids=[activity.pk]),
    )
    rendered = sections.for_slot("scheduling.outreach", rf.get("/"), activity)
    assert [s.key for s in rendered] == ["orientation.outreach"]
    assert rendered[0].context["worlds"] == [world]
    assert rendered[0].context["sheets"] == [sheet]


def _admin(org: Organisation) -> User:
    from conftest import make_person
    from parcours.accounts.models import Role

    return make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
