"""Fixtures for the documents tests: a module, a site, sessions, enrolments and roll calls,
all built through the real actions (catalogue, accounts, enrolment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session

BRUSSELS = ZoneInfo("Europe/Brussels")
Slot = tuple[dt.datetime, dt.datetime]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), BRUSSELS)


def day_slots(*days: dt.date) -> list[Slot]:
    """Full days: 9:00-12:30 and 13:30-16:30, Brussels time (3.5 h + 3 h)."""
    return [
        slot
        for day in days
        for slot in ((local(day, 9), local(day, 12, 30)), (local(day, 13, 30), local(day, 16, 30)))
    ]


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org,
        name="Technofutur TIC Gosselies",
        city="Gosselies",
        street="Avenue Jean Mermoz 18",
        postcode="6041",
        access_notes="Bus 52, arrêt Aéropole.",
        actor=None,
    )


@pytest.fixture
def module(org: Organisation, coordinator: User) -> Module:
    return catalogue_actions.create_module(
        actor=Actor.of(coordinator),
        organisation=org,
        data=catalogue_actions.ModuleData(
            code="M1A",
            title_fr="Introduction à l'intelligence artificielle",
            title_en="Introduction to artificial intelligence",
            summary_fr="Les bases de l'IA pour les enseignants.",
            duration_hours=13,
        ),
    )


@pytest.fixture
def make_session(
    org: Organisation, coordinator: User, module: Module, site: Site, trainer: User
) -> Callable[..., Session]:
    counter = iter(range(1, 100_000))

    def make(
        slots: Sequence[Slot] | None = None,
        *,
        publish: bool = True,
        capacity: int = 20,
        online: bool = False,
        trainers: Sequence[User] | None = None,
        **extra: Any,
    ) -> Session:
        data = enrolment_actions.SessionData(
            module_id=module.pk,
            code=extra.pop("code", f"M1A-GOS-{next(counter):03d}"),
            capacity=capacity,
            slots=list(slots if slots is not None else day_slots(in_days(10))),
            site_id=None if online else site.pk,
            online_url="https://visio.example.test/m1a" if online else "",
            trainer_ids=[t.pk for t in (trainers if trainers is not None else [trainer])],
            **extra,
        )
        actor = Actor.of(coordinator)
        session = enrolment_actions.create_session(actor=actor, organisation=org, data=data)
        if publish:
            enrolment_actions.set_session_status(
                actor=actor, session=session, status=Session.Status.PUBLISHED
            )
        return Session.objects.get(pk=session.pk)

    return make


@pytest.fixture
def enrol(coordinator: User) -> Callable[..., Enrolment]:
    """A coordinator enrols someone (before the session starts, even for a past session)."""

    def do(session: Session, learner: User) -> Enrolment:
        assert session.starts_at is not None
        return enrolment_actions.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=learner,
            source=Enrolment.Source.COORDINATOR,
            now=min(timezone.now(), session.starts_at - dt.timedelta(days=3)),
        )

    return do


@pytest.fixture
def roll_call(trainer: User) -> Callable[..., None]:
    """The trainer's roll call for every slot; ``absent`` maps slot index -> learners."""

    def do(session: Session, absent: dict[int, Sequence[Enrolment]] | None = None) -> None:
        absent = absent or {}
        for index, slot in enumerate(session.slots.order_by("start")):
            enrolment_actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=[e.pk for e in absent.get(index, [])]
            )

    return do


@pytest.fixture
def make_learner(org: Organisation) -> Callable[..., User]:
    def make(i: int, language: str = "fr") -> User:
        return make_person(
            org,
            Role.LEARNER,
            f"apprenant{i}@exemple.test",
            f"Prénom{i}",
            f"Nom{i}",
            language=language,
        )

    return make


@pytest.fixture
def past_session(make_session: Callable[..., Session]) -> Session:
    """Two days of training that ended last week (13 hours in four slots)."""
    return make_session(day_slots(in_days(-9), in_days(-8)), code="M1A-GOS-PAST")


@pytest.fixture
def completed(
    past_session: Session,
    learner: User,
    enrol: Callable[..., Enrolment],
    roll_call: Callable[..., None],
    django_capture_on_commit_callbacks: Any,
) -> Enrolment:
    """Chloé attended the four slots of the past session: completed, 13 hours."""
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(past_session, learner)
        roll_call(past_session)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED, enrolment.status
    return enrolment
