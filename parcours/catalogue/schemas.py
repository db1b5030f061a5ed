"""API schemas of the catalogue (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from parcours.catalogue.models import Module


class FrameworkOut(Schema):
    id: int
    slug: str
    name: str
    version: str
    publisher: str
    source_url: str
    licence: str
    attribution: str


class LevelOut(Schema):
    id: int
    code: str
    order: int
    name_fr: str
    name_en: str


class CompetenceOut(Schema):
    id: int
    code: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str


class AreaOut(Schema):
    id: int
    code: str
    title_fr: str
    title_en: str
    competences: list[CompetenceOut]


class FrameworkDetailOut(FrameworkOut):
    description_fr: str
    description_en: str
    levels: list[LevelOut]
    areas: list[AreaOut]


class OrganisationRef(Schema):
    id: int
    slug: str
    name: str


class CompetenceRef(Schema):
    id: int
    code: str
    title_fr: str
    title_en: str
    framework: str  # slug


class LevelRef(Schema):
    id: int
    code: str
    name_fr: str
    name_en: str


class TargetedCompetenceOut(Schema):
    competence: CompetenceRef
    level: LevelRef | None


class ModuleOut(Schema):
    id: int
    code: str
    organisation: OrganisationRef
    status: str
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    objectives_fr: str
    objectives_en: str
    description_fr: str
    description_en: str
    prerequisites_fr: str
    prerequisites_en: str
    duration_hours: float
    format: str
    audience: str
    language: str
    completion_mode: Module.CompletionMode = Field(
        description="Comment le module est réussi : attendance (présences), assessment (projet "
        "évalué) ou both (les deux)."
    )
    published_at: datetime | None
    url: str
    competences: list[TargetedCompetenceOut]


class ModuleListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ModuleOut]
