"""What the Moodle part adds to other pages: its card on ``/integrations/`` and its section on
a module's page. Called once from ``IntegrationsConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Organisation
from parcours.integrations import panels
from parcours.lib import sections


def _summary(organisation: Organisation) -> str:
    from parcours.integrations.models import MoodleCourseLink, MoodleSite

    sites = MoodleSite.objects.of_organisation(organisation).active().count()
    links = MoodleCourseLink.objects.filter(site__organisation=organisation).count()
    return _("%(sites)s site(s) actif(s), %(links)s module(s) lié(s)") % {
        "sites": sites,
        "links": links,
    }


def register() -> None:
    from parcours.integrations.moodle import views

    panels.register(
        panels.Panel(
            key="moodle",
            title=gettext_lazy("Achèvements Moodle"),
            description=gettext_lazy(
                "Les sites Moodle de l'organisation, les modules suivis comme cours Moodle et "
                "la synchronisation des achèvements."
            ),
            url_name="integrations:moodle:home",
            summary=_summary,
        )
    )
    sections.register(
        sections.Section(
            key="integrations.moodle",
            slot="catalogue.module",
            order=30,
            build=views.module_section,
            template="integrations/moodle/_module_section.html",
        )
    )
