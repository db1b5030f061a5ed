from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Figures, charts and the yearly activity report (reads the other apps)."""

    name = "parcours.reporting"
    label = "reporting"
    verbose_name = _("Rapports et impact")

    def ready(self) -> None:
        import datetime as dt

        from django.db.models.signals import post_migrate

        from parcours.lib import periodic
        from parcours.reporting import dashboard, triggers

        dashboard.register()
        # The dirty sessions rebuilt every five minutes by the task worker, so that a page
        # rarely has any left to rebuild itself.
        periodic.register(
            periodic.Job(
                "reporting.refresh_facts",
                "reporting_rebuild",
                args=("--dirty",),
                every=dt.timedelta(minutes=5),
                description="Recalcul des faits des sessions modifiées (rapports).",
            )
        )
        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(triggers.ensure, sender=self, dispatch_uid="reporting_triggers")
