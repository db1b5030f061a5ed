"""W3C eddsa-rdfc-2022 test vectors reproduced byte for byte, and OB 3.0 round trips."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from parcours.credentials.core import (
    CanonicalizationError,
    UnknownContextError,
    canonicalize,
    decode_public_key,
    decode_secret_key,
    default_loader,
    did_key_verification_method,
    encode_public_key,
    encode_secret_key,
    sign,
    verify,
)
from parcours.credentials.core.contexts import examples_loader
from parcours.credentials.core.multikey import b58decode, b58encode, multibase_decode
from parcours.credentials.core.proof import signing_input

VECTORS = Path(__file__).parent / "vectors"
EDDSA = VECTORS / "eddsa-rdfc-2022"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


KEYPAIR = load(VECTORS / "keypair.json")
HASHES = load(EDDSA / "hashes.json")
UNSIGNED = load(EDDSA / "unsigned-credential.json")
PROOF_OPTIONS = load(EDDSA / "proof-options.json")
SIGNED = load(EDDSA / "signed-credential.json")
SIGNED_HTTPS_VM = load(EDDSA / "signed-credential-https-vm.json")
OB3_SAMPLE = load(VECTORS / "ob3-sample-openbadgecredential.json")
OB3_TYPICAL = load(VECTORS / "ob3-typical-credential.json")

SECRET_KEY = decode_secret_key(KEYPAIR["secretKeyMultibase"])
PUBLIC_KEY = decode_public_key(KEYPAIR["publicKeyMultibase"])
VECTOR_VM = PROOF_OPTIONS["verificationMethod"]
HTTPS_VM = SIGNED_HTTPS_VM["proof"]["verificationMethod"]


def resolver(*known: tuple[str, Ed25519PublicKey]) -> Callable[[str], Ed25519PublicKey | None]:
    return dict(known).get


VECTOR_KEYS = resolver((VECTOR_VM, PUBLIC_KEY), (HTTPS_VM, PUBLIC_KEY))


# --- Multikey --------------------------------------------------------------------------


def test_keypair_is_the_published_multikey_pair() -> None:
    assert encode_public_key(SECRET_KEY.public_key()) == KEYPAIR["publicKeyMultibase"]
    assert encode_secret_key(SECRET_KEY) == KEYPAIR["secretKeyMultibase"]
    assert multibase_decode(KEYPAIR["publicKeyMultibase"])[:2] == b"\xed\x01"
    assert multibase_decode(KEYPAIR["secretKeyMultibase"])[:2] == b"\x80\x26"
    assert did_key_verification_method(PUBLIC_KEY) == VECTOR_VM


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(256))])
def test_base58btc_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


def test_base58btc_known_value() -> None:
    # Bitcoin base58 reference: "Hello World!" → 2NEpo7TZRRrLZSi2U
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


# --- eddsa-rdfc-2022, Appendix B.1 ----------------------------------------------------


def test_canonical_document_matches_spec() -> None:
    expected = (EDDSA / "canonical-document.nq").read_text(encoding="utf-8")
    assert hashlib.sha256(expected.encode()).hexdigest() == HASHES["documentHash"]
    assert canonicalize(UNSIGNED, loader=examples_loader()) == expected


def test_canonical_proof_config_matches_spec() -> None:
    expected = (EDDSA / "canonical-proof-config.nq").read_text(encoding="utf-8")
    data = signing_input(UNSIGNED, PROOF_OPTIONS, loader=examples_loader())
    assert data.canonical_proof_config == expected
    assert data.proof_config_hash.hex() == HASHES["proofConfigHash"]
    assert data.document_hash.hex() == HASHES["documentHash"]
    assert data.hash_data.hex() == HASHES["hashData"]


def test_sign_reproduces_spec_signature_byte_for_byte() -> None:
    signed = sign(
        UNSIGNED,
        SECRET_KEY,
        VECTOR_VM,
        PROOF_OPTIONS["created"],
        loader=examples_loader(),
    )
    assert signed["proof"]["proofValue"] == HASHES["proofValue"]
    assert multibase_decode(signed["proof"]["proofValue"]).hex() == HASHES["signatureHex"]
    assert signed == SIGNED
    assert "proof" not in UNSIGNED  # input untouched


def test_verify_spec_signed_credential() -> None:
    result = verify(SIGNED, VECTOR_KEYS, loader=examples_loader())
    assert result.valid, result
    assert result.reason == "ok"
    assert result.verification_method == VECTOR_VM


def test_repository_vector_with_https_verification_method() -> None:
    expected = (EDDSA / "canonical-proof-config-https-vm.nq").read_text(encoding="utf-8")
    data = signing_input(SIGNED_HTTPS_VM, SIGNED_HTTPS_VM["proof"], loader=examples_loader())
    assert data.canonical_proof_config == expected
    assert verify(SIGNED_HTTPS_VM, VECTOR_KEYS, loader=examples_loader()).valid
    resigned = sign(
        UNSIGNED, SECRET_KEY, HTTPS_VM, "2023-02-24T23:36:38Z", loader=examples_loader()
    )
    assert resigned["proof"] == SIGNED_HTTPS_VM["proof"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "alumniOf"), "The School of Forgeries"),
        (("validFrom",), "2023-01-02T00:00:00Z"),
        (("issuer",), "https://vc.example/issuers/9999"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "proofPurpose"), "authentication"),
    ],
)
def test_tampered_field_fails_with_bad_signature(path: tuple[str, ...], value: str) -> None:
    tampered = copy.deepcopy(SIGNED)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = verify(tampered, VECTOR_KEYS, expected_proof_purpose=None, loader=examples_loader())
    assert not result.valid
    assert result.reason == "bad_signature"


def test_added_statement_fails_with_bad_signature() -> None:
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["degree"] = "Master"
    result = verify(tampered, VECTOR_KEYS, loader=examples_loader())
    assert result.reason == "bad_signature"


def test_wrong_key_fails() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    result = verify(SIGNED, resolver((VECTOR_VM, other)), loader=examples_loader())
    assert (result.valid, result.reason) == (False, "bad_signature")
    result = verify(SIGNED, resolver(), loader=examples_loader())
    assert (result.valid, result.reason) == (False, "unknown_key")


def test_unknown_context_fails_cleanly_without_network() -> None:
    # conftest.py makes any socket use fail the test
    doc = copy.deepcopy(SIGNED)
    doc["@context"] = [*doc["@context"], "https://example.org/not-bundled/v1"]
    result = verify(doc, VECTOR_KEYS, loader=examples_loader())
    assert (result.valid, result.reason) == (False, "malformed")
    assert "https://example.org/not-bundled/v1" in result.detail
    with pytest.raises(UnknownContextError) as raised:
        sign(
            {k: v for k, v in doc.items() if k != "proof"},
            SECRET_KEY,
            VECTOR_VM,
            "2023-02-24T23:36:38Z",
            loader=examples_loader(),
        )
    assert raised.value.url == "https://example.org/not-bundled/v1"


def test_examples_context_is_not_served_by_default() -> None:
    result = verify(SIGNED, VECTOR_KEYS)
    assert (result.valid, result.reason) == (False, "malformed")
    assert "examples/v2" in result.detail


# --- Open Badges 3.0 -------------------------------------------------------------------


@pytest.mark.parametrize("credential", [OB3_SAMPLE, OB3_TYPICAL], ids=["1edtech-sample", "typical"])
def test_open_badge_credential_round_trip(credential: dict[str, Any]) -> None:
    key = Ed25519PrivateKey.generate()
    method = did_key_verification_method(key.public_key())
    keys = resolver((method, key.public_key()))
    signed = sign(credential, key, method, "2025-03-14T09:30:00Z")
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verify(signed, keys).valid
    assert verify(json.loads(json.dumps(signed)), keys).valid  # survives serialisation

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert verify(tampered, keys).reason == "bad_signature"


def test_open_badge_undefined_term_is_refused() -> None:
    doc = copy.deepcopy(OB3_SAMPLE)
    doc["credentialSubject"]["favouriteColour"] = "blue"  # defined by no context
    with pytest.raises(CanonicalizationError, match="favouriteColour"):
        sign(doc, SECRET_KEY, VECTOR_VM, "2025-03-14T09:30:00Z")

    # …and an undefined term slipped into a signed credential makes it malformed, since
    # the signature could not cover it.
    signed = sign(OB3_SAMPLE, SECRET_KEY, VECTOR_VM, "2025-03-14T09:30:00Z")
    signed["credentialSubject"]["favouriteColour"] = "blue"
    result = verify(signed, VECTOR_KEYS)
    assert (result.valid, result.reason) == (False, "malformed")


def test_open_badge_relative_type_is_refused() -> None:
    doc = copy.deepcopy(OB3_SAMPLE)
    doc["credentialSchema"] = [{"id": "https://example.com/schema.json", "type": "NotDefined"}]
    with pytest.raises(CanonicalizationError, match="NotDefined"):
        canonicalize(doc)


def test_typical_open_badge_canonical_form() -> None:
    nquads = canonicalize(OB3_TYPICAL).splitlines()
    assert len(nquads) == 44
    assert all(line.endswith(" .") for line in nquads)


# --- The optimised canonicaliser against PyLD's public API ---------------------------


@pytest.mark.parametrize(
    ("document", "loader_name"),
    [
        (UNSIGNED, "examples"),
        ({**PROOF_OPTIONS, "@context": UNSIGNED["@context"]}, "examples"),
        (OB3_SAMPLE, "default"),
        (OB3_TYPICAL, "default"),
        (SIGNED, "examples"),  # with its proof: a named graph
    ],
)
def test_canonicalize_equals_pyld_normalize(document: dict[str, Any], loader_name: str) -> None:
    loader = examples_loader() if loader_name == "examples" else default_loader()
    reference = jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
    )
    for _ in range(3):  # cached passes must give the same answer as the first
        assert canonicalize(document, loader=loader) == reference


@pytest.mark.parametrize(
    "ob_context",
    [
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    ],
)
def test_legacy_open_badge_with_vc_1_1_round_trip(ob_context: str) -> None:
    doc = {k: v for k, v in OB3_SAMPLE.items() if k != "validFrom"}
    doc["issuanceDate"] = "2010-01-01T00:00:00Z"
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        ob_context,
        "https://w3id.org/security/data-integrity/v1",
    ]
    signed = sign(doc, SECRET_KEY, VECTOR_VM, "2025-03-14T09:30:00Z")
    assert verify(signed, VECTOR_KEYS).valid
    # The 3.0.0/3.0.1 contexts clash with VC 2.0's protected terms: refused, not mangled.
    with pytest.raises(CanonicalizationError, match="protected term"):
        canonicalize({**OB3_SAMPLE, "@context": [UNSIGNED["@context"][0], ob_context]})
