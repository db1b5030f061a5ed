from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    """Worlds, occupations (ESCO), job sheets, games, quiz and class mode."""

    name = "parcours.orientation"
    label = "orientation"
    verbose_name = _("Orientation")

    def ready(self) -> None:
        from parcours.lib import periodic

        periodic.register(
            periodic.Job(
                "orientation.purge_class_data",
                "purge_class_data",
                at_hour=3,
                description="Effacement des visites de classe de plus de 30 jours.",
            )
        )
        from parcours.catalogue import module_filters
        from parcours.lib import sections
        from parcours.orientation import views

        sections.register(
            sections.Section(
                key="orientation.module_occupations",
                slot="catalogue.module",
                order=10,
                build=views.module_occupations,
                template="orientation/sections/module_occupations.html",
            )
        )
        sections.register(
            sections.Section(
                key="orientation.outreach",
                slot="scheduling.outreach",
                order=10,
                build=views.outreach_orientation,
                template="orientation/sections/outreach.html",
            )
        )
        module_filters.register(
            module_filters.ModuleFilter(param="metier", resolve=views.catalogue_occupation_filter)
        )

        # Games, quiz and class mode.
        from parcours.lib import figures
        from parcours.orientation import class_admin, class_queries
        from parcours.orientation.class_figures import SOURCE

        figures.register(SOURCE)
        class_admin.register()
        from parcours.orientation import dashboard

        dashboard.register()
        sections.register(
            sections.Section(
                key="orientation.outreach_class_visits",
                slot="scheduling.outreach",
                order=20,
                build=class_queries.outreach_class_visits,
                template="orientation/classe/_outreach_section.html",
            )
        )
