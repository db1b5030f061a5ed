"""The Moodle links in a person's export and erasure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.integrations.models import MoodleUnmatchedUser, MoodleUserLink
from parcours.integrations.moodle import actions as moodle
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, user
from parcours.privacy import actions
from parcours.privacy.export import collect


@pytest.fixture
def fake() -> Iterator[FakeMoodle]:
    server = FakeMoodle().start()
    server.add_course(42, "Le numérique en classe")
    yield server
    server.stop()


def test_export_and_erasure_cover_the_moodle_links(
    fake: FakeMoodle, org: Organisation, learner: User, coordinator: User
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    site = moodle.create_site(
        Actor.of(admin), org, name="Moodle", base_url=fake.url, token=fake.token
    )
    module = Module.objects.create(
        organisation=org, code="NUM1", title_fr="Numérique", duration_hours=3
    )
    moodle.link_module(Actor.of(coordinator), module, site, course_id=42)
    moodle.link_user(Actor.of(coordinator), site, moodle_user_id=77, email=learner.email)
    fake.enrolled[42] = [user(78, "Chloé", "R", "old-address@ecole.test")]
    moodle.sync(org)
    MoodleUnmatchedUser.objects.update(email=learner.email)  # an old, unconfirmed address

    data = collect(learner)["moodle"]
    assert data["moodle_accounts"][0]["moodle_user_id"] == 77
    assert data["moodle_unmatched"][0]["moodle_user_id"] == 78

    actions.erase_person(actor=Actor.of(learner), person=learner, reason=actions.Reason.SELF)
    assert not MoodleUserLink.objects.exists()
    assert not MoodleUnmatchedUser.objects.exists()
