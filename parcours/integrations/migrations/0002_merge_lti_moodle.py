# The LTI and Moodle parts were built side by side, each with its own first migration; this
# joins the two (no operation). The lead may squash the app's migrations at merge.
from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_lti"),
        ("integrations", "0001_moodle"),
    ]

    operations: list[migrations.operations.base.Operation] = []
