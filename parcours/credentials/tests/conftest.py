"""Fixtures for credentials tests: the AI-referent pathway, its badge, learners who earn it.

Everything is built with the real actions (catalogue, pathways, credentials)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import (
    Competence,
    CompetenceArea,
    Framework,
    Module,
    ProficiencyLevel,
)
from parcours.credentials import actions
from parcours.credentials.models import Achievement
from parcours.credentials.states import AchievementStatus
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Pathway

AI_RULE = "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOT"
AI_TITLES = {
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
EARNING = ("M1A", "O1", "O3", "CLOT")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a network connection fails the test (issuance and verification
    must work offline). Loopback stays allowed for the test database server."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


def make_module(org: Organisation, code: str, title: str, hours: str = "12") -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=title,
        summary_fr=f"Résumé de {title}",
        duration_hours=Decimal(hours),
        status=Module.Status.PUBLISHED,
    )


@pytest.fixture
def ai_modules(org: Organisation) -> dict[str, Module]:
    return {code: make_module(org, code, title) for code, title in AI_TITLES.items()}


@pytest.fixture
def ai_pathway(coordinator: User, org: Organisation, ai_modules: dict[str, Module]) -> Pathway:
    actor = Actor.of(coordinator)
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code="REF-IA", title_fr="Référent IA", rule_text=AI_RULE),
    )
    return pathway_actions.set_pathway_status(
        actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED
    )


@pytest.fixture
def digcompedu(db: None) -> tuple[Competence, ProficiencyLevel]:
    framework = Framework.objects.create(
        slug="digcompedu",
        name="DigCompEdu",
        source_url="https://joint-research-centre.ec.europa.eu/digcompedu_en",
    )
    area = CompetenceArea.objects.create(framework=framework, code="3", title_fr="Enseigner")
    competence = Competence.objects.create(
        framework=framework, area=area, code="3.1", title_fr="Enseignement"
    )
    level = ProficiencyLevel.objects.create(
        framework=framework, code="B1", order=3, name_fr="Intégrateur"
    )
    return competence, level


def make_achievement(
    coordinator: User,
    org: Organisation,
    *,
    pathway: Pathway | None = None,
    module: Module | None = None,
    expiry_days: int | None = None,
    competences: list[tuple[int, int | None]] | None = None,
    activate: bool = True,
) -> Achievement:
    actor = Actor.of(coordinator)
    achievement = actions.create_achievement(
        actor=actor,
        organisation=org,
        data=actions.AchievementData(
            name_fr="Référent IA",
            name_en="AI referent",
            description_fr="Référent pour l'intelligence artificielle à l'école.",
            criteria_fr="Avoir suivi M1A ou M1B, deux modules au choix et le module de clôture.",
            kind=Achievement.Kind.CERTIFICATE,
            expiry_days=expiry_days,
            pathway_id=pathway.pk if pathway else None,
            module_id=module.pk if module else None,
            competences=competences or [],
        ),
    )
    if activate:
        achievement = actions.set_achievement_status(
            actor=actor, achievement=achievement, status=AchievementStatus.ACTIVE
        )
    return achievement


@pytest.fixture
def ai_badge(coordinator: User, org: Organisation, ai_pathway: Pathway, digcompedu) -> Achievement:
    competence, level = digcompedu
    return make_achievement(
        coordinator, org, pathway=ai_pathway, competences=[(competence.pk, level.pk)]
    )


def complete(learner: User, modules: dict[str, Module], *codes: str) -> None:
    for code in codes:
        pathway_actions.record_completion(learner=learner, module=modules[code])


@pytest.fixture
def make_learners(org: Organisation) -> Callable[[int], list[User]]:
    def make(n: int, prefix: str = "apprenant") -> list[User]:
        return [
            make_person(org, Role.LEARNER, f"{prefix}{i}@exemple.test", f"Prénom{i}", f"Nom{i}")
            for i in range(n)
        ]

    return make
