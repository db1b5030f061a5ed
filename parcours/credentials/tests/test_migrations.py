"""The random-slots migration reserves every slot the former affine scheme handed out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("credentials", "0001_issuers_achievements_credentials")]
AFTER = [("credentials", "0002_random_status_list_slots")]


@pytest.mark.django_db(transaction=True)
def test_slots_handed_out_before_are_reserved(org):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    profile = old.get_model("credentials", "IssuerProfile").objects.create(
        organisation_id=org.pk, name="Technofutur TIC", did="did:web:example.org:x"
    )
    status_list = old.get_model("credentials", "StatusList").objects.create(
        issuer=profile, number=1, size=131_072, multiplier=12_345, offset=777, allocated=300
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    slots = set(
        new.get_model("credentials", "StatusSlot")
        .objects.filter(status_list_id=status_list.pk)
        .values_list("index", flat=True)
    )
    assert slots == {(n * 12_345 + 777) % 131_072 for n in range(300)}
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
