"""Database triggers that mark a session's facts dirty in the transaction that changes the raw
rows they are computed from (attendance marks, enrolments, slots, sessions, learner profiles),
and note changes of the rows the room occupancy reads, on SQLite and PostgreSQL; then every
existing session is marked dirty (the first read rebuilds).

Reporting's facts (parcours/reporting/facts.py) are rebuilt from these rows on read: a write
path cannot forget to invalidate them, since the database itself does it.

Row-level triggers with direct, indexed look-ups (``WHERE e.id = NEW.enrolment_id``): each
costs a few index probes whatever the size of the tables. Rows are upserted in key order
(``ORDER BY``), so two statements marking overlapping sessions lock them in the same order.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DIRTY = (
    "INSERT INTO reporting_dirtysession (session_id, organisation_id, version) "
    "{select} ON CONFLICT (session_id) DO UPDATE SET version = reporting_dirtysession.version + 1"
)
RAW = (
    "INSERT INTO reporting_rawchange (source, row_id, version) "
    "SELECT '{table}', {row}.id, 1 WHERE {row}.id IS NOT NULL "
    "ON CONFLICT (source, row_id) DO UPDATE SET version = reporting_rawchange.version + 1"
)

# table -> the SELECT giving (session, organisation, 1) for a changed row ``{row}`` (NEW/OLD).
SOURCES: dict[str, str] = {
    "enrolment_attendance": (
        "SELECT e.session_id, s.organisation_id, 1 FROM enrolment_enrolment e "
        "JOIN enrolment_session s ON s.id = e.session_id WHERE e.id = {row}.enrolment_id"
    ),
    "enrolment_enrolment": (
        "SELECT {row}.session_id, (SELECT s.organisation_id FROM enrolment_session s "
        "WHERE s.id = {row}.session_id), 1 WHERE {row}.session_id IS NOT NULL"
    ),
    "enrolment_sessionslot": (
        "SELECT {row}.session_id, (SELECT s.organisation_id FROM enrolment_session s "
        "WHERE s.id = {row}.session_id), 1 WHERE {row}.session_id IS NOT NULL"
    ),
    "enrolment_session": ("SELECT {row}.id, {row}.organisation_id, 1 WHERE {row}.id IS NOT NULL"),
    "enrolment_learnerprofile": (
        "SELECT e.session_id, s.organisation_id, 1 FROM enrolment_enrolment e "
        "JOIN enrolment_session s ON s.id = e.session_id WHERE e.learner_id = {row}.user_id "
        "GROUP BY e.session_id, s.organisation_id ORDER BY 1"
    ),
}
# Tables the room occupancy, parking and catering figures read: any change of a row is noted (the cached occupancy is keyed
# by a token renewed whenever a change was noted).
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
ROWS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}


def _name(table: str, event: str) -> str:
    kind = "raw" if table in RAW_TABLES else "dirty"
    return f"reporting_{kind}_{table.split('_', 1)[1]}_{event.lower()}"


def _body(table: str, event: str) -> list[str]:
    if table in RAW_TABLES:
        return [RAW.format(table=table, row=row) for row in ROWS[event]]
    return [DIRTY.format(select=SOURCES[table].format(row=row)) for row in ROWS[event]]


def _sqlite(table: str, event: str) -> tuple[list[str], list[str]]:
    name = _name(table, event)
    statements = " ".join(f"{sql};" for sql in _body(table, event))
    create = f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {statements} END"
    return [create], [f"DROP TRIGGER IF EXISTS {name}"]


def _postgres(table: str, event: str) -> tuple[list[str], list[str]]:
    name = _name(table, event)
    statements = " ".join(f"{sql};" for sql in _body(table, event))
    create = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {statements} "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return create, drop


def _statements(vendor: str, index: int) -> list[str]:
    make = {"sqlite": _sqlite, "postgresql": _postgres}.get(vendor)
    if make is None:
        raise RuntimeError(f"reporting facts: no triggers for the {vendor} database")
    return [
        sql
        for table in (*SOURCES, *RAW_TABLES)
        for event in EVENTS
        for sql in make(table, event)[index]
    ]


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in _statements(vendor, 0):
        schema_editor.execute(sql)
    schema_editor.execute(
        "INSERT INTO reporting_dirtysession (session_id, organisation_id, version) "
        "SELECT id, organisation_id, 1 FROM enrolment_session"
    )
    schema_editor.execute(
        "INSERT INTO reporting_factlock (id, turns, token, raw_token) VALUES (1, 0, '', '')"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    for sql in _statements(schema_editor.connection.vendor, 1):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_pre_aggregated_facts"),
        ("enrolment", "0003_learner_profile_self_declared"),
    ]

    operations = [migrations.RunPython(create, drop)]
