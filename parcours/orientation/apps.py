from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    """Worlds, occupations (ESCO), job sheets, games, quiz and class mode."""

    name = "parcours.orientation"
    label = "orientation"
    verbose_name = _("Orientation")

    def ready(self) -> None:
        from parcours.lib import figures
        from parcours.orientation import class_admin
        from parcours.orientation.class_figures import SOURCE

        figures.register(SOURCE)
        class_admin.register()
