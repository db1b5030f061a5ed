from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    """Career follow-up: caseloads, follow-up log, milestones and outcomes."""

    name = "parcours.careers"
    label = "careers"
    verbose_name = _("Suivi de carrière")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "careers.reminders",
                "send_career_reminders",
                at_hour=7,
                description="Rappels des prochaines actions du suivi.",
            )
        )
        from parcours.candidates.funnel import register_employment
        from parcours.careers import dashboard, sections
        from parcours.careers.figures import SOURCE, employed_applications
        from parcours.lib import figures

        figures.register(SOURCE)
        sections.register()
        # The candidates' funnel: "employed at six months" comes from the career files.
        register_employment("careers", employed_applications)
        dashboard.register()
