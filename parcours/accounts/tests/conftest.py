"""Personas for the administration tests: Ada administers Technofutur TIC, Olga the Province."""

from __future__ import annotations

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Lovelace")


@pytest.fixture
def other_admin(other_org: Organisation) -> User:
    return make_person(other_org, Role.ADMINISTRATOR, "olga@province.test", "Olga", "Dubois")
