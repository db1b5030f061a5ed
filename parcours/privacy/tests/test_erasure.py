"""Erasure: personal data gone in one transaction, anonymous counts and badges kept, refused
while equipment is out; administrators erase only their own organisation's learners."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import PASSWORD, make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import ApiToken, AuditEntry, Role, User
from parcours.accounts.permissions import Actor
from parcours.credentials import verification
from parcours.credentials.models import IssuedCredential
from parcours.credentials.states import CredentialStatus
from parcours.documents.models import Attestation
from parcours.enrolment.models import Enrolment, Session
from parcours.pathways.evaluation import evaluate_population
from parcours.privacy import actions
from parcours.privacy.tests.conftest import lend
from parcours.scheduling.models import Booking

pytestmark = pytest.mark.django_db


def _erase_self(person: User, **kwargs) -> actions.Erasure:
    return actions.erase_person(
        actor=Actor.of(person), person=person, reason=actions.Reason.SELF, **kwargs
    )


def test_personal_data_is_gone_and_counts_are_unchanged(
    learner, other_learner, attend, world, logistics
) -> None:
    attend(learner, other_learner)
    lend(world, logistics, learner, returned=True)
    account_actions.create_api_token(user=learner, name="script")
    seats_before = Session.objects.get(pk=world.session.pk).seats_taken
    population_before = evaluate_population(world.pathway)
    credential = IssuedCredential.objects.get(learner=learner)

    result = _erase_self(learner)

    person = User.objects.get(pk=learner.pk)
    assert person.email == f"{result.pseudonym}@invalid"
    assert (person.first_name, person.last_name, person.postcode) == ("", "", "")
    assert not person.is_active and not person.has_usable_password()
    assert person.erased_at is not None
    assert not ApiToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    # Nothing written anywhere still names her.
    assert Attestation.objects.get(learner=person).learner_name == result.pseudonym
    assert not Booking.objects.filter(title__icontains="Renard").exists()
    for entry in AuditEntry.objects.all():
        text = entry.object_repr + json.dumps(entry.changes, ensure_ascii=False)
        assert "chloe@exemple.test" not in text and "Chloé Renard" not in text
    # Anonymous counts: the session's seats, the pathway population, the enrolments.
    assert Session.objects.get(pk=world.session.pk).seats_taken == seats_before
    assert evaluate_population(world.pathway) == population_before
    assert Enrolment.objects.filter(session=world.session).count() == 2
    # The badge is kept as issued and still verifies (it only holds a salted hash).
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ISSUED
    report = verification.verify_document(json.loads(credential.document))
    assert report.valid, report.reason_codes
    assert verification.check_email(report, "chloe@exemple.test")
    assert "Renard" not in credential.document
    # The other learner is untouched.
    assert User.objects.get(pk=other_learner.pk).email == "dylan@exemple.test"
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.changes == {"reason": "self", "revoked_credentials": 0}


def test_revocation_on_request_goes_through_the_credentials_app(learner, attend) -> None:
    attend(learner)
    result = _erase_self(learner, revoke_credentials=True)
    assert result.revoked_credentials == 1
    credential = IssuedCredential.objects.get(learner=learner)
    assert credential.status == CredentialStatus.REVOKED
    report = verification.verify_document(json.loads(credential.document))
    assert not report.valid


def test_refused_with_the_reason_while_equipment_is_out(learner, world, logistics) -> None:
    lend(world, logistics, learner, returned=False)
    with pytest.raises(ValidationError, match="matériel prêté"):
        _erase_self(learner)
    person = User.objects.get(pk=learner.pk)
    assert person.email == "chloe@exemple.test" and person.is_active and person.erased_at is None


def test_the_page_asks_for_the_password_then_signs_out(as_user, learner, attend) -> None:
    attend(learner)
    client = as_user(learner)
    url = reverse("privacy:erase_mine")
    wrong = client.post(url, {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 422
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert User.objects.get(pk=learner.pk).erased_at is None
    done = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302 and done.url == reverse("privacy:erased")
    assert User.objects.get(pk=learner.pk).erased_at is not None
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # signed out


def test_the_page_shows_the_open_loan_refusal_in_place(as_user, learner, world, logistics) -> None:
    lend(world, logistics, learner, returned=False)
    client = as_user(learner)
    response = client.post(reverse("privacy:erase_mine"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "matériel prêté" in html and 'role="alert"' in html


class TestAdministrators:
    def _client(self, as_user, admin, org):
        client = as_user(admin)
        client.post(reverse("accounts:switch_organisation"), {"organisation": org.pk})
        return client

    def test_an_administrator_erases_a_learner_of_their_organisation(
        self, as_user, admin, org, learner, attend
    ) -> None:
        attend(learner)
        client = self._client(as_user, admin, org)
        url = reverse("privacy:erase_learner", args=[learner.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"password": PASSWORD, "confirm": "on"})
        assert response.status_code == 302
        assert User.objects.get(pk=learner.pk).erased_at is not None
        entry = AuditEntry.objects.get(action="privacy.erase")
        assert entry.actor_id == admin.pk and entry.changes["reason"] == "administrator"

    def test_not_a_learner_who_also_belongs_elsewhere(self, admin, org, other_org, learner) -> None:
        account_actions.grant_role(
            user=learner, organisation=other_org, role=Role.LEARNER, actor=None
        )
        with pytest.raises(PermissionDenied):
            actions.erase_person(
                actor=Actor.of(admin),
                person=learner,
                reason=actions.Reason.ADMINISTRATOR,
                organisation=org,
            )

    def test_not_staff_and_not_without_the_role(self, admin, coordinator, org, learner) -> None:
        with pytest.raises(PermissionDenied):
            actions.erase_person(
                actor=Actor.of(admin),
                person=coordinator,
                reason=actions.Reason.ADMINISTRATOR,
                organisation=org,
            )
        with pytest.raises(PermissionDenied):
            actions.erase_person(
                actor=Actor.of(coordinator),
                person=learner,
                reason=actions.Reason.ADMINISTRATOR,
                organisation=org,
            )

    def test_another_organisations_learner_is_a_404(self, as_user, admin, org, other_org) -> None:
        stranger = make_person(other_org, Role.LEARNER, "x@province.test", "Xavier", "Y")
        client = self._client(as_user, admin, org)
        assert client.get(reverse("privacy:erase_learner", args=[stranger.pk])).status_code == 404

    def test_a_learner_cannot_open_the_administrator_pages(self, as_user, learner, other_learner):
        client = as_user(learner)
        url = reverse("privacy:erase_learner", args=[other_learner.pk])
        assert client.get(url).status_code == 403
        assert client.get(reverse("privacy:find_learner")).status_code == 403
