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

    def ready(self) -> None:
        from parcours.assessments import actions, evidence
        from parcours.credentials import evidence as credential_evidence
        from parcours.pathways import gates

        gates.register(gates.Gate(key="assessments.passed", passed=actions.passed_learners))
        credential_evidence.register_provider(
            credential_evidence.Provider(
                key="assessments.projects", items=evidence.project_evidence
            )
        )
