from __future__ import annotations

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.integrations.lti import actions, personal_data
from parcours.integrations.models import LtiLaunchLog, LtiPersonLink


def test_export_and_erasure_of_lms_links(org: Organisation, learner: User) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    registration = actions.register_manually(
        actor=Actor.of(admin),
        organisation=org,
        data=actions.RegistrationData(
            name="Moodle-Technosphère",
            issuer="https://moodle.example.test",
            client_id="abc",
            auth_login_url="https://moodle.example.test/mod/lti/auth.php",
            auth_token_url="https://moodle.example.test/mod/lti/token.php",
            key_set_url="https://moodle.example.test/mod/lti/certs.php",
            deployment_ids=["3"],
        ),
    )
    LtiPersonLink.objects.create(registration=registration, sub="moodle-12", user=learner)
    LtiLaunchLog.objects.create(
        organisation=org, registration=registration, user=learner, outcome="accepted"
    )
    exported = personal_data.export(learner)
    assert exported["lms_accounts"][0]["lms_user_id"] == "moodle-12"
    assert exported["launches"][0]["platform"] == "Moodle-Technosphère"
    assert personal_data.erase(learner) == 1
    assert not LtiPersonLink.objects.exists()
    assert LtiLaunchLog.objects.get().user is None
