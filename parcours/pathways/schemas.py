from __future__ import annotations

from typing import Any

from ninja import Schema


class PathwayModuleOut(Schema):
    id: int
    code: str
    title: str
    duration_hours: float
    organisation: str


class PathwayOut(Schema):
    id: int
    code: str
    organisation: str
    title: str
    title_fr: str
    title_en: str
    summary: str
    status: str
    rule: dict[str, Any]
    rule_text: str
    requirements: list[str]
    modules: list[PathwayModuleOut]


class EvaluationOut(Schema):
    pathway_id: int
    learner_id: int
    satisfied: bool
    met: int
    total: int
    progress: float
    missing: list[str]
    completed_modules: list[str]
