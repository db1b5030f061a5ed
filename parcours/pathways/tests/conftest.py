"""Fixtures for pathway tests: the AI-referent and the university-certificate modules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.pathways import actions
from parcours.pathways.models import Pathway

OPTIONS = ["O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8"]
AI_RULE = "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOT"


def make_module(
    org: Organisation, code: str, title: str, hours: str = "12", **extra: str
) -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=title,
        summary_fr=f"Résumé de {title}",
        duration_hours=Decimal(hours),
        status=extra.pop("status", Module.Status.PUBLISHED),
        **extra,
    )


@pytest.fixture
def ai_modules(org: Organisation) -> dict[str, Module]:
    titles = {
        "M1A": "Introduction à l'IA (enseignants)",
        "M1B": "Introduction à l'IA (directions)",
        "O1": "Apprentissage personnalisé",
        "O2": "Éthique et regard critique",
        "O3": "Apprendre par le jeu",
        "O4": "Soutien aux langues",
        "O5": "Évaluation et IA",
        "O6": "Inclusion",
        "O7": "Créer ses ressources",
        "O8": "Données et vie privée",
        "CLOT": "Module de clôture",
    }
    return {code: make_module(org, code, title) for code, title in titles.items()}


@pytest.fixture
def ai_pathway(coordinator: User, org: Organisation, ai_modules: dict[str, Module]) -> Pathway:
    pathway = actions.create_pathway(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.PathwayData(code="REF-IA", title_fr="Référent IA", rule_text=AI_RULE),
    )
    return actions.set_pathway_status(
        actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
    )


@pytest.fixture
def certificate(coordinator: User, org: Organisation) -> Pathway:
    for i in range(1, 6):
        make_module(org, f"UE{i}", f"Unité d'enseignement {i}", hours="30")
    pathway = actions.create_pathway(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.PathwayData(
            code="CU-TP",
            title_fr="Certificat en technopédagogie",
            rule_text="UE1 & UE2 & UE3 & UE4 & UE5",
        ),
    )
    return actions.set_pathway_status(
        actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
    )


def complete(learner: User, modules: dict[str, Module], *codes: str) -> None:
    for code in codes:
        actions.record_completion(learner=learner, module=modules[code])


@pytest.fixture(autouse=True)
def _french_by_default():
    """Sentences are asserted in French unless a test switches language itself."""
    from django.utils import translation

    with translation.override("fr"):
        yield
