"""Fixtures for orientation tests: a small ESCO import, a world and a job sheet built by the
actions, and the enrolment fixtures (module, site, sessions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment.tests.conftest import make_session, module, site  # noqa: F401
from parcours.orientation import actions
from parcours.orientation.models import JobSheet, Occupation, World
from parcours.orientation.tests.test_esco import make_source


@pytest.fixture
def electrician(db: None, tmp_path: Path) -> Occupation:
    actions.import_esco(make_source(tmp_path))
    return Occupation.objects.get(code="7411.1")


@pytest.fixture
def world(org: Organisation, coordinator: User) -> World:
    return actions.save_world(
        actor=Actor.of(coordinator),
        organisation=org,
        data={
            "name_fr": "Életroworld",
            "name_en": "Eletroworld",
            "colour": "#F2A900",
            "tagline_fr": "L'énergie qui fait tout bouger",
            "is_published": True,
        },
    )


@pytest.fixture
def sheet(org: Organisation, coordinator: User, world: World, electrician: Occupation) -> JobSheet:
    return actions.save_job_sheet(
        actor=Actor.of(coordinator),
        organisation=org,
        data={
            "world": world.pk,
            "title_fr": "Électricienne, électricien",
            "summary_fr": "Elle ou il amène le courant partout, en sécurité.",
            "work_fr": "Installer des prises, des tableaux et des câbles.",
            "occupation": electrician.pk,
            "is_published": True,
        },
    )
