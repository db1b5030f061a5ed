from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Module
from parcours.integrations.models import MoodleCourseLink, MoodleSite
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle

COURSE = 42


@pytest.fixture(autouse=True)
def _no_waiting(settings) -> None:
    settings.MOODLE_RETRY_DELAYS = (0, 0)


@pytest.fixture
def moodle() -> Iterator[FakeMoodle]:
    fake = FakeMoodle().start()
    fake.add_course(COURSE, "Le numérique en classe", "NUM-CLASSE")
    yield fake
    fake.stop()


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")


@pytest.fixture
def site(org: Organisation, admin: User, moodle: FakeMoodle) -> MoodleSite:
    return actions.create_site(
        Actor.of(admin), org, name="Moodle-Technosphère", base_url=moodle.url, token=moodle.token
    )


@pytest.fixture
def module(org: Organisation, coordinator: User) -> Module:
    return catalogue_actions.create_module(
        actor=Actor.of(coordinator),
        organisation=org,
        data=catalogue_actions.ModuleData(
            code="NUM1",
            title_fr="Le numérique en classe",
            title_en="Digital tools in the classroom",
            summary_fr="Des outils numériques pour la classe.",
            duration_hours=12,
        ),
    )


@pytest.fixture
def link(site: MoodleSite, module: Module, coordinator: User) -> MoodleCourseLink:
    return actions.link_module(Actor.of(coordinator), module, site, course_id=COURSE)


def verified(user: User) -> User:
    """(People created by staff get a verified address row when saved: this makes it sure.)"""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email.lower(), defaults={"primary": True, "verified": True}
    )
    return user
