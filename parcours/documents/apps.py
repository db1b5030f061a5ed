from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """What Parcours hands to people: attestations, calendars, messages."""

    name = "parcours.documents"
    label = "documents"
    verbose_name = _("Attestations, agendas et messages")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "documents.reminders",
                "send_reminders",
                every=periodic.HOUR,
                description="Rappels des sessions par e-mail (avec le fichier .ics).",
            )
        )
        from parcours.documents import receivers

        receivers.connect()

        from parcours.documents import dashboard

        dashboard.register()
