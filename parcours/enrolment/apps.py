from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "parcours.enrolment"
    label = "enrolment"
    verbose_name = _("Sessions et inscriptions")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "enrolment.complete_attendance",
                "complete_attendance",
                every=periodic.HOUR,
                description="Achèvements des sessions dont l'appel est fait.",
            )
        )
        from parcours.enrolment import dashboard, receivers  # noqa: F401 - connects receivers

        dashboard.register()
