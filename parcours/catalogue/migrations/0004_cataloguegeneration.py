"""The catalogue generation (see parcours/catalogue/cache.py): one row, created here."""

import uuid

from django.db import migrations, models


def create_row(apps, schema_editor):
    generation = apps.get_model("catalogue", "CatalogueGeneration")
    generation.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"value": uuid.uuid4().hex}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_module_listing_index_and_inline_search_vector"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "génération du catalogue",
                "verbose_name_plural": "générations du catalogue",
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
