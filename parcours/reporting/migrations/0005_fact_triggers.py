"""Database triggers that mark a session's facts dirty in the transaction that changes the raw
rows they are computed from (attendance marks, enrolments, slots, sessions, learner profiles),
on SQLite and PostgreSQL; then every existing session is marked dirty (first read rebuilds).

Reporting's facts (parcours/reporting/facts.py) are rebuilt from these rows on read: a write
path cannot forget to invalidate them, since the database itself does it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

UPSERT = (
    "INSERT INTO reporting_dirtysession (session_id, organisation_id, version) "
    "SELECT {distinct}q.sid, q.oid, 1 FROM ({query}) q WHERE q.sid IS NOT NULL ORDER BY 1 "
    "ON CONFLICT (session_id) DO UPDATE SET version = reporting_dirtysession.version + 1"
)

# table -> (columns of a changed row the query needs, the query over the changed rows ``r``
# giving the session ``sid`` and its organisation ``oid``).
SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "enrolment_attendance": (
        ("enrolment_id",),
        "SELECT e.session_id AS sid, s.organisation_id AS oid FROM {rows} "
        "JOIN enrolment_enrolment e ON e.id = r.enrolment_id "
        "JOIN enrolment_session s ON s.id = e.session_id",
    ),
    "enrolment_enrolment": (
        ("session_id",),
        "SELECT r.session_id AS sid, s.organisation_id AS oid FROM {rows} "
        "LEFT JOIN enrolment_session s ON s.id = r.session_id",
    ),
    "enrolment_sessionslot": (
        ("session_id",),
        "SELECT r.session_id AS sid, s.organisation_id AS oid FROM {rows} "
        "LEFT JOIN enrolment_session s ON s.id = r.session_id",
    ),
    "enrolment_session": (
        ("id", "organisation_id"),
        "SELECT r.id AS sid, r.organisation_id AS oid FROM {rows}",
    ),
    "enrolment_learnerprofile": (
        ("user_id",),
        "SELECT e.session_id AS sid, s.organisation_id AS oid FROM {rows} "
        "JOIN enrolment_enrolment e ON e.learner_id = r.user_id "
        "JOIN enrolment_session s ON s.id = e.session_id",
    ),
}
EVENTS = ("INSERT", "UPDATE", "DELETE")
# Rows are upserted in key order (ORDER BY): two statements marking overlapping sessions lock
# their dirty rows in the same order, so they cannot deadlock on them.

# Tables the room occupancy reads: any change of a row is noted (no organisation needed: the
# cached occupancy is keyed by a token that changes whenever a change was noted).
RAW_TABLES = (
    "scheduling_booking",
    "scheduling_reservation",
    "scheduling_resource",
    "scheduling_openinghours",
    "scheduling_closureperiod",
    "accounts_site",
)
RAW_UPSERT = (
    "INSERT INTO reporting_rawchange (source, row_id, version) "
    "SELECT {distinct}'{table}', r.id, 1 FROM {rows} WHERE true ORDER BY 2 "
    "ON CONFLICT (source, row_id) DO UPDATE SET version = reporting_rawchange.version + 1"
)


def _name(table: str, event: str) -> str:
    return f"reporting_dirty_{table.split('_', 1)[1]}_{event.lower()}"


def _sqlite(table: str, event: str) -> tuple[list[str], list[str]]:
    columns, query = SOURCES[table]
    statements = []
    for row in {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]:
        rows = "(SELECT {}) r".format(", ".join(f"{row}.{c} AS {c}" for c in columns))
        statements.append(UPSERT.format(distinct="", query=query.format(rows=rows)) + ";")
    name = _name(table, event)
    create = (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        + " ".join(statements)
        + " END"
    )
    return [create], [f"DROP TRIGGER IF EXISTS {name}"]


def _raw_sqlite(table: str, event: str) -> tuple[list[str], list[str]]:
    name = _name(table, event).replace("reporting_dirty_", "reporting_raw_")
    statements = []
    for row in {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]:
        rows = f"(SELECT {row}.id AS id) r"
        statements.append(RAW_UPSERT.format(distinct="", table=table, rows=rows) + ";")
    create = (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        + " ".join(statements)
        + " END"
    )
    return [create], [f"DROP TRIGGER IF EXISTS {name}"]


def _postgres(table: str, event: str) -> tuple[list[str], list[str]]:
    name = _name(table, event)
    if table in RAW_TABLES:
        name = name.replace("reporting_dirty_", "reporting_raw_")
    else:
        _columns, query = SOURCES[table]
    if event == "UPDATE":
        rows = "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) r"
        referencing = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    elif event == "INSERT":
        rows, referencing = "new_rows r", "REFERENCING NEW TABLE AS new_rows"
    else:
        rows, referencing = "old_rows r", "REFERENCING OLD TABLE AS old_rows"
    if table in RAW_TABLES:
        body = RAW_UPSERT.format(distinct="DISTINCT ", table=table, rows=rows)
    else:
        body = UPSERT.format(distinct="DISTINCT ", query=query.format(rows=rows))
    create = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return create, drop


def _statements(vendor: str, index: int) -> list[str]:
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"reporting facts: no triggers for the {vendor} database")
    out = []
    for table in (*SOURCES, *RAW_TABLES):
        for event in EVENTS:
            if vendor == "postgresql":
                made = _postgres(table, event)
            else:
                made = (_raw_sqlite if table in RAW_TABLES else _sqlite)(table, event)
            out += made[index]
    return out


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
