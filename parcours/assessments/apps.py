from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Assessed completions: projects handed in by learners, reviewed by trainers against the
    module's criteria; completions recorded by hand.
    """

    name = "parcours.assessments"
    label = "assessments"
    verbose_name = _("Évaluations")
