from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    """Calls for applications, selection and the preparatory programme."""

    name = "parcours.candidates"
    label = "candidates"
    verbose_name = _("Candidatures")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "candidates.purge",
                "purge_candidates",
                at_hour=3,
                description="Effacement des candidatures arrivées au terme de leur conservation.",
            )
        )
        from parcours.candidates import dashboard, figures

        figures.register()
        dashboard.register()
