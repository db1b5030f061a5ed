from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "parcours.credentials"
    label = "credentials"
    verbose_name = _("Badges (Open Badges)")

    def ready(self) -> None:
        from parcours.credentials import checks, dashboard, figures, receivers  # noqa: F401

        dashboard.register()
        figures.register()
