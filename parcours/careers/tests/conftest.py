"""Career follow-up fixtures: a career manager (Carla) at Technofutur TIC, a session that ended
long ago with the learner enrolled, built through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.careers import actions
from parcours.careers.models import CareerFile
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.slots import full_days


@pytest.fixture
def career_manager(org: Organisation) -> User:
    return make_person(org, Role.CAREER_MANAGER, "carla@technofutur.test", "Carla", "Delvaux")


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )


@pytest.fixture
def module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="DEVWEB",
        title_fr="Développeur web",
        duration_hours=Decimal("480"),
        status=Module.Status.PUBLISHED,
    )


TRAINING_FIRST = dt.date(2025, 9, 1)
TRAINING_LAST = dt.date(2025, 12, 19)


@pytest.fixture
def session(org: Organisation, coordinator: User, module: Module, site: Site) -> Session:
    data = enrolment.SessionData(
        module_id=module.pk,
        code="DEVWEB-2025",
        capacity=15,
        slots=full_days(TRAINING_FIRST, dt.date(2025, 10, 15), TRAINING_LAST),
        site_id=site.pk,
    )
    session = enrolment.create_session(actor=Actor.of(coordinator), organisation=org, data=data)
    return enrolment.set_session_status(
        actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
    )


@pytest.fixture
def enrolled(session: Session, coordinator: User, learner: User) -> Enrolment:
    return enrolment.enrol(
        actor=Actor.of(coordinator),
        session=session,
        learner=learner,
        source=Enrolment.Source.COORDINATOR,
        now=dt.datetime(2025, 8, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def file(
    org: Organisation,
    coordinator: User,
    career_manager: User,
    session: Session,
    enrolled: Enrolment,
) -> CareerFile:
    return actions.assign_from_session(
        actor=Actor.of(coordinator),
        session=session,
        learner_ids=[enrolled.learner_id],
        manager=career_manager,
    )[0]
