"""What a portfolio holds, read from the apps that own it: badges (credentials), attestations
(documents), passed projects (assessments), and the competences their completed modules
targeted, grouped by framework (catalogue). A bounded number of queries per portfolio."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parcours.accounts.models import User
from parcours.assessments.models import Submission, SubmissionStatus
from parcours.catalogue.models import ModuleCompetence
from parcours.credentials.models import IssuedCredential
from parcours.credentials.states import CredentialStatus
from parcours.documents.models import Attestation
from parcours.pathways.models import Completion
from parcours.portfolio.models import ItemKind, PublicItem


@dataclass
class CompetenceLine:
    code: str
    title: str
    level: str
    level_order: int
    modules: list[str] = field(default_factory=list)


@dataclass
class FrameworkGroup:
    slug: str
    name: str
    competences: list[CompetenceLine]
    public: bool = False


@dataclass
class Portfolio:
    person: User
    badges: list[tuple[IssuedCredential, bool]]
    attestations: list[tuple[Attestation, bool]]
    projects: list[tuple[Submission, bool]]
    frameworks: list[FrameworkGroup]

    @property
    def is_empty(self) -> bool:
        return not (self.badges or self.attestations or self.projects or self.frameworks)


def _badges(person: User) -> list[IssuedCredential]:
    return list(
        IssuedCredential.objects.of_learner(person.pk)
        .filter(status=CredentialStatus.ISSUED)
        .select_related("achievement", "organisation")
        .order_by("-issued_at")
    )


def _attestations(person: User) -> list[Attestation]:
    return list(
        Attestation.objects.filter(learner=person, revoked_at__isnull=True).order_by("-issued_at")
    )


def _projects(person: User) -> list[Submission]:
    return list(
        Submission.objects.filter(learner=person, status=SubmissionStatus.PASSED)
        .select_related("module__organisation")
        .order_by("-reviewed_at")
    )


def _frameworks(person: User) -> list[FrameworkGroup]:
    links = (
        ModuleCompetence.objects.filter(
            module_id__in=Completion.objects.filter(learner=person).values("module_id")
        )
        .select_related("competence__framework", "level", "module")
        .order_by("competence__framework__name", "competence__area__order", "competence__order")
    )
    groups: dict[str, FrameworkGroup] = {}
    lines: dict[tuple[str, int], CompetenceLine] = {}
    for link in links:
        framework = link.competence.framework
        group = groups.setdefault(
            framework.slug, FrameworkGroup(slug=framework.slug, name=framework.name, competences=[])
        )
        key = (framework.slug, link.competence_id)
        order = link.level.order if link.level else 0
        level = (link.level.name or link.level.code) if link.level else ""
        line = lines.get(key)
        if line is None:
            line = CompetenceLine(
                code=link.competence.code,
                title=link.competence.title,
                level=level,
                level_order=order,
            )
            lines[key] = line
            group.competences.append(line)
        elif order > line.level_order:
            line.level, line.level_order = level, order
        if link.module.code not in line.modules:
            line.modules.append(link.module.code)
    return list(groups.values())


def refs(person: User, kind: str) -> set[str]:
    """The references of the person's own items of this kind (what ``set_public`` accepts)."""
    if kind == ItemKind.BADGE:
        return {str(c.uuid) for c in _badges(person)}
    if kind == ItemKind.ATTESTATION:
        return {a.code for a in _attestations(person)}
    if kind == ItemKind.PROJECT:
        return {str(s.uuid) for s in _projects(person)}
    if kind == ItemKind.FRAMEWORK:
        return {g.slug for g in _frameworks(person)}
    return set()


def build(person: User, *, public_only: bool = False) -> Portfolio:
    """The person's portfolio; ``public_only``: only the items they chose to show."""
    chosen: set[tuple[str, str]] = set(
        PublicItem.objects.filter(person=person).values_list("kind", "ref")
    )

    def keep(kind: str, ref: str) -> bool:
        return not public_only or (kind, ref) in chosen

    badges = [(c, (ItemKind.BADGE, str(c.uuid)) in chosen) for c in _badges(person)]
    attestations = [(a, (ItemKind.ATTESTATION, a.code) in chosen) for a in _attestations(person)]
    projects = [(s, (ItemKind.PROJECT, str(s.uuid)) in chosen) for s in _projects(person)]
    frameworks = _frameworks(person)
    for group in frameworks:
        group.public = (ItemKind.FRAMEWORK, group.slug) in chosen
    return Portfolio(
        person=person,
        badges=[(c, p) for c, p in badges if keep(ItemKind.BADGE, str(c.uuid))],
        attestations=[(a, p) for a, p in attestations if keep(ItemKind.ATTESTATION, a.code)],
        projects=[(s, p) for s, p in projects if keep(ItemKind.PROJECT, str(s.uuid))],
        frameworks=[g for g in frameworks if keep(ItemKind.FRAMEWORK, g.slug)],
    )


def as_json(portfolio: Portfolio) -> dict[str, Any]:
    """Plain data (the API and the data export)."""
    return {
        "badges": [
            {
                "uuid": str(c.uuid),
                "name": c.achievement.name,
                "issuer": c.organisation.name,
                "issued_at": c.issued_at.isoformat(),
                "public": public,
            }
            for c, public in portfolio.badges
        ],
        "attestations": [
            {
                "code": a.code,
                "module": a.module_title,
                "organisation": a.organisation_name,
                "starts_on": a.starts_on.isoformat(),
                "ends_on": a.ends_on.isoformat(),
                "hours": str(a.hours_attended),
                "public": public,
            }
            for a, public in portfolio.attestations
        ],
        "projects": [
            {
                "uuid": str(s.uuid),
                "module": f"{s.module.code} — {s.module.title}",
                "reviewed_at": s.reviewed_at.isoformat() if s.reviewed_at else None,
                "public": public,
            }
            for s, public in portfolio.projects
        ],
        "frameworks": [
            {
                "slug": g.slug,
                "name": g.name,
                "public": g.public,
                "competences": [
                    {"code": c.code, "title": c.title, "level": c.level, "modules": c.modules}
                    for c in g.competences
                ],
            }
            for g in portfolio.frameworks
        ],
    }
