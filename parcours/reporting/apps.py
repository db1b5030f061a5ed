from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Figures, charts and the yearly activity report (reads the other apps)."""

    name = "parcours.reporting"
    label = "reporting"
    verbose_name = _("Rapports et impact")

    def ready(self) -> None:
        from parcours.reporting import dashboard

        dashboard.register()
