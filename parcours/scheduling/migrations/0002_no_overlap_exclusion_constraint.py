"""No double booking on PostgreSQL: two active reservations of one resource never overlap.

An expression-based exclusion constraint over ``tstzrange(blocked_start, blocked_end, '[)')``
(half-open, so back-to-back bookings are allowed) needs the ``btree_gist`` extension for the
``resource_id WITH =`` part. Only PostgreSQL has it: on SQLite this migration does nothing and
the booking actions serialise writers instead (see docs/scheduling.md). The model keeps plain
``blocked_start``/``blocked_end`` fields, so ``makemigrations --check`` stays clean on both.
"""

from __future__ import annotations

from django.db import migrations

CONSTRAINT = "scheduling_reservation_no_overlap"
TABLE = "scheduling_reservation"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(resource_id WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&) "
        "WHERE (active)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_resources_bookings_loans_outreach")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
