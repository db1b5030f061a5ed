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
        from parcours.lib import periodic

        # Pending registrations whose e-mail was not confirmed in time release their seats.
        periodic.register(
            periodic.Job(
                "events.expire_pending",
                "expire_event_registrations",
                every=15 * periodic.MINUTE,
                description="Libère les places des inscriptions non confirmées à temps.",
            )
        )
        from parcours.events import dashboard
        from parcours.events import figures as event_figures
        from parcours.lib import figures

        figures.register(event_figures.SOURCE)
        dashboard.register()
