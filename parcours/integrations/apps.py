from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Learning ecosystem: Parcours as an LTI 1.3 Advantage tool, completions read from Moodle,
    xAPI statements sent to a learning record store.
    """

    name = "parcours.integrations"
    label = "integrations"
    verbose_name = _("Intégrations")

    def ready(self) -> None:
        from parcours.integrations.moodle import wiring as moodle_wiring

        moodle_wiring.register()
