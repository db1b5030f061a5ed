from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events (fairs, game weeks, jobs days): programmes of parallel workshops, multi-workshop
    registration, tickets and check-in.
    """

    name = "parcours.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        from parcours.events import dashboard
        from parcours.events import figures as event_figures
        from parcours.lib import figures

        figures.register(event_figures.SOURCE)
        dashboard.register()
