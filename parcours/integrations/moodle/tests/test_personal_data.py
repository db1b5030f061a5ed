"""The Moodle links in a person's export and erasure."""

from __future__ import annotations

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.integrations.models import MoodleCourseLink, MoodleUnmatchedUser, MoodleUserLink
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.tests.conftest import COURSE
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, user
from parcours.privacy import actions as privacy
from parcours.privacy.export import collect


def test_export_and_erasure_cover_the_moodle_links(
    moodle: FakeMoodle, link: MoodleCourseLink, org: Organisation, learner: User, coordinator: User
) -> None:
    actions.link_user(Actor.of(coordinator), link.site, moodle_user_id=77, email=learner.email)
    moodle.enrolled[COURSE] = [user(78, "Chloé", "R", learner.email.upper() + ".old")]
    actions.sync(org)
    MoodleUnmatchedUser.objects.update(email=learner.email)  # an old, unconfirmed address

    data = collect(learner)["moodle"]
    assert data["moodle_accounts"][0]["moodle_user_id"] == 77
    assert data["moodle_unmatched"][0]["moodle_user_id"] == 78

    privacy.erase_person(actor=Actor.of(learner), person=learner, reason=privacy.Reason.SELF)
    assert not MoodleUserLink.objects.exists()
    assert not MoodleUnmatchedUser.objects.exists()
