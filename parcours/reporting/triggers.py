"""Keep the facts' database triggers in place after every ``migrate``.

On SQLite, Django alters a table by rebuilding it (create, copy, drop, rename), which drops the
table's triggers: a later migration of the enrolment or scheduling tables would silently stop
marking facts dirty. After each ``migrate``, :func:`ensure` recreates any missing trigger from
the statements of migration 0005 and, when one was missing, marks every session dirty and
renews the occupancy token (writes may have gone unnoticed in between).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connection, transaction

_MIGRATION = "parcours.reporting.migrations.0005_fact_triggers"  # SQLite: row-level
_MIGRATION_POSTGRES = "parcours.reporting.migrations.0007_statement_level_triggers_postgres"


def _existing() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def expected() -> dict[str, tuple[list[str], list[str]]]:
    """Trigger name -> (create statements, drop statements) for this database."""
    if connection.vendor == "sqlite":
        module: Any = importlib.import_module(_MIGRATION)
        make = module._sqlite
    else:  # statement-level triggers over the transition tables (0007)
        module = importlib.import_module(_MIGRATION_POSTGRES)
        make = module._postgres
    return {
        module._name(table, event): make(table, event)
        for table in (*module.SOURCES, *module.RAW_TABLES)
        for event in module.EVENTS
    }


def missing() -> list[str]:
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if "reporting_dirtysession" not in tables:  # not migrated yet
        return []
    return sorted(set(expected()) - _existing())


def ensure(**_kwargs: Any) -> list[str]:
    """Recreate the missing triggers (post_migrate receiver); returns their names."""
    names = missing()
    if not names:
        return []
    statements = expected()
    with transaction.atomic(), connection.cursor() as cursor:
        for name in names:
            for sql in statements[name][1] + statements[name][0]:
                cursor.execute(sql)
        cursor.execute(
            "INSERT INTO reporting_dirtysession (session_id, organisation_id, version) "
            "SELECT id, organisation_id, 1 FROM enrolment_session WHERE true "
            "ON CONFLICT (session_id) DO UPDATE "
            "SET version = reporting_dirtysession.version + 1"
        )
        cursor.execute(
            "INSERT INTO reporting_rawchange (source, row_id, version) "
            "VALUES ('triggers', 0, 1) ON CONFLICT (source, row_id) DO UPDATE "
            "SET version = reporting_rawchange.version + 1"
        )
    return names


def suspend() -> list[str]:
    """Drop the facts' triggers (before a bulk import: no per-row cost); ``facts.rebuild_all``
    (``manage.py reporting_rebuild``) puts them back and rebuilds everything. Returns their
    names."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    statements = expected()
    present = _existing()
    names = sorted(name for name in statements if name in present)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in names:
            for sql in statements[name][1]:
                cursor.execute(sql)
    return names
