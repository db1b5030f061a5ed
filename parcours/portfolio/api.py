"""Portfolio API: the caller's own portfolio as data (every item, with its public choice)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from parcours.accounts.api import token_auth
from parcours.portfolio import queries

router = Router(tags=["portfolio"])


class BadgeOut(Schema):
    uuid: str
    name: str
    issuer: str
    issued_at: str
    public: bool


class AttestationOut(Schema):
    code: str
    module: str
    organisation: str
    starts_on: str
    ends_on: str
    hours: str
    public: bool


class ProjectOut(Schema):
    uuid: str
    module: str
    reviewed_at: str | None
    public: bool


class CompetenceOut(Schema):
    code: str
    title: str
    level: str
    modules: list[str]


class FrameworkOut(Schema):
    slug: str
    name: str
    public: bool
    competences: list[CompetenceOut]


class PortfolioOut(Schema):
    badges: list[BadgeOut]
    attestations: list[AttestationOut]
    projects: list[ProjectOut]
    frameworks: list[FrameworkOut]


@router.get("/portfolio", response=PortfolioOut, auth=token_auth, summary="Mon portfolio")
def portfolio(request: HttpRequest) -> dict[str, Any]:
    return queries.as_json(queries.build(request.user))  # type: ignore[arg-type]
