"""PostgreSQL: the facts' triggers fire once per statement instead of once per row.

Migration 0005's row-level triggers upsert the same ``reporting_dirtysession`` row once per
changed row: a bulk write of 5,000 attendance marks of one session (a webinar's participant
report) paid 5,000 upserts of one row, most of the import's time on PostgreSQL. These triggers
read the statement's transition tables (``REFERENCING NEW TABLE AS …``) and upsert each
session (or raw row) once, in key order, so concurrent statements lock them in the same order.

SQLite has no statement-level triggers: its row-level ones stay (0005). Nothing changes in what
is marked dirty, only how often.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DIRTY = (
    "INSERT INTO reporting_dirtysession (session_id, organisation_id, version) "
    "SELECT session_id, organisation_id, 1 FROM ({select}) AS changed "
    "WHERE session_id IS NOT NULL GROUP BY session_id, organisation_id ORDER BY session_id "
    "ON CONFLICT (session_id) DO UPDATE SET version = reporting_dirtysession.version + 1"
)
RAW = (
    "INSERT INTO reporting_rawchange (source, row_id, version) "
    "SELECT '{table}', id, 1 FROM {rows} WHERE id IS NOT NULL GROUP BY id ORDER BY id "
    "ON CONFLICT (source, row_id) DO UPDATE SET version = reporting_rawchange.version + 1"
)

# table -> the SELECT giving (session_id, organisation_id) of the rows in transition table {rows}.
SOURCES: dict[str, str] = {
    "enrolment_attendance": (
        "SELECT e.session_id, s.organisation_id FROM {rows} r "
        "JOIN enrolment_enrolment e ON e.id = r.enrolment_id "
        "JOIN enrolment_session s ON s.id = e.session_id"
    ),
    "enrolment_enrolment": (
        "SELECT r.session_id, s.organisation_id FROM {rows} r "
        "JOIN enrolment_session s ON s.id = r.session_id"
    ),
    "enrolment_sessionslot": (
        "SELECT r.session_id, s.organisation_id FROM {rows} r "
        "JOIN enrolment_session s ON s.id = r.session_id"
    ),
    "enrolment_session": "SELECT r.id AS session_id, r.organisation_id FROM {rows} r",
    "enrolment_learnerprofile": (
        "SELECT e.session_id, s.organisation_id FROM {rows} r "
        "JOIN enrolment_enrolment e ON e.learner_id = r.user_id "
        "JOIN enrolment_session s ON s.id = e.session_id"
    ),
}
RAW_TABLES = (
    "scheduling_booking",
    "scheduling_reservation",
    "scheduling_resource",
    "scheduling_openinghours",
    "scheduling_closureperiod",
    "scheduling_cateringline",
    "scheduling_cateringitem",
    "accounts_site",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")
# The transition tables each event gives: (name in the trigger's REFERENCING clause, alias).
TRANSITIONS = {
    "INSERT": (("NEW", "new_rows"),),
    "DELETE": (("OLD", "old_rows"),),
    "UPDATE": (("OLD", "old_rows"), ("NEW", "new_rows")),
}


def _name(table: str, event: str) -> str:
    """The same names as 0005's triggers, so ``triggers.ensure`` finds either kind."""
    kind = "raw" if table in RAW_TABLES else "dirty"
    return f"reporting_{kind}_{table.split('_', 1)[1]}_{event.lower()}"


def _body(table: str, event: str) -> list[str]:
    aliases = [alias for _which, alias in TRANSITIONS[event]]
    if table in RAW_TABLES:
        return [RAW.format(table=table, rows=alias) for alias in aliases]
    return [DIRTY.format(select=SOURCES[table].format(rows=alias)) for alias in aliases]


def _postgres(table: str, event: str) -> tuple[list[str], list[str]]:
    name = _name(table, event)
    statements = " ".join(f"{sql};" for sql in _body(table, event))
    referencing = " ".join(f"{which} TABLE AS {alias}" for which, alias in TRANSITIONS[event])
    create = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {statements} "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return create, drop


def _row_level(apps: Any, schema_editor: Any, *, create: bool) -> None:
    from importlib import import_module

    old: Any = import_module("parcours.reporting.migrations.0005_fact_triggers")
    for table in (*old.SOURCES, *old.RAW_TABLES):
        for event in old.EVENTS:
            statements = old._postgres(table, event)
            for sql in statements[0] if create else statements[1]:
                schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _row_level(apps, schema_editor, create=False)
    for table in (*SOURCES, *RAW_TABLES):
        for event in EVENTS:
            for sql in _postgres(table, event)[0]:
                schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (*SOURCES, *RAW_TABLES):
        for event in EVENTS:
            for sql in _postgres(table, event)[1]:
                schema_editor.execute(sql)
    _row_level(apps, schema_editor, create=True)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0006_fact_months_and_rebuild_flag")]

    operations = [migrations.RunPython(forwards, backwards)]
