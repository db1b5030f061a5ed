from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """The learner's portfolio: badges, attestations, projects and competences, shared by revocable
    link and exported.
    """

    name = "parcours.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from parcours.portfolio import dashboard

        dashboard.register()
