"""A learner's history built through the real actions: a past session attended (attendance,
completion, attestation, badge for the module, a pathway containing it), an equipment loan,
an API token; and a second learner with the same history, to check nothing leaks across."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Module
from parcours.credentials import actions as credential_actions
from parcours.credentials.models import Achievement
from parcours.credentials.states import AchievementStatus
from parcours.documents import actions as document_actions
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Pathway
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Loan, Resource

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), BRUSSELS)


@dataclass
class World:
    org: Organisation
    site: Site
    module: Module
    session: Session
    pathway: Pathway
    achievement: Achievement
    laptop: Resource


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")


@pytest.fixture
def other_learner(org: Organisation) -> User:
    return make_person(org, Role.LEARNER, "dylan@exemple.test", "Dylan", "Moreau")


@pytest.fixture
def world(org: Organisation, coordinator: User, trainer: User, logistics: User) -> World:
    actor = Actor.of(coordinator)
    site = account_actions.create_site(
        organisation=org, name="Gosselies", city="Gosselies", postcode="6041", actor=None
    )
    module = catalogue_actions.create_module(
        actor=actor,
        organisation=org,
        data=catalogue_actions.ModuleData(
            code="M1A", title_fr="Introduction à l'IA", summary_fr="Les bases.", duration_hours=7
        ),
    )
    module = catalogue_actions.publish_module(actor=actor, module=module)
    day = timezone.localdate() - dt.timedelta(days=20)
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code="M1A-GOS-001",
            capacity=10,
            slots=[(local(day, 9), local(day, 12, 30)), (local(day, 13, 30), local(day, 17))],
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    enrolment_actions.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code="IA", title_fr="Parcours IA", rule_text="M1A"),
    )
    pathway = pathway_actions.set_pathway_status(
        actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    achievement = credential_actions.create_achievement(
        actor=actor,
        organisation=org,
        data=credential_actions.AchievementData(
            name_fr="Bases de l'IA",
            description_fr="A suivi l'introduction à l'IA.",
            criteria_fr="Suivre le module M1A.",
            kind=Achievement.Kind.BADGE,
            module_id=module.pk,
        ),
    )
    achievement = credential_actions.set_achievement_status(
        actor=actor, achievement=achievement, status=AchievementStatus.ACTIVE
    )
    laptop = scheduling_actions.create_resource(
        actor=Actor.of(logistics),
        site=site,
        name="Portable 07",
        code="PC-07",
        kind=Resource.Kind.EQUIPMENT,
    )
    return World(
        org, site, module, Session.objects.get(pk=session.pk), pathway, achievement, laptop
    )


@pytest.fixture
def attend(
    world: World, coordinator: User, trainer: User, django_capture_on_commit_callbacks
) -> Callable[..., list[Enrolment]]:
    """Enrol people in the past session and take every roll call (all present): completion,
    badge (on commit) and attestation follow, as in real life."""

    def do(*learners: User) -> list[Enrolment]:
        session = world.session
        assert session.starts_at is not None
        enrolments = [
            enrolment_actions.enrol(
                actor=Actor.of(coordinator),
                session=session,
                learner=learner,
                source=Enrolment.Source.COORDINATOR,
                now=session.starts_at - dt.timedelta(days=3),
            )
            for learner in learners
        ]
        with django_capture_on_commit_callbacks(execute=True):
            for slot in session.slots.order_by("start"):
                enrolment_actions.record_roll_call(actor=Actor.of(trainer), slot=slot)
        for enrolment in enrolments:
            document_actions.issue_attestation(actor=None, enrolment=enrolment)
        return enrolments

    return do


def lend(world: World, logistics: User, borrower: User, *, returned: bool) -> Loan:
    start = timezone.now() - dt.timedelta(days=5)
    loan = scheduling_actions.lend(
        actor=Actor.of(logistics),
        resource=world.laptop,
        borrower=borrower,
        start=start,
        due=start + dt.timedelta(days=30),
        condition_out="Bon état",
    )
    if returned:
        loan = scheduling_actions.return_loan(actor=Actor.of(logistics), loan=loan)
    return loan
