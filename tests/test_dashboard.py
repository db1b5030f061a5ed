"""The home page ("Mon espace"): the panels each role sees, their figures, tenant isolation and
a bounded number of queries (panels registered by the apps, see parcours/accounts/dashboard.py).

Here rather than in ``parcours/accounts/tests``: the page assembles panels of every app, and
``accounts`` may not import them (import-linter layers).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts import dashboard
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Pathway
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Resource

BRUSSELS = timezone.get_default_timezone()


def make_module(org: Organisation, code: str) -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=f"Module {code}",
        duration_hours=Decimal("6"),
        status=Module.Status.PUBLISHED,
    )


def site_of(org: Organisation, name: str = "Gosselies") -> Site:
    return account_actions.create_site(
        organisation=org, name=name, city=name, street="Avenue Mermoz 18", actor=None
    )


@pytest.fixture
def make_session(org: Organisation, coordinator: User, trainer: User) -> Callable[..., Session]:
    counter = iter(range(1, 1000))
    site = site_of(org)

    def make(
        *,
        organisation: Organisation | None = None,
        manager: User | None = None,
        capacity: int = 10,
        days: tuple[int, ...] = (5,),
        slots: list[tuple[dt.datetime, dt.datetime]] | None = None,
        module: Module | None = None,
        **extra: Any,
    ) -> Session:
        target = organisation or org
        actor = Actor.of(manager or coordinator)
        n = next(counter)
        data = enrolment_actions.SessionData(
            module_id=(module or make_module(target, f"MOD{n}")).pk,
            code=f"S{n}",
            capacity=capacity,
            slots=slots or full_days(*(timezone.localdate() + dt.timedelta(days=d) for d in days)),
            site_id=(site if target == org else site_of(target, f"Site{n}")).pk,
            trainer_ids=[trainer.pk] if target == org else [],
            **extra,
        )
        session = enrolment_actions.create_session(actor=actor, organisation=target, data=data)
        return enrolment_actions.set_session_status(
            actor=actor, session=session, status=Session.Status.PUBLISHED
        )

    return make


def page(client: Client) -> str:
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}"><span class="figure">(\d+)</span>', html)
    assert found, f"no figure {name}"
    return int(found.group(1))


def panels(html: str) -> list[str]:
    return re.findall(r'data-panel="([a-z-]+)"', html)


def count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page(client)
    return len(ctx.captured_queries)


# --- Learner ---------------------------------------------------------------------------------


def test_learner_sees_next_session_pathways_and_counts(
    as_user, learner: User, coordinator: User, org: Organisation, make_session
) -> None:
    later = make_session(days=(9,))
    sooner = make_session(days=(3,))
    for session in (later, sooner):
        enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    modules = [make_module(org, code) for code in ("PA", "PB", "PC")]
    pathway = pathway_actions.create_pathway(
        actor=Actor.of(coordinator),
        organisation=org,
        data=pathway_actions.PathwayData(
            code="P1", title_fr="Référent IA", rule_text="PA & PB & PC"
        ),
    )
    pathway_actions.set_pathway_status(
        actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    for module in modules[:2]:
        pathway_actions.record_completion(learner=learner, module=module)

    html = page(as_user(learner))

    assert panels(html)[:2] == ["next-session", "my-pathways"]
    next_panel = html.split('data-panel="next-session"')[1].split("</section>")[0]
    assert sooner.module.title in next_panel and later.module.title not in next_panel
    assert "09:00" in next_panel and "Gosselies" in next_panel
    assert "Et 1 autre session à venir." in next_panel
    assert "Référent IA" in html and "encore 1 module" in html
    assert 'aria-valuenow="67"' in html
    assert figure(html, "badges") == 0 and figure(html, "attestations") == 0
    # The existing links are still there.
    assert reverse("enrolment:my_sessions") in html and reverse("credentials:my_badges") in html


def test_new_learner_gets_pointers_rather_than_nothing(as_user, learner: User) -> None:
    html = page(as_user(learner))
    assert "Aucune session à venir." in html
    assert "Vous n'avez encore commencé aucun parcours." in html
    assert "coordinator-actions" not in panels(html) and "trainer-week" not in panels(html)


def test_learner_page_queries_do_not_grow_with_pathways_or_sessions(
    as_user, learner: User, coordinator: User, org: Organisation, make_session
) -> None:
    def add_pathway(i: int) -> None:
        modules = [make_module(org, f"X{i}{c}") for c in "ABC"]
        pathway = pathway_actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=pathway_actions.PathwayData(
                code=f"PX{i}",
                title_fr=f"Parcours {i}",
                rule_text=" & ".join(m.code for m in modules),
            ),
        )
        pathway_actions.set_pathway_status(
            actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
        )
        pathway_actions.record_completion(learner=learner, module=modules[0])
        session = make_session(days=(3 + 2 * i,))
        enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)

    client = as_user(learner)
    add_pathway(0)
    few = count_queries(client)
    for i in range(1, 6):
        add_pathway(i)
    many = count_queries(client)
    # Session, user, memberships, organisation; 3 for the next session; 3 for the pathways;
    # 1 each for badges and attestations.
    assert many == few <= 13
    html = page(client)
    assert "Et 3 autres parcours." in html


# --- Trainer ---------------------------------------------------------------------------------


def test_trainer_sees_today_and_the_week_with_roll_call_link(
    as_user, trainer: User, make_session
) -> None:
    now = timezone.localtime()
    ongoing = make_session(
        slots=[(now - dt.timedelta(minutes=30), now + dt.timedelta(hours=1))], days=()
    )
    make_session(days=(3,))
    make_session(days=(20,))  # beyond the week: not listed

    html = page(as_user(trainer))

    panel = html.split('data-panel="trainer-week"')[1].split("</section>")[0]
    slot = ongoing.slots.get()
    assert reverse("enrolment:roll_call", args=[slot.pk]) in panel
    assert "Prendre les présences (créneau en cours)" in panel
    today, week = panel.split("Cette semaine")
    assert ongoing.module.title in today
    assert week.count("<li>") == 2  # the two half-days in three days' time
    assert "MOD3" not in panel


def test_a_trainer_with_nothing_this_week_sees_their_next_slot(
    as_user, trainer: User, make_session
) -> None:
    later = make_session(days=(20,))

    html = page(as_user(trainer))

    panel = html.split('data-panel="trainer-week"')[1].split("</section>")[0]
    assert "Aucun autre créneau dans les sept prochains jours." in panel
    next_part = panel.split("Prochain créneau")[1]
    assert later.module.title in next_part
    assert next_part.count("<li>") == 1


# --- Coordinator -----------------------------------------------------------------------------


def test_coordinator_counts_what_needs_action_in_their_organisation_only(
    as_user,
    coordinator: User,
    outsider: User,
    org: Organisation,
    other_org: Organisation,
    make_session,
) -> None:
    def people(tenant: Organisation, prefix: str, n: int) -> list[User]:
        return [
            make_person(tenant, Role.LEARNER, f"{prefix}{i}@ex.test", f"{prefix}{i}", "X")
            for i in range(n)
        ]

    def populate(tenant: Organisation, manager: User, prefix: str) -> None:
        actor = Actor.of(manager)
        # Needs approval: three requests.
        gated = make_session(
            organisation=tenant, manager=manager, days=(30,), requires_approval=True
        )
        for person in people(tenant, f"{prefix}r", 3):
            enrolment_actions.enrol(actor=Actor.of(person), session=gated, learner=person)
        # Full, with two in the queue; soon but not under-filled.
        full = make_session(organisation=tenant, manager=manager, capacity=2, days=(4,))
        for person in people(tenant, f"{prefix}w", 4):
            enrolment_actions.enrol(actor=actor, session=full, learner=person, source="coordinator")
        # Under-filled and soon (1 of 10), under-filled but far (day 20), half full (2 of 4).
        soon = make_session(organisation=tenant, manager=manager, days=(6,))
        make_session(organisation=tenant, manager=manager, days=(20,))
        half = make_session(organisation=tenant, manager=manager, capacity=4, days=(8,))
        for session, person in zip(
            (soon, half, half), people(tenant, f"{prefix}u", 3), strict=True
        ):
            enrolment_actions.enrol(
                actor=actor, session=session, learner=person, source="coordinator"
            )
        pathway_actions.create_pathway(
            actor=actor,
            organisation=tenant,
            data=pathway_actions.PathwayData(
                code=f"{prefix}D", title_fr="Brouillon", rule_text=gated.module.code
            ),
        )

    populate(org, coordinator, "a")
    populate(other_org, outsider, "b")
    extra = make_session(organisation=other_org, manager=outsider, days=(2,))  # B only
    assert extra.organisation == other_org

    html = page(as_user(coordinator))
    assert panels(html)[0] == "coordinator-actions"
    assert figure(html, "requests") == 3
    assert figure(html, "waitlisted") == 2
    assert "(sessions concernées : 1)" in html
    assert figure(html, "underfilled") == 1
    assert figure(html, "draft-pathways") == 1
    # A coordinator who is not a learner does not get empty learner panels.
    assert "next-session" not in panels(html) and "my-badges" not in panels(html)

    outsider_html = page(as_user(outsider))
    assert figure(outsider_html, "underfilled") == 2  # their own extra session counts there


def test_coordinator_panel_query_count_is_bounded(
    as_user, coordinator: User, make_session, org: Organisation
) -> None:
    client = as_user(coordinator)
    make_session(days=(3,))
    few = count_queries(client)
    for d in range(4, 10):
        make_session(days=(d,), requires_approval=True)
    # One or two queries per panel (coordinator actions, open calls, class mode, events,
    # webinars…), not
    # per row.
    assert count_queries(client) == few <= 16


# --- Logistics -------------------------------------------------------------------------------


def test_logistics_sees_pending_requests_and_today_in_their_organisation(
    as_user,
    logistics: User,
    trainer: User,
    org: Organisation,
    other_org: Organisation,
) -> None:
    site = site_of(org, "Liège")
    lea = Actor.of(logistics)
    room = scheduling_actions.create_resource(
        actor=lea, site=site, name="Salle", code="S1", capacity=10, requires_approval=True
    )
    gated = Resource.objects.get(pk=room.pk)
    now = timezone.localtime()
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    for i in range(2):
        scheduling_actions.book(
            actor=Actor.of(trainer),
            resources=[gated],
            start=tomorrow + dt.timedelta(days=i),
            end=tomorrow + dt.timedelta(days=i, hours=1),
            title=f"Réunion {i}",
        )
    # Today, decided by logistics: confirmed at once.
    start = (now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    scheduling_actions.book(
        actor=lea,
        resources=[gated],
        start=start,
        end=start + dt.timedelta(minutes=30),
        title="Ce soir",
    )
    # Another organisation's logistics team and requests.
    their_logistics = make_person(other_org, Role.LOGISTICS, "l@prov.test", "Lou", "P")
    their_site = site_of(other_org, "Mons")
    their_room = scheduling_actions.create_resource(
        actor=Actor.of(their_logistics), site=their_site, name="B", code="B1", capacity=10
    )
    scheduling_actions.book(
        actor=Actor.of(their_logistics),
        resources=[their_room],
        start=start,
        end=start + dt.timedelta(minutes=30),
        title="Chez eux",
    )

    client = as_user(logistics)
    html = page(client)
    assert figure(html, "pending") == 2
    assert figure(html, "today") == 1
    assert reverse("scheduling:approvals") in html
    assert "coordinator-actions" not in panels(html)

    their_html = page(as_user(their_logistics))
    assert figure(their_html, "pending") == 0
    assert figure(their_html, "today") == 1


# --- Registry --------------------------------------------------------------------------------


def test_every_app_registers_its_panels_in_order() -> None:
    keys = [p.key for p in dashboard.registered()]
    assert keys == [
        "enrolment.coordinator_actions",
        "careers.caseload",
        "scheduling.logistics_today",
        "candidates.open_calls",
        "enrolment.trainer_week",
        "enrolment.next_session",
        "pathways.my_pathways",
        "credentials.my_badges",
        "documents.my_attestations",
        "orientation.class_mode",
        "accounts.administration",
        "accounts.security",
        "reporting.reports",
        "reporting.networks",
        "privacy.my_data",
        "privacy.learners_data",
        "portfolio.links",
        "events.upcoming",
        "webinars.upcoming",
    ]


def test_panels_speak_english_to_an_english_speaker(as_user, org: Organisation) -> None:
    person = make_person(org, Role.LEARNER, "emma@ex.test", "Emma", "Smith", language="en")
    html = page(as_user(person))
    assert "My next session" in html and "No upcoming session." in html
    assert "All my progress" in html and "See my badges" in html and "See my attestations" in html


def test_an_agent_finds_the_occupancy_and_the_plannings(as_user, org: Organisation) -> None:
    agent = make_person(org, Role.AGENT, "agent@ex.test", "Marc", "Agent")
    html = page(as_user(agent))
    assert "Occupation des locaux" in html and "Plannings des sites" in html
    assert "Demander une salle" not in html  # an agent requests nothing


def test_a_coordinator_finds_the_open_calls_and_class_mode(
    as_user, coordinator: User, org: Organisation
) -> None:
    """Calls for applications and class mode are reached from the home page, not by address."""
    from parcours.candidates.models import Call
    from parcours.orientation.models import World

    html = page(as_user(coordinator))
    assert "Aucun appel à candidatures ouvert" in html
    assert "orientation" not in panels(html)  # no world: nothing to run a class visit with
    now = timezone.now()
    call = Call.objects.create(
        organisation=org,
        slug="soc",
        title="Analyste SOC",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
        places=12,
    )
    World.objects.create(organisation=org, slug="geoterra", name_fr="Géoterra")
    html = page(as_user(coordinator))
    assert reverse("candidates:board", args=[call.pk]) in html and "0 candidature" in html
    assert reverse("orientation_play:facilitator_list") in html
