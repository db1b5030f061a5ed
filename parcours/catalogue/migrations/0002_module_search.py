"""Full-text search of modules, on either database (see parcours/catalogue/search.py).

- SQLite: the FTS5 table ``catalogue_module_fts`` (accents folded by the tokenizer).
- PostgreSQL: the ``unaccent`` extension, a ``french_unaccent`` text search configuration, the
  ``search_vector`` column and its GIN index (created here only, so SQLite never sees it).

Existing modules are indexed at the end; ``manage.py reindex_catalogue`` does the same later.
"""

import unicodedata

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import parcours.catalogue.models

FTS_TABLE = "catalogue_module_fts"
GIN_INDEX = "catalogue_module_search_gin"


class UnaccentExtensionOnPostgres(UnaccentExtension):
    """``UnaccentExtension`` whose reverse is also a no-op on other databases."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_search_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "module_id UNINDEXED, code, title, summary, body, "
            "tokenize=\"unicode61 remove_diacritics 2\")"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "DO $$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN "
            "CREATE TEXT SEARCH CONFIGURATION french_unaccent ( COPY = french ); "
            "ALTER TEXT SEARCH CONFIGURATION french_unaccent "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
            "END IF; END $$;"
        )


def drop_search_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON catalogue_module USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _join(*parts):
    return " ".join(p.strip() for p in parts if p and p.strip())


def index_existing_modules(apps, schema_editor):
    """A frozen copy of search.index_module, for the modules that exist before this migration."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    Module = apps.get_model("catalogue", "Module")
    ModuleCompetence = apps.get_model("catalogue", "ModuleCompetence")
    vendor = schema_editor.connection.vendor
    for module in Module.objects.select_related("organisation").iterator():
        links = ModuleCompetence.objects.filter(module=module).select_related("competence")
        competences = _join(
            *(_join(x.competence.code, x.competence.title_fr, x.competence.title_en) for x in links)
        )
        code = module.code
        title = _join(module.title_fr, module.title_en)
        summary = _join(module.summary_fr, module.summary_en)
        body = _join(
            module.objectives_fr, module.objectives_en, module.description_fr,
            module.description_en, module.organisation.name, competences,
        )
        updates = {"search_text": _fold(_join(code, title, summary, body))}
        if vendor == "postgresql":
            updates["search_vector"] = (
                SearchVector(Value(code), config="french_unaccent", weight="A")
                + SearchVector(Value(title), config="french_unaccent", weight="A")
                + SearchVector(Value(summary), config="french_unaccent", weight="B")
                + SearchVector(Value(body), config="french_unaccent", weight="C")
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, module_id, code, title, summary, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [module.pk, module.pk, _fold(code), _fold(title), _fold(summary), _fold(body)],
            )
        Module.objects.filter(pk=module.pk).update(**updates)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        UnaccentExtensionOnPostgres(),
        migrations.RunPython(create_search_structures, drop_search_structures),
        migrations.AddField(
            model_name="module",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(index_existing_modules, migrations.RunPython.noop),
        # The FTS5 table seen from Django (unmanaged: the RunPython above creates it).
        migrations.CreateModel(
            name="ModuleSearchEntry",
            fields=[
                ("id", models.BigIntegerField(db_column="rowid", primary_key=True, serialize=False)),
                (
                    "module",
                    models.OneToOneField(
                        db_column="module_id",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="search_entry",
                        to="catalogue.module",
                    ),
                ),
                (
                    "document",
                    parcours.catalogue.models.FtsDocumentField(db_column="catalogue_module_fts"),
                ),
            ],
            options={"managed": False, "db_table": "catalogue_module_fts"},
        ),
    ]
