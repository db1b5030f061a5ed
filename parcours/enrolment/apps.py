from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "parcours.enrolment"
    label = "enrolment"
    verbose_name = _("Sessions et inscriptions")

    def ready(self) -> None:
        from parcours.enrolment import dashboard, receivers  # noqa: F401 - connects receivers

        dashboard.register()
