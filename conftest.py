"""Shared pytest fixtures: the cast of personas every test uses, built with the real actions.

- ``org`` (Technofutur TIC) with ``coordinator`` (Alice), ``trainer`` (Bruno), ``logistics``
  (Léa), ``school_contact`` (Sam) and ``learner`` (Chloé).
- ``other_org`` (Province) with ``outsider`` (Oscar), a coordinator there.
"""

from __future__ import annotations

import os

os.environ.setdefault("PARCOURS_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User

PASSWORD = "correct-horse-battery-staple"


def make_person(
    org: Organisation, role: str, email: str, first: str, last: str, *, language: str = "fr"
) -> User:
    user = account_actions.create_user(
        email=email, password=PASSWORD, first_name=first, last_name=last, language=language
    )
    account_actions.grant_role(user=user, organisation=org, role=role, actor=None)
    return user


@pytest.fixture
def org(db: None) -> Organisation:
    return account_actions.create_organisation(
        name="Technofutur TIC", slug="technofutur-tic", kind="competence_centre", actor=None
    )


@pytest.fixture
def other_org(db: None) -> Organisation:
    return account_actions.create_organisation(
        name="Province de Hainaut", slug="province-hainaut", kind="public_body", actor=None
    )


@pytest.fixture
def coordinator(org: Organisation) -> User:
    return make_person(org, Role.COORDINATOR, "alice@technofutur.test", "Alice", "Dumont")


@pytest.fixture
def trainer(org: Organisation) -> User:
    return make_person(org, Role.TRAINER, "bruno@technofutur.test", "Bruno", "Lambert")


@pytest.fixture
def logistics(org: Organisation) -> User:
    return make_person(org, Role.LOGISTICS, "lea@technofutur.test", "Léa", "Martin")


@pytest.fixture
def school_contact(org: Organisation) -> User:
    return make_person(org, Role.SCHOOL_CONTACT, "sam@ecole.test", "Sam", "Lejeune")


@pytest.fixture
def learner(org: Organisation) -> User:
    return make_person(org, Role.LEARNER, "chloe@exemple.test", "Chloé", "Renard")


@pytest.fixture
def outsider(other_org: Organisation) -> User:
    return make_person(other_org, Role.COORDINATOR, "oscar@province.test", "Oscar", "Piron")


@pytest.fixture
def as_user(client: Client):  # type: ignore[no-untyped-def]
    """``as_user(user)`` logs the test client in as that person and returns the client."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login
