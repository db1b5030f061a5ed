"""A small real year for the page and report tests, built with the real actions: one module,
one site, a past session of two days with three learners present and one absent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, Session
from parcours.lib.dates import platform_zone

YEAR = 2025


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), platform_zone())


def trained_year(org: Organisation, coordinator: User) -> Session:
    """Three people trained in March 2025 (one more enrolled, absent throughout)."""
    module = Module.objects.create(
        organisation=org,
        code="IA1",
        title_fr="Introduction à l'IA",
        duration_hours=Decimal("7"),
        status=Module.Status.PUBLISHED,
        audience=Module.Audience.TEACHERS,
    )
    site = account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )
    actor = Actor.of(coordinator)
    days = (dt.date(YEAR, 3, 10), dt.date(YEAR, 3, 11))
    session = actions.create_session(
        actor=actor,
        organisation=org,
        data=actions.SessionData(
            module_id=module.pk,
            code="IA1-2025",
            capacity=10,
            slots=[(local(d, 9), local(d, 12, 30)) for d in days],
            site_id=site.pk,
        ),
    )
    actions.set_session_status(actor=actor, session=session, status=Session.Status.PUBLISHED)
    enrolments = []
    for i in range(4):
        learner = make_person(org, Role.LEARNER, f"prof{i}@ecole.test", f"Prof{i}", "Martin")
        enrolments.append(
            actions.enrol(
                actor=actor,
                session=session,
                learner=learner,
                source=Enrolment.Source.COORDINATOR,
                now=local(days[0], 8) - dt.timedelta(days=7),  # enrolled before it began
            )
        )
    for slot in session.slots.order_by("start"):
        actions.record_roll_call(actor=actor, slot=slot, absent=[enrolments[3].pk])
    return session
