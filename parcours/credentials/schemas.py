"""Schemas of the credentials API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from parcours.lib.ids import MAX_ID


class IssueIn(Schema):
    achievement_id: int = Field(ge=1, le=MAX_ID)
    learner_id: int = Field(ge=1, le=MAX_ID)


class RevokeIn(Schema):
    reason: str


class CredentialOut(Schema):
    uuid: UUID
    id: str
    achievement_id: int
    achievement: str
    organisation: str
    learner_id: int
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    status: str
    revoked_at: datetime | None
    revocation_reason: str
    verify_url: str
    ob2_assertion_url: str


class CredentialDetailOut(CredentialOut):
    # The signed OpenBadgeCredential (the stored text parsed; download it byte for byte at
    # /badges/<uuid>/badge.json).
    document: dict[str, Any]


class IssueOut(CredentialOut):
    created: bool


class CheckOut(Schema):
    code: str
    ok: bool
    message: str


class VerificationOut(Schema):
    valid: bool
    verdict: str = Field(
        description="valid, revoked, expired, not_yet_valid, not_authentic (changed after "
        "signing, or a key that is not its issuer's), unverifiable (an issuer or a signature "
        "this platform cannot check: says nothing of authenticity), malformed, unreadable"
    )
    error: str
    signature_valid: bool
    signature_reason: str
    revoked: bool | None
    expired: bool
    not_yet_valid: bool
    issuer_id: str
    issuer_name: str
    achievement_name: str
    credential_id: str
    valid_from: datetime | None
    valid_until: datetime | None
    checks: list[CheckOut]
