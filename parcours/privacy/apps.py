from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data: "my data" export, erasure, retention (GDPR art. 15, 17, 20)."""

    name = "parcours.privacy"
    label = "privacy"
    verbose_name = _("Données personnelles")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "privacy.retention",
                "apply_retention",
                at_hour=4,
                description="Effacement des comptes arrivés au terme de leur conservation.",
            )
        )
        from parcours.privacy import dashboard

        dashboard.register()
