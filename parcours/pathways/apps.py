from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "parcours.pathways"
    label = "pathways"
    verbose_name = _("Parcours")

    def ready(self) -> None:
        from parcours.pathways import dashboard

        dashboard.register()
