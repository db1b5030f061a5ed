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
        from parcours.lib import personal_data
        from parcours.portfolio import dashboard
        from parcours.portfolio import personal_data as portfolio_data

        dashboard.register()
        # privacy (same import layer) reads the portfolio's part through lib.personal_data.
        personal_data.register(
            personal_data.Part(
                key="portfolio", export=portfolio_data.export, erase=portfolio_data.erase
            )
        )
