"""Where to get what is missing (issue #9): a learner's pathway progress lists, for each
missing module, its next sessions open for enrolment with a link to enrol, in a fixed number
of queries. Here rather than in ``parcours/pathways/tests``: the sessions belong to
``enrolment``, which pathways may not import (its provider registers in ``pathways.offers``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days
from parcours.pathways import actions as pathway_actions
from parcours.pathways import offers
from parcours.pathways.models import Pathway


def make_module(org: Organisation, code: str, title: str) -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=title,
        duration_hours=Decimal("6"),
        status=Module.Status.PUBLISHED,
    )


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org, name="Technofutur TIC", city="Gosselies", actor=None
    )


@pytest.fixture
def modules(org: Organisation) -> dict[str, Module]:
    return {
        "A": make_module(org, "A", "Initiation"),
        "B": make_module(org, "B", "Approfondissement"),
        "C": make_module(org, "C", "Clôture"),
    }


def make_pathway(coordinator: User, org: Organisation, code: str, rule: str) -> Pathway:
    actor = Actor.of(coordinator)
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code=code, title_fr=f"Parcours {code}", rule_text=rule),
    )
    return pathway_actions.set_pathway_status(actor=actor, pathway=pathway, status="published")


def make_session(
    coordinator: User,
    org: Organisation,
    module: Module,
    site: Site,
    days: int,
    *,
    publish: bool = True,
    **extra: Any,
) -> Session:
    actor = Actor.of(coordinator)
    day = timezone.localdate() + dt.timedelta(days=days)
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code=f"{module.code}-{days}",
            capacity=extra.pop("capacity", 12),
            slots=full_days(day),
            site_id=site.pk,
            **extra,
        ),
    )
    if publish:
        session = enrolment_actions.set_session_status(
            actor=actor, session=session, status=Session.Status.PUBLISHED
        )
    return session


def test_the_progress_page_says_where_to_get_each_missing_module(
    client: Client,
    coordinator: User,
    learner: User,
    org: Organisation,
    site: Site,
    modules: dict[str, Module],
) -> None:
    make_pathway(coordinator, org, "P", "A & B & C")
    pathway_actions.record_completion(learner=learner, module=modules["A"])
    soon = make_session(coordinator, org, modules["B"], site, 10)
    make_session(coordinator, org, modules["B"], site, 20)
    make_session(coordinator, org, modules["B"], site, 30)
    make_session(coordinator, org, modules["B"], site, 40)  # a 4th: beyond the 3 shown
    make_session(coordinator, org, modules["B"], site, 15, publish=False)  # a draft
    done = make_session(coordinator, org, modules["A"], site, 12)  # A is done: not offered
    closed = timezone.now() - dt.timedelta(hours=1)
    make_session(coordinator, org, modules["C"], site, 5, enrolment_closes=closed)
    client.force_login(learner)
    html = client.get(reverse("pathways:detail", args=[org.slug, "P"])).content.decode()
    section = html.split("Où suivre ces modules", 1)[1].split("Modules du parcours", 1)[0]
    assert section.count(reverse("enrolment:detail", args=[soon.pk])) == 1
    assert section.count("S'inscrire") == 3  # the three next sessions of B
    assert "Gosselies" in section
    assert "12 places libres" in section
    assert reverse("enrolment:detail", args=[done.pk]) not in section
    assert "Initiation" not in section
    # C has no session open for enrolment: the page says so rather than showing nothing.
    assert "aucune session ouverte aux inscriptions" in section
    # On "Mes parcours" too.
    mine = client.get(reverse("pathways:my_progress")).content.decode()
    assert reverse("enrolment:detail", args=[soon.pk]) in mine


def test_a_full_session_offers_the_waitlist(
    client: Client,
    coordinator: User,
    learner: User,
    org: Organisation,
    site: Site,
    modules: dict[str, Module],
) -> None:
    make_pathway(coordinator, org, "P", "B")
    session = make_session(coordinator, org, modules["B"], site, 10, capacity=1)
    Session.objects.filter(pk=session.pk).update(seats_taken=1)
    client.force_login(learner)
    html = client.get(reverse("pathways:detail", args=[org.slug, "P"])).content.decode()
    assert "liste d'attente" in html
    assert "complet" in html


def test_the_learners_pathways_page_reads_a_fixed_number_of_queries(
    client: Client,
    coordinator: User,
    learner: User,
    org: Organisation,
    site: Site,
    modules: dict[str, Module],
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("pathways:my_progress")).status_code == 200
        return len(captured.captured_queries)

    client.force_login(learner)
    pathway_actions.record_completion(learner=learner, module=modules["A"])
    make_pathway(coordinator, org, "P1", "A & B")
    make_session(coordinator, org, modules["B"], site, 10)
    one = queries()
    for n in range(2, 6):
        make_pathway(coordinator, org, f"P{n}", "A & B & C")
    make_session(coordinator, org, modules["C"], site, 11)
    make_session(coordinator, org, modules["C"], site, 12)
    assert queries() == one


def test_offers_are_read_in_one_query_for_all_modules(
    coordinator: User, org: Organisation, site: Site, modules: dict[str, Module]
) -> None:
    for code in "ABC":
        for days in (10, 20, 30, 40):
            make_session(coordinator, org, modules[code], site, days)
    ids = [m.pk for m in modules.values()]
    with CaptureQueriesContext(connection) as captured:
        found = offers.offers_for(ids, per_module=2)
    assert len(captured.captured_queries) == 1
    assert {module_id: len(found[module_id]) for module_id in ids} == dict.fromkeys(ids, 2)
    first = found[modules["A"].pk][0]
    assert first.starts_at < found[modules["A"].pk][1].starts_at
    assert offers.offers_for([]) == {}
