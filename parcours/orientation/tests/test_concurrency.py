"""Concurrent writers: two curators create the same world at once; two ESCO imports at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.orientation import actions, esco
from parcours.orientation.models import Occupation, World


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_curators_creating_the_same_world_get_one_world_and_a_clear_error(
    run_concurrently, org: Organisation, coordinator: User
) -> None:
    actor = Actor.of(coordinator)
    run = run_concurrently(
        actions.save_world,
        4,
        actor=actor,
        organisation=org,
        data={"name_fr": "Géoterra", "slug": "geoterra"},
    )
    assert len(run.successes) == 1
    assert len(run.errors) == 3
    for error in run.errors:
        assert isinstance(error, ValidationError)
        assert "slug" in error.message_dict
    assert World.objects.filter(organisation=org).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_leave_one_copy_of_each_occupation(run_concurrently) -> None:
    run = run_concurrently(actions.import_esco, 2)
    assert all(isinstance(error, esco.EscoError) for error in run.errors)
    assert len(run.successes) >= 1
    assert Occupation.objects.count() == 3007
