from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "parcours.pathways"
    label = "pathways"
    verbose_name = _("Parcours")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from parcours.pathways import dashboard

        dashboard.register()
        # Where to get a missing module: the higher apps' ``pathway_offers`` modules register
        # their providers (pathways.offers), e.g. enrolment's next sessions.
        autodiscover_modules("pathway_offers")
