"""Behaviour of sign/verify on hostile or unusual input."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parcours.credentials.core import did_key_verification_method, sign, verify
from parcours.credentials.core.proof import format_created

KEY = Ed25519PrivateKey.generate()
METHOD = did_key_verification_method(KEY.public_key())
KEYS = {METHOD: KEY.public_key()}.get

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:2d3c4b5a-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://parcours.example/issuers/1", "type": ["Profile"], "name": "Org"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Badge",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://parcours.example/achievements/1",
            "type": ["Achievement"],
            "name": "Badge",
            "description": "A badge.",
            "criteria": {"narrative": "Do the thing."},
        },
    },
}
SIGNED = sign(CREDENTIAL, KEY, METHOD, datetime(2025, 1, 1, 12, 0, tzinfo=UTC))


def test_round_trip_and_proof_shape() -> None:
    assert verify(SIGNED, KEYS).valid
    proof = SIGNED["proof"]
    assert proof["created"] == "2025-01-01T12:00:00Z"
    assert proof["proofValue"].startswith("z")
    assert list(proof) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]


def test_single_element_proof_set_is_accepted() -> None:
    doc = copy.deepcopy(SIGNED)
    doc["proof"] = [doc["proof"]]
    assert verify(doc, KEYS).valid


def test_format_created() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_created(datetime(2025, 1, 1, 13, 0, 0, 999, tzinfo=paris)) == (
        "2025-01-01T12:00:00Z"
    )
    assert format_created("2025-01-01T12:00:00.5+01:00") == "2025-01-01T12:00:00.5+01:00"
    with pytest.raises(ValueError):
        format_created(datetime(2025, 1, 1))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError):
        format_created("yesterday")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"document": {**CREDENTIAL, "proof": {}}},
        {"document": {k: v for k, v in CREDENTIAL.items() if k != "@context"}},
        {"verification_method": "not-a-url"},
        {"private_key": "secret"},
    ],
)
def test_sign_rejects_bad_arguments(kwargs: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {
        "document": CREDENTIAL,
        "private_key": KEY,
        "verification_method": METHOD,
        "created": "2025-01-01T00:00:00Z",
    } | kwargs
    with pytest.raises(ValueError):
        sign(**arguments)


def _with_proof(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SIGNED)
    for key, value in changes.items():
        if value is None:
            del doc["proof"][key]
        else:
            doc["proof"][key] = value
    return doc


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({k: v for k, v in SIGNED.items() if k != "proof"}, "no_proof"),
        ({**SIGNED, "proof": []}, "no_proof"),
        ({**SIGNED, "proof": [SIGNED["proof"], SIGNED["proof"]]}, "malformed"),
        ({**SIGNED, "proof": "z123"}, "malformed"),
        (_with_proof(cryptosuite="eddsa-jcs-2022"), "wrong_cryptosuite"),
        (_with_proof(cryptosuite="ecdsa-rdfc-2019"), "wrong_cryptosuite"),
        (_with_proof(type="Ed25519Signature2020"), "wrong_cryptosuite"),
        (_with_proof(proofPurpose="authentication"), "wrong_purpose"),
        (_with_proof(verificationMethod=None), "malformed"),
        (_with_proof(verificationMethod=42), "malformed"),
        (_with_proof(proofValue=None), "malformed"),
        (_with_proof(proofValue="u" + "A" * 86), "malformed"),  # base64url multibase
        (_with_proof(proofValue="z0OIl"), "malformed"),  # not base58
        (_with_proof(proofValue="z" + "1" * 10), "malformed"),  # wrong length
        (_with_proof(created="yesterday"), "malformed"),
        (_with_proof(verificationMethod="did:key:z6MkUnknown#z6MkUnknown"), "unknown_key"),
        (_with_proof(**{"@context": ["https://example.org/other"]}), "malformed"),
        ({**SIGNED, "@context": 42}, "malformed"),
        ({**SIGNED, "@context": [{"@version": "bogus"}]}, "malformed"),
        ({**SIGNED, "@context": "https://example.org/nope"}, "malformed"),
        ({**SIGNED, "id": "relative/id"}, "malformed"),
        ({**SIGNED, "validFrom": {"@value": 1, "@unknown": 2}}, "malformed"),
        ({**SIGNED, "credentialSubject": [[[[[[[[]]]]]]]]}, "bad_signature"),
    ],
)
def test_verify_never_raises(document: dict[str, Any], reason: str) -> None:
    result = verify(document, KEYS)
    assert not result.valid
    assert result.reason == reason, result


@pytest.mark.parametrize("document", [None, [], "credential", 42, b"{}"])
def test_verify_non_objects(document: Any) -> None:
    assert verify(document, KEYS).reason == "malformed"


def test_verify_deeply_nested_document() -> None:
    nested: dict[str, Any] = {"name": "x"}
    for _ in range(5000):
        nested = {"type": ["Achievement"], "name": "x", "description": nested}
    doc = copy.deepcopy(SIGNED)
    doc["credentialSubject"]["achievement"] = nested
    assert verify(doc, KEYS).reason in {"malformed", "bad_signature"}
