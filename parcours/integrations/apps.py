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
        from parcours.integrations.lti import receivers, registry
        from parcours.pathways.signals import module_completed

        registry.register()
        module_completed.connect(
            receivers.on_module_completed, dispatch_uid="integrations.lti.module_completed"
        )
