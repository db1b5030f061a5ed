"""Pure-Python core for W3C Verifiable Credentials 2.0 / Open Badges 3.0 Data Integrity proofs.

Signs and verifies credentials with an embedded ``DataIntegrityProof`` using the
``eddsa-rdfc-2022`` cryptosuite (W3C "Data Integrity EdDSA Cryptosuites v1.0"), fully
offline: JSON-LD contexts are bundled under ``contexts/`` and nothing else is ever loaded.
This package imports nothing from Django.
"""

from __future__ import annotations

from parcours.credentials.core.canonical import canonicalize
from parcours.credentials.core.contexts import ContextLoader, default_loader
from parcours.credentials.core.errors import (
    CanonicalizationError,
    CredentialCoreError,
    UnknownContextError,
)
from parcours.credentials.core.multikey import (
    MultikeyError,
    decode_public_key,
    decode_secret_key,
    did_key_verification_method,
    encode_public_key,
    encode_secret_key,
)
from parcours.credentials.core.proof import (
    CRYPTOSUITE,
    PROOF_TYPE,
    Reason,
    VerificationResult,
    sign,
    verify,
)

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "CanonicalizationError",
    "ContextLoader",
    "CredentialCoreError",
    "MultikeyError",
    "Reason",
    "UnknownContextError",
    "VerificationResult",
    "canonicalize",
    "decode_public_key",
    "decode_secret_key",
    "default_loader",
    "did_key_verification_method",
    "encode_public_key",
    "encode_secret_key",
    "sign",
    "verify",
]
