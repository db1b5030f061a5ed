"""Who may enrol themselves: the organisation's sign-up policy, with French reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parcours.accounts import actions
from parcours.accounts.models import (
    Invitation,
    Organisation,
    Role,
    SignupDomain,
    SignupPolicy,
    User,
)
from parcours.accounts.policies import email_domain, may_self_enrol


def person(email: str, *, verified: bool | None = True) -> User:
    """A person made by the real action (confirmed address), then as the test needs it:
    ``verified=False`` as after a self sign-up, ``None`` as in a database from before allauth."""
    user = actions.create_user(email=email, password=None)
    if verified is None:
        EmailAddress.objects.filter(user=user).delete()
    else:
        EmailAddress.objects.filter(user=user).update(verified=verified)
    return user


def with_policy(org: Organisation, policy: str, *domains: str) -> Organisation:
    org.signup_policy = policy
    org.save(update_fields=["signup_policy"])
    for domain in domains:
        SignupDomain.objects.create(organisation=org, domain=domain)
    return org


def test_open_organisations_take_anyone_confirmed(org: Organisation) -> None:
    assert may_self_enrol(person("nina@gmail.test"), org) == (True, "")


def test_an_unconfirmed_address_must_be_confirmed_first(org: Organisation) -> None:
    allowed, reason = may_self_enrol(person("nina@gmail.test", verified=False), org)
    assert not allowed
    assert "Confirmez d'abord votre adresse e-mail" in reason


def test_people_created_by_staff_count_as_confirmed(org: Organisation) -> None:
    assert may_self_enrol(person("nina@gmail.test", verified=None), org) == (True, "")


def test_a_changed_address_must_be_confirmed_again(org: Organisation) -> None:
    user = person("nina@gmail.test")
    EmailAddress.objects.create(user=user, email="nina@new.test", verified=False)
    user.email = "nina@new.test"
    user.save()
    assert not may_self_enrol(user, org)[0]


def test_visitors_are_asked_to_log_in(org: Organisation) -> None:
    allowed, reason = may_self_enrol(AnonymousUser(), org)
    assert not allowed
    assert "Connectez-vous ou créez un compte" in reason


def test_inactive_accounts_and_organisations(org: Organisation) -> None:
    user = person("nina@gmail.test")
    user.is_active = False
    user.save()
    assert may_self_enrol(user, org) == (False, "Ce compte est désactivé.")
    org.is_active = False
    org.save()
    assert not may_self_enrol(person("other@gmail.test"), org)[0]


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("agent@hainaut.be", True),
        ("Agent@HAINAUT.BE", True),
        ("eleve@ecole.test", True),
        ("agent@sub.hainaut.be", False),  # exact domains only
        ("agent@hainaut.be.evil.test", False),
        ("agent@nothainaut.be", False),
        ("nina@gmail.test", False),
    ],
)
def test_domain_policy_matches_exact_domains(org: Organisation, email: str, allowed: bool) -> None:
    with_policy(org, SignupPolicy.DOMAINS, "hainaut.be", "Ecole.test")
    result, reason = may_self_enrol(person(email), org)
    assert result is allowed
    if not allowed:
        assert "réservées aux adresses e-mail de certains domaines" in reason
        assert org.name in reason


def test_invitation_policy_needs_a_membership_or_an_accepted_invitation(
    org: Organisation, other_org: Organisation
) -> None:
    with_policy(org, SignupPolicy.INVITATION)
    stranger = person("nina@gmail.test")
    allowed, reason = may_self_enrol(stranger, org)
    assert not allowed
    assert "sur invitation" in reason
    # A membership elsewhere does not count.
    actions.grant_role(user=stranger, organisation=other_org, role=Role.LEARNER, actor=None)
    assert not may_self_enrol(stranger, org)[0]
    actions.grant_role(user=stranger, organisation=org, role=Role.LEARNER, actor=None)
    assert may_self_enrol(stranger, org) == (True, "")

    invited = person("invite@gmail.test")
    now = timezone.now()
    Invitation.objects.create(
        organisation=org,
        email=invited.email,
        token_hash="x" * 64,
        expires_at=now + timedelta(days=14),
        accepted_at=now,
        accepted_by=invited,
    )
    assert may_self_enrol(invited, org) == (True, "")


def test_email_domain() -> None:
    assert email_domain(" Chloe@Mail.Example.BE ") == "mail.example.be"


@given(
    local=st.from_regex(r"[a-z0-9._-]{1,20}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9-]{1,15}\.[a-z]{2,6}", fullmatch=True),
    flips=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_email_domain_ignores_case_and_the_local_part(
    local: str, domain: str, flips: list[bool]
) -> None:
    address = f"{local}@{domain}"
    shouted = "".join(c.upper() if flip else c for c, flip in zip(address, flips * 3, strict=False))
    assert email_domain(shouted) == domain
    assert email_domain(f"  {shouted} ") == domain
