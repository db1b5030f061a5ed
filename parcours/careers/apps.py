from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    """Career follow-up: caseloads, follow-up log, milestones and outcomes."""

    name = "parcours.careers"
    label = "careers"
    verbose_name = _("Suivi de carrière")

    def ready(self) -> None:
        from parcours.careers.figures import SOURCE
        from parcours.lib import figures

        figures.register(SOURCE)
