"""Who may enrol themselves (the organisation's sign-up policy) and what happens to people that
staff enrol by e-mail without an account (an invitation, not a stranded account)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError

from conftest import make_person
from parcours.accounts import invitations
from parcours.accounts.models import Invitation, Role, SignupDomain, SignupPolicy, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, importing
from parcours.enrolment.models import Enrolment


def _enrol_self(session, person) -> Enrolment:
    return actions.enrol(actor=Actor.of(person), session=session, learner=person)


def _policy(org, policy: str, *domains: str) -> None:
    org.signup_policy = policy
    org.save(update_fields=["signup_policy"])
    for domain in domains:
        SignupDomain.objects.create(organisation=org, domain=domain)


@pytest.mark.django_db
class TestSelfEnrolmentFollowsThePolicy:
    def test_anyone_may_enrol_under_the_open_policy(self, make_session, other_org) -> None:
        stranger = make_person(other_org, Role.LEARNER, "zoe@ailleurs.be", "Zoé", "Ailleurs")
        assert _enrol_self(make_session(), stranger).status == Enrolment.Status.CONFIRMED

    def test_listed_domains_only(self, make_session, org, other_org) -> None:
        _policy(org, SignupPolicy.DOMAINS, "ecoles.be")
        session = make_session()
        teacher = make_person(other_org, Role.LEARNER, "ana@ECOLES.be", "Ana", "Prof")
        assert _enrol_self(session, teacher).status == Enrolment.Status.CONFIRMED
        outsider = make_person(other_org, Role.LEARNER, "bob@gmail.com", "Bob", "Privé")
        with pytest.raises(ValidationError) as refused:
            _enrol_self(session, outsider)
        assert refused.value.code == "policy"
        assert "adresses e-mail de certains domaines" in refused.value.messages[0]
        sub = make_person(other_org, Role.LEARNER, "cy@eleves.ecoles.be", "Cy", "Sous")
        with pytest.raises(ValidationError):
            _enrol_self(session, sub)  # exact domains: a subdomain is listed on its own
        assert not Enrolment.objects.filter(learner__in=[outsider, sub]).exists()

    def test_invitation_only(self, make_session, org, other_org, learner) -> None:
        _policy(org, SignupPolicy.INVITATION)
        session = make_session()
        stranger = make_person(other_org, Role.LEARNER, "dan@ailleurs.be", "Dan", "Ailleurs")
        with pytest.raises(ValidationError) as refused:
            _enrol_self(session, stranger)
        assert "sur invitation" in refused.value.messages[0]
        # A learner of the organisation (a member) may.
        assert _enrol_self(session, learner).status == Enrolment.Status.CONFIRMED

    def test_an_unconfirmed_address_cannot_enrol(self, make_session, other_org) -> None:
        person = make_person(other_org, Role.LEARNER, "eve@ailleurs.be", "Eve", "Neuve")
        EmailAddress.objects.update_or_create(
            user=person, email=person.email, defaults={"verified": False, "primary": True}
        )
        with pytest.raises(ValidationError) as refused:
            _enrol_self(make_session(), person)
        assert "Confirmez d'abord votre adresse e-mail" in refused.value.messages[0]

    def test_staff_enrol_whoever_they_choose(self, make_session, org, coordinator, other_org):
        _policy(org, SignupPolicy.INVITATION)
        stranger = make_person(other_org, Role.LEARNER, "fay@ailleurs.be", "Fay", "Ailleurs")
        enrolment = actions.enrol(
            actor=Actor.of(coordinator),
            session=make_session(),
            learner=stranger,
            source=Enrolment.Source.COORDINATOR,
        )
        assert enrolment.status == Enrolment.Status.CONFIRMED


def _link(message) -> str:
    found = re.search(r"https?://\S+/invitation/\S+", message.body)
    assert found, message.body
    return found.group(0).rstrip(".")


@pytest.mark.django_db(transaction=True)
class TestPeopleEnrolledByEmailAreInvited:
    def test_a_coordinator_enrols_an_unknown_person_who_gets_a_link(
        self, make_session, org, coordinator, client
    ) -> None:
        mail.outbox.clear()
        session = make_session()
        enrolment = actions.enrol_person(
            actor=Actor.of(coordinator),
            session=session,
            email="Gil.Neuf@Ecole.be",
            first_name="Gil",
            last_name="Neuf",
        )
        person = enrolment.learner
        assert not person.has_usable_password()
        invitation = Invitation.objects.get(organisation=org, email="gil.neuf@ecole.be")
        assert invitation.role == Role.LEARNER and invitation.is_pending
        invite_mails = [
            m for m in mail.outbox if "gil.neuf@ecole.be" in m.to and "/invitation/" in m.body
        ]
        assert len(invite_mails) == 1
        # The link sets the password on that same account (no duplicate) and lands on sessions.
        secret = _link(invite_mails[0]).rstrip("/").rsplit("/", 1)[-1]
        accepted = invitations.accept(secret, "un-mot-de-passe-solide-42")
        assert accepted.accepted_by == person
        assert User.objects.filter(email__iexact="gil.neuf@ecole.be").count() == 1
        person.refresh_from_db()
        assert person.check_password("un-mot-de-passe-solide-42")
        assert invitations.landing_url(accepted).endswith("/sessions/mes-sessions/")

    def test_an_import_invites_every_new_person_and_only_them(
        self, make_session, org, coordinator, learner
    ) -> None:
        mail.outbox.clear()
        content = (
            "E-mail;Prénom;Nom\n"
            f"{learner.email};{learner.first_name};{learner.last_name}\n"
            "hana@ecole.be;Hana;Neuve\n"
            "ivo@ecole.be;Ivo;Neuf\n"
        ).encode()
        parsed = importing.parse_file("liste.csv", content)
        report = actions.import_enrolments(
            actor=Actor.of(coordinator), session=make_session(), rows=parsed.rows
        )
        assert report.written and len(report.created) == 3
        invited = set(
            Invitation.objects.filter(organisation=org, accepted_at=None).values_list(
                "email", flat=True
            )
        )
        assert invited == {"hana@ecole.be", "ivo@ecole.be"}

    def test_an_account_someone_already_uses_gets_the_role_not_a_link(
        self, org, coordinator, other_org
    ) -> None:
        person = make_person(other_org, Role.LEARNER, "jo@ailleurs.be", "Jo", "Actif")
        admin = make_person(org, Role.ADMINISTRATOR, "adm@org.test", "Ad", "Min")
        invitation = invitations.invite(
            organisation=org, email=person.email, role=Role.TRAINER, invited_by=admin
        )
        assert invitation.accepted_by == person
        assert person.memberships.filter(organisation=org, role=Role.TRAINER).exists()
