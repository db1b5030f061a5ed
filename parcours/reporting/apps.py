from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Figures, charts and the yearly activity report (reads the other apps)."""

    name = "parcours.reporting"
    label = "reporting"
    verbose_name = _("Rapports et impact")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from parcours.reporting import dashboard, triggers

        dashboard.register()
        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(triggers.ensure, sender=self, dispatch_uid="reporting_triggers")
