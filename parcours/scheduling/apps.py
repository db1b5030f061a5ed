from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "parcours.scheduling"
    label = "scheduling"
    verbose_name = _("Ressources et réservations")

    def ready(self) -> None:
        from parcours.scheduling import dashboard

        dashboard.register()
