"""The JSON documents the platform issues and serves: OB 3.0 credentials, issuer DID and
controller documents, status list credentials, and the Open Badges 2.0 hosted documents.

Builders take plain values (no queries inside the per-credential function), so a batch builds
the issuer and achievement parts once and only the learner's part per credential.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from parcours.credentials import conf
from parcours.credentials.core import statuslist
from parcours.credentials.core.contexts import CREDENTIALS_V2, MULTIKEY_V1, OB_V3P0
from parcours.credentials.core.proof import format_created
from parcours.credentials.models import (
    Achievement,
    IssuedCredential,
    IssuerProfile,
    SigningKey,
    StatusList,
)
from parcours.lib.urls import absolute_url, site_url

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"
CREDENTIAL_CONTEXTS = [CREDENTIALS_V2, OB_V3P0]
JSON_MEDIA_TYPE = "application/json"
LD_MEDIA_TYPE = "application/ld+json"


def dumps(document: Mapping[str, Any]) -> str:
    """The one serialisation of issued documents (UTF-8 JSON, readable)."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def xsd(moment: datetime) -> str:
    return format_created(moment)


def identity_hash(email: str, salt: str) -> str:
    """OB ``identityHash`` of an e-mail address: ``sha256$`` + hex(SHA-256(email + salt))."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def email_matches(email: str, identity: str, salt: str) -> bool:
    return identity_hash(email, salt) == identity


# --- URLs -------------------------------------------------------------------------------


def issuer_did(slug: str) -> str:
    return f"did:web:{conf.did_host()}:badges:issuers:{slug}"


def issuer_url(slug: str) -> str:
    return absolute_url(reverse("credentials:issuer_profile", args=[slug]))


def status_list_url(slug: str, number: int) -> str:
    return absolute_url(reverse("credentials:status_list", args=[slug, number]))


def achievement_url(achievement: Achievement) -> str:
    return absolute_url(reverse("credentials:achievement_json", args=[achievement.uuid]))


def achievement_image_url(achievement: Achievement) -> str:
    if achievement.image:
        return absolute_url(achievement.image.url)
    return absolute_url(reverse("credentials:achievement_image", args=[achievement.uuid]))


def verify_url(credential_uuid: Any) -> str:
    return absolute_url(reverse("credentials:verify_stored", args=[credential_uuid]))


def ob2_assertion_url(credential_uuid: Any) -> str:
    return absolute_url(reverse("credentials:ob2_assertion", args=[credential_uuid]))


def ob2_badge_url(achievement: Achievement) -> str:
    return absolute_url(reverse("credentials:ob2_badgeclass", args=[achievement.uuid]))


def ob2_issuer_url(slug: str) -> str:
    return absolute_url(reverse("credentials:ob2_issuer", args=[slug]))


# --- OB 3.0 credential ------------------------------------------------------------------


def issuer_json(profile: IssuerProfile) -> dict[str, Any]:
    issuer: dict[str, Any] = {"id": profile.did, "type": ["Profile"], "name": profile.name}
    if profile.url:
        issuer["url"] = profile.url
    if profile.email:
        issuer["email"] = profile.email
    if profile.logo:
        issuer["image"] = {"id": absolute_url(profile.logo.url), "type": "Image"}
    return issuer


def alignment_json(achievement: Achievement) -> list[dict[str, Any]]:
    links = achievement.competence_links.select_related("competence__framework", "level").order_by(
        "competence__framework__name", "competence__code"
    )
    alignments = []
    for link in links:
        competence = link.competence
        framework = competence.framework
        base = framework.source_url or site_url()
        item: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": f"{competence.code} {competence.title_fr or competence.title}".strip(),
            "targetUrl": f"{base}#{competence.code}",
            "targetCode": competence.code,
            "targetFramework": framework.name,
            "targetType": "ceasn:Competency",
        }
        if link.level is not None:
            item["targetDescription"] = f"Niveau {link.level}"
        alignments.append(item)
    return alignments


@dataclass(frozen=True)
class CredentialTemplate:
    """What every credential of one achievement shares, built once."""

    name: str
    description: str
    issuer: dict[str, Any]
    achievement: dict[str, Any]
    expiry_days: int | None


def credential_template(achievement: Achievement, profile: IssuerProfile) -> CredentialTemplate:
    body: dict[str, Any] = {
        "id": achievement_url(achievement),
        "type": ["Achievement"],
        "achievementType": achievement.kind,
        "name": achievement.name_fr,
        "description": achievement.description_fr,
        "criteria": {"narrative": achievement.criteria_fr},
        "image": {
            "id": achievement_image_url(achievement),
            "type": "Image",
            "caption": achievement.name_fr,
        },
        "inLanguage": "fr",
    }
    alignments = alignment_json(achievement)
    if alignments:
        body["alignment"] = alignments
    return CredentialTemplate(
        name=achievement.name_fr,
        description=achievement.description_fr,
        issuer=issuer_json(profile),
        achievement=body,
        expiry_days=achievement.expiry_days,
    )


@dataclass(frozen=True)
class EvidenceItem:
    name: str
    description: str
    url: str = ""


def build_credential(
    template: CredentialTemplate,
    *,
    credential_uuid: Any,
    email: str,
    salt: str,
    valid_from: datetime,
    valid_until: datetime | None,
    evidence: Sequence[EvidenceItem],
    list_url: str,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one learner (OB 3.0 on VC Data Model 2.0)."""
    document: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": f"urn:uuid:{credential_uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": template.name,
        "description": template.description,
        "issuer": copy.deepcopy(template.issuer),
        "validFrom": xsd(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = xsd(valid_until)
    document["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ],
        "achievement": copy.deepcopy(template.achievement),
    }
    if evidence:
        items = []
        for item in evidence:
            entry: dict[str, Any] = {"type": ["Evidence"]}
            if item.url:
                entry["id"] = item.url
            entry["name"] = item.name
            entry["description"] = item.description
            entry["genre"] = "Module de formation"
            items.append(entry)
        document["evidence"] = items
    document["credentialStatus"] = {
        "id": f"{list_url}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status_index),
        "statusListCredential": list_url,
    }
    return document


# --- Issuer documents -------------------------------------------------------------------


def did_document(profile: IssuerProfile, keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The did:web document: every key (retired ones too) is an assertion method."""
    methods = [
        {
            "id": key.verification_method,
            "type": "Multikey",
            "controller": profile.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_V1],
        "id": profile.did,
        "alsoKnownAs": [issuer_url(profile.organisation.slug)],
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def https_method_id(profile: IssuerProfile, key: SigningKey) -> str:
    return f"{issuer_url(profile.organisation.slug)}#{key.fragment}"


def controller_document(profile: IssuerProfile, keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The issuer at an https URL: its OB 3.0 Profile and its keys as Multikey methods."""
    url = issuer_url(profile.organisation.slug)
    keys = list(keys)
    document: dict[str, Any] = {
        "@context": [CID_CONTEXT, CREDENTIALS_V2, OB_V3P0],
        "id": url,
        "type": ["Profile"],
        "name": profile.name,
        "alsoKnownAs": [profile.did],
    }
    if profile.description:
        document["description"] = profile.description
    if profile.url:
        document["url"] = profile.url
    if profile.email:
        document["email"] = profile.email
    if profile.logo:
        document["image"] = {"id": absolute_url(profile.logo.url), "type": "Image"}
    document["verificationMethod"] = [
        {
            "id": https_method_id(profile, key),
            "type": "Multikey",
            "controller": url,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    document["assertionMethod"] = [m["id"] for m in document["verificationMethod"]]
    return document


def achievement_document(achievement: Achievement, profile: IssuerProfile) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": achievement_url(achievement),
        "type": ["Achievement"],
        "achievementType": achievement.kind,
        "name": achievement.name_fr,
        "description": achievement.description_fr,
        "criteria": {"narrative": achievement.criteria_fr},
        "image": {"id": achievement_image_url(achievement), "type": "Image"},
        "creator": issuer_json(profile),
    }
    alignments = alignment_json(achievement)
    if alignments:
        body["alignment"] = alignments
    return body


def status_list_credential(
    profile: IssuerProfile, status: StatusList, revoked: Iterable[int], issued_at: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of one list."""
    url = status_list_url(profile.organisation.slug, status.number)
    bits = statuslist.bitstring_with(revoked, status.size)
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile.did,
        "validFrom": xsd(issued_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status.purpose,
            "encodedList": statuslist.encode(bits),
        },
    }


# --- Open Badges 2.0 hosted documents ---------------------------------------------------


def ob2_issuer(profile: IssuerProfile) -> dict[str, Any]:
    slug = profile.organisation.slug
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": ob2_issuer_url(slug),
        "name": profile.name,
        "url": profile.url or issuer_url(slug),
    }
    if profile.email:
        document["email"] = profile.email
    if profile.description:
        document["description"] = profile.description
    if profile.logo:
        document["image"] = absolute_url(profile.logo.url)
    return document


def ob2_badgeclass(achievement: Achievement, profile: IssuerProfile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": ob2_badge_url(achievement),
        "name": achievement.name_fr,
        "description": achievement.description_fr,
        "image": achievement_image_url(achievement),
        "criteria": {"id": achievement_url(achievement), "narrative": achievement.criteria_fr},
        "issuer": ob2_issuer_url(profile.organisation.slug),
    }
    alignments = [
        {
            "targetName": item["targetName"],
            "targetUrl": item["targetUrl"],
            "targetCode": item["targetCode"],
            "targetFramework": item["targetFramework"],
        }
        for item in alignment_json(achievement)
    ]
    if alignments:
        document["alignment"] = alignments
    return document


def ob2_assertion(credential: IssuedCredential) -> dict[str, Any]:
    """The hosted OB 2.0 Assertion of a credential (same recipient hash and salt)."""
    document = json.loads(credential.document)
    identifier = document["credentialSubject"]["identifier"][0]
    assertion: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": ob2_assertion_url(credential.uuid),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": identifier["salt"],
            "identity": identifier["identityHash"],
        },
        "badge": ob2_badge_url(credential.achievement),
        "issuedOn": xsd(credential.issued_at),
        "verification": {"type": "HostedBadge"},
    }
    if credential.valid_until is not None:
        assertion["expires"] = xsd(credential.valid_until)
    evidence = document.get("evidence") or []
    if evidence:
        assertion["evidence"] = [
            {"narrative": f"{item.get('name', '')} — {item.get('description', '')}"}
            for item in evidence
        ]
    if credential.is_revoked:
        # A public document: that it is revoked, never why (only the holder and the
        # issuer's coordinators read the reason).
        assertion["revoked"] = True
    return assertion


def now() -> datetime:
    return timezone.now()
