"""Catalogue speed (issue #2 benchmarks).

- An index ``(status, title_fr, id, format, audience, language, organisation)``: the public
  list in title order reads it instead of sorting the wide module rows, and a search reads
  its candidates from it (their title, to break ties, and the filters; see search.py).
- PostgreSQL only: keep ``search_vector`` inside the table row (storage MAIN) instead of
  out of line in the TOAST table. Every search reads the vector of every candidate module
  (``@@`` and ``ts_rank``); fetching it from TOAST cost about 10 µs a module, ten times the
  rest of the work. Existing vectors are rewritten so that they move in.
"""

from django.db import migrations, models


def keep_search_vector_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE catalogue_module ALTER COLUMN search_vector SET STORAGE MAIN"
    )
    # The storage applies to values written from now on: rewrite the existing ones (an
    # identical vector: concatenating the empty vector changes no lexeme or position).
    schema_editor.execute(
        "UPDATE catalogue_module SET search_vector = search_vector || ''::tsvector "
        "WHERE search_vector IS NOT NULL"
    )


def default_search_vector_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE catalogue_module ALTER COLUMN search_vector SET STORAGE EXTENDED"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalogue", "0002_module_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="module",
            index=models.Index(
                fields=[
                    "status",
                    "title_fr",
                    "id",
                    "format",
                    "audience",
                    "language",
                    "organisation",
                ],
                name="module_listing_idx",
            ),
        ),
        migrations.RunPython(keep_search_vector_inline, default_search_vector_storage),
    ]
