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
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "integrations.moodle",
                "sync_moodle",
                at_hour=2,
                description="Synchronisation des achèvements Moodle.",
            )
        )
        periodic.register(
            periodic.Job(
                "integrations.xapi",
                "send_xapi",
                every=15 * periodic.MINUTE,
                description="Envoi des déclarations xAPI en attente (nouveaux essais).",
            )
        )
        from parcours.enrolment.signals import attendance_recorded
        from parcours.integrations.lti import receivers as lti_receivers
        from parcours.integrations.lti import registry as lti_registry
        from parcours.integrations.moodle import wiring as moodle_wiring
        from parcours.integrations.xapi import panel as xapi_panel
        from parcours.integrations.xapi import receivers as xapi_receivers
        from parcours.pathways.signals import module_completed

        lti_registry.register()
        module_completed.connect(
            lti_receivers.on_module_completed, dispatch_uid="integrations.lti.module_completed"
        )
        attendance_recorded.connect(
            lti_receivers.on_attendance_recorded, dispatch_uid="integrations.lti.attendance"
        )
        xapi_receivers.connect()
        xapi_panel.register()
        moodle_wiring.register()
