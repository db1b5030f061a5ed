"""``DataIntegrityProof`` with the ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA
Cryptosuites v1.0, §3.3).

* transformation: RDFC-1.0 canonical N-Quads of the document without its ``proof``;
* proof configuration: the proof options (every proof property but ``proofValue``) with the
  document's ``@context``, canonicalised the same way;
* hashData: ``SHA-256(canonical proof configuration) || SHA-256(canonical document)``;
* proofValue: multibase base58btc (``z…``) of the 64-byte Ed25519 signature of hashData.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from parcours.credentials.core.canonical import canonicalize
from parcours.credentials.core.contexts import ContextLoader, default_loader
from parcours.credentials.core.errors import CanonicalizationError, UnknownContextError
from parcours.credentials.core.multikey import MultikeyError, multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_SIGNATURE_LENGTH = 64

# XML Schema 1.1 dateTime (the lexical space the Data Integrity spec requires for created).
_XSD_DATETIME = re.compile(
    r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$"
)

KeyResolver = Callable[[str], Ed25519PublicKey | None]


class Reason(StrEnum):
    """``VerificationResult.reason`` codes (plain ``str`` values)."""

    OK = "ok"
    NO_PROOF = "no_proof"
    MALFORMED = "malformed"
    WRONG_CRYPTOSUITE = "wrong_cryptosuite"
    WRONG_PURPOSE = "wrong_purpose"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    valid: bool
    reason: str
    detail: str = ""
    verification_method: str | None = None

    def __bool__(self) -> bool:
        return self.valid


@dataclass(frozen=True, slots=True)
class SigningInput:
    """Intermediate values of the algorithm (exposed for test vectors and debugging)."""

    canonical_document: str
    canonical_proof_config: str

    @property
    def proof_config_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def hash_data(self) -> bytes:
        return self.proof_config_hash + self.document_hash


def format_created(created: datetime | str) -> str:
    """``created`` as an XML Schema dateTime; datetimes must be timezone-aware and are
    written in UTC to the second (``2025-03-14T09:30:00Z``)."""
    if isinstance(created, datetime):
        if created.tzinfo is None or created.utcoffset() is None:
            raise ValueError("created must be a timezone-aware datetime")
        return created.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(created, str) and _XSD_DATETIME.match(created):
        return created
    raise ValueError(f"created {created!r} is not an XML Schema dateTime")


@lru_cache(maxsize=1024)
def _canonical_config(config_json: str, loader: ContextLoader) -> str:
    # The proof configuration of every credential an issuer signs within the same second
    # is identical: canonicalise it once.
    return canonicalize(json.loads(config_json), loader=loader)


def signing_input(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    loader: ContextLoader | None = None,
) -> SigningInput:
    """Canonical document (without ``proof``) and canonical proof configuration.

    ``proof_options`` is the proof without ``proofValue``; its ``@context``, if any, is
    replaced by the document's (as the spec's proof configuration algorithm does).
    """
    loader = loader or default_loader()
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = unsecured.get("@context")
    try:
        config_json = json.dumps(config, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise CanonicalizationError(f"proof options are not JSON: {error}") from error
    return SigningInput(
        canonical_document=canonicalize(unsecured, loader=loader),
        canonical_proof_config=_canonical_config(config_json, loader),
    )


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    *,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """Return a deep copy of ``document`` with an ``eddsa-rdfc-2022`` ``proof`` added.

    Raises ``ValueError`` for bad arguments and
    :class:`~parcours.credentials.core.errors.CanonicalizationError` (notably
    :class:`~parcours.credentials.core.errors.UnknownContextError`) when the document
    cannot be canonicalised safely — e.g. it uses a term that no context defines.
    """
    proof = sign_proof(
        document, private_key, verification_method, created, proof_purpose, loader=loader
    )
    secured = copy.deepcopy(dict(document))
    secured["proof"] = proof
    return secured


def sign_proof(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    *,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """The ``proof`` :func:`sign` adds to ``document`` (``document`` is not copied: for
    callers that serialise ``{**document, "proof": proof}`` at once)."""
    if not isinstance(document, Mapping):
        raise ValueError("document must be a JSON object")
    if "proof" in document:
        raise ValueError("document already has a proof (proof sets are not supported)")
    if "@context" not in document:
        raise ValueError("document has no @context")
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError("private_key must be an Ed25519PrivateKey")
    if not isinstance(verification_method, str) or ":" not in verification_method:
        raise ValueError("verification_method must be an absolute URL")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise ValueError("proof_purpose must be a non-empty string")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = signing_input(document, proof, loader=loader)
    proof["proofValue"] = multibase_encode(private_key.sign(data.hash_data))
    return proof


def _fail(
    reason: Reason, detail: str, verification_method: str | None = None
) -> VerificationResult:
    return VerificationResult(False, reason.value, detail, verification_method)


def verify(
    document: Any,
    resolve_key: KeyResolver,
    *,
    expected_proof_purpose: str | None = "assertionMethod",
    loader: ContextLoader | None = None,
) -> VerificationResult:
    """Verify the ``eddsa-rdfc-2022`` proof embedded in ``document``.

    ``resolve_key(verificationMethod)`` returns the issuer's Ed25519 public key, or
    ``None`` if the verification method is unknown / not trusted. Whatever the input,
    this returns a :class:`VerificationResult` and does not raise (exceptions raised by
    ``resolve_key`` itself are not input errors and do propagate).

    Only the cryptographic proof is checked: ``validFrom``/``validUntil``, status,
    proof ``expires`` and whether the key belongs to the ``issuer`` are the caller's.
    """
    if not isinstance(document, Mapping):
        return _fail(Reason.MALFORMED, "document is not a JSON object")
    proof = document.get("proof")
    if isinstance(proof, list):
        if not proof:
            return _fail(Reason.NO_PROOF, "empty proof set")
        if len(proof) > 1:
            return _fail(Reason.MALFORMED, "proof sets with several proofs are not supported")
        proof = proof[0]
    if proof is None:
        return _fail(Reason.NO_PROOF, "document has no proof")
    if not isinstance(proof, Mapping):
        return _fail(Reason.MALFORMED, "proof is not a JSON object")

    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return _fail(
            Reason.WRONG_CRYPTOSUITE,
            f"unsupported proof {proof.get('type')!r}/{proof.get('cryptosuite')!r}",
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        return _fail(Reason.MALFORMED, "proof has no verificationMethod")
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str) or not purpose:
        return _fail(Reason.MALFORMED, "proof has no proofPurpose", method)
    if expected_proof_purpose is not None and purpose != expected_proof_purpose:
        return _fail(
            Reason.WRONG_PURPOSE, f"proofPurpose {purpose!r} is not {expected_proof_purpose!r}"
        )
    created = proof.get("created")
    if created is not None and not (isinstance(created, str) and _XSD_DATETIME.match(created)):
        return _fail(Reason.MALFORMED, "proof created is not an XML Schema dateTime", method)
    try:
        signature = multibase_decode(proof.get("proofValue"))  # type: ignore[arg-type]
    except MultikeyError as error:
        return _fail(Reason.MALFORMED, f"proofValue: {error}", method)
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        return _fail(Reason.MALFORMED, "proofValue is not a 64-byte Ed25519 signature", method)

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    if "@context" not in unsecured:
        return _fail(Reason.MALFORMED, "document has no @context", method)
    if "@context" in proof:
        # Spec: the document's @context must start with the proof's, in the same order.
        proof_ctx = proof["@context"]
        proof_ctx = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
        doc_ctx = unsecured["@context"]
        doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_ctx[: len(proof_ctx)] != proof_ctx:
            return _fail(Reason.MALFORMED, "proof @context does not prefix document's", method)
        unsecured["@context"] = proof["@context"]

    public_key = resolve_key(method)
    if not isinstance(public_key, Ed25519PublicKey):
        return _fail(Reason.UNKNOWN_KEY, f"no Ed25519 key for {method!r}", method)

    try:
        data = signing_input(unsecured, proof, loader=loader)
    except UnknownContextError as error:
        return _fail(Reason.MALFORMED, str(error), method)
    except CanonicalizationError as error:
        return _fail(Reason.MALFORMED, f"cannot canonicalise: {error}", method)
    except Exception as error:  # never raise on hostile input
        return _fail(Reason.MALFORMED, f"cannot canonicalise: {error!r}", method)

    try:
        public_key.verify(signature, data.hash_data)
    except InvalidSignature:
        return _fail(Reason.BAD_SIGNATURE, "signature does not match", method)
    return VerificationResult(True, Reason.OK.value, "", method)
