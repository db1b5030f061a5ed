from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebinarsConfig(AppConfig):
    """Online sessions: live links, participant-report imports turned into attendance, the replay
    library and viewing hours.
    """

    name = "parcours.webinars"
    label = "webinars"
    verbose_name = _("Webinaires")

    def ready(self) -> None:
        from parcours.lib import figures
        from parcours.webinars import dashboard, sections
        from parcours.webinars.figures import SOURCE

        figures.register(SOURCE)
        sections.register()
        dashboard.register()
