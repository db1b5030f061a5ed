"""Erasure: personal data gone in one transaction, anonymous counts and badges kept, refused
while equipment is out; administrators erase only their own organisation's learners."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import ApiToken, AuditEntry, Role, User
from parcours.accounts.permissions import Actor
from parcours.credentials import verification
from parcours.credentials.models import IssuedCredential
from parcours.credentials.states import CredentialStatus
from parcours.documents.models import Attestation
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S
from parcours.pathways.evaluation import evaluate_population
from parcours.privacy import actions
from parcours.privacy.tests.conftest import lend, local
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
    assert entry.changes == {"reason": "self", "revoked_credentials": 0, "cancelled_enrolments": 0}


def test_places_in_sessions_to_come_are_freed_for_the_waitlist(
    learner, other_learner, world, coordinator, trainer
) -> None:
    day = timezone.localdate() + dt.timedelta(days=10)
    actor = Actor.of(coordinator)
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=world.org,
        data=enrolment_actions.SessionData(
            module_id=world.module.pk,
            code="M1A-GOS-002",
            capacity=1,
            slots=[(local(day, 9), local(day, 12))],
            site_id=world.site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    enrolment_actions.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )
    mine = enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    theirs = enrolment_actions.enrol(
        actor=Actor.of(other_learner), session=session, learner=other_learner
    )
    assert (mine.status, theirs.status) == (S.CONFIRMED, S.WAITLISTED)

    _erase_self(learner)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (S.CANCELLED, S.CONFIRMED)
    assert mine.reason == ""  # free texts about the person are cleared
    assert Session.objects.get(pk=session.pk).seats_taken == 1
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.changes["cancelled_enrolments"] == 1


def test_audit_entries_quoting_the_name_are_rewritten(learner, coordinator, org) -> None:
    from parcours.accounts import audit

    by_name = audit.record(
        "test.note", actor=coordinator, organisation=org, changes={"note": "Appel de Chloé Renard"}
    )
    by_address = audit.record(
        "test.note", actor=coordinator, organisation=org, changes={"to": ["CHLOE@exemple.test"]}
    )
    result = _erase_self(learner)
    by_name.refresh_from_db()
    by_address.refresh_from_db()
    assert by_name.changes == {"note": f"Appel de {result.pseudonym}"}
    assert by_address.changes == {"to": [result.pseudonym]}


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


def recent_sign_in(client, person: User) -> None:
    """What allauth records when someone signs in (here: with a passkey, just now)."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time()}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(person.pk)
    session.save()


def test_without_a_password_the_person_signs_in_again_instead(as_user, learner) -> None:
    """A passkey-only account has no password to type: a recent sign-in is asked instead."""
    learner.set_unusable_password()
    learner.save()
    client = as_user(learner)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert 'name="password"' not in page
    url = reverse("privacy:erase_mine")
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and "reauthenticate" in response.url
    assert User.objects.get(pk=learner.pk).erased_at is None
    recent_sign_in(client, learner)
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("privacy:erased")
    assert User.objects.get(pk=learner.pk).erased_at is not None


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

    def test_the_learners_open_sessions_end(self, client, admin, org, learner) -> None:
        client.force_login(learner)
        assert client.get(reverse("accounts:dashboard")).status_code == 200
        actions.erase_person(
            actor=Actor.of(admin),
            person=learner,
            reason=actions.Reason.ADMINISTRATOR,
            organisation=org,
        )
        response = client.get(reverse("accounts:dashboard"))
        assert response.status_code == 302 and reverse("accounts:login") in response.url

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

    def test_the_administrators_space_links_to_the_page(self, as_user, admin, learner) -> None:
        url = reverse("privacy:find_learner")
        assert url in as_user(admin).get(reverse("accounts:dashboard")).content.decode()
        assert url not in as_user(learner).get(reverse("accounts:dashboard")).content.decode()

    def test_a_learner_cannot_open_the_administrator_pages(self, as_user, learner, other_learner):
        client = as_user(learner)
        url = reverse("privacy:erase_learner", args=[other_learner.pk])
        assert client.get(url).status_code == 403
        assert client.get(reverse("privacy:find_learner")).status_code == 403


def test_what_they_declared_for_the_statistics_is_exported_then_erased(learner) -> None:
    from parcours.enrolment.models import LearnerProfile
    from parcours.privacy import export

    enrolment_actions.update_learner_profile(
        user=learner, audience="teachers", gender="female", birth_year=1984, school_year=""
    )
    exported = export.profile(learner)
    assert (exported["gender"], exported["birth_year"]) == ("female", 1984)

    _erase_self(learner)

    profile = LearnerProfile.objects.get(user=learner)
    assert (profile.gender, profile.birth_year, profile.age_band) == ("", None, "")
    assert profile.audience == "teachers"  # what they followed still counts by audience
