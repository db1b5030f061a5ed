"""Status-list slots drawn at random and reserved as rows (issue #9: the affine scrambling put
consecutive credentials a constant distance apart). Every slot the old scheme handed out
(counters 0 … allocated-1 of each list) is reserved first, so no index is ever reused."""

import django.db.models.deletion
from django.db import migrations, models

LEGACY = "legacy-affine"


def reserve_handed_out_slots(apps, schema_editor):
    StatusList = apps.get_model("credentials", "StatusList")
    StatusSlot = apps.get_model("credentials", "StatusSlot")
    for status_list in StatusList.objects.all().iterator():
        StatusSlot.objects.bulk_create(
            [
                StatusSlot(
                    status_list_id=status_list.pk,
                    index=(counter * status_list.multiplier + status_list.offset)
                    % status_list.size,
                    reservation=LEGACY,
                )
                for counter in range(status_list.allocated)
            ],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0001_issuers_achievements_credentials"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusSlot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("index", models.PositiveIntegerField()),
                ("reservation", models.CharField(db_index=True, max_length=32)),
                (
                    "status_list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="slots",
                        to="credentials.statuslist",
                    ),
                ),
            ],
            options={
                "verbose_name": "entrée de liste de statuts",
                "verbose_name_plural": "entrées de listes de statuts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status_list", "index"), name="status_slot_once"
                    )
                ],
            },
        ),
        migrations.RunPython(reserve_handed_out_slots, migrations.RunPython.noop),
        # Defaults only so that the reverse migration can add the columns back.
        migrations.AlterField(
            model_name="statuslist", name="multiplier", field=models.PositiveIntegerField(default=1)
        ),
        migrations.AlterField(
            model_name="statuslist", name="offset", field=models.PositiveIntegerField(default=0)
        ),
        migrations.RemoveField(model_name="statuslist", name="multiplier"),
        migrations.RemoveField(model_name="statuslist", name="offset"),
    ]
