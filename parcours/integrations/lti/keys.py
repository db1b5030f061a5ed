"""The organisation's tool key pair: RS256 (pylti1p3 signs with RSA), private half sealed."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from pylti1p3.registration import Registration

from parcours.accounts.models import Organisation
from parcours.integrations.models import LtiToolKey
from parcours.lib.sealed import seal, unseal

PURPOSE = "lti-tool-key"


def tool_key(organisation: Organisation) -> LtiToolKey:
    """The organisation's key pair, made on first use."""
    found = LtiToolKey.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    try:
        with transaction.atomic():
            return LtiToolKey.objects.create(
                organisation=organisation,
                kid=str(Registration.get_jwk(public_pem)["kid"]),
                private_key_sealed=seal(private_pem, purpose=PURPOSE),
                public_pem=public_pem,
            )
    except IntegrityError:  # made meanwhile by a concurrent request
        return LtiToolKey.objects.get(organisation=organisation)


def private_pem(key: LtiToolKey) -> str:
    return unseal(key.private_key_sealed, purpose=PURPOSE)


def public_jwk(key: LtiToolKey) -> dict[str, Any]:
    """The public key as a JWK; its ``kid`` is the key's thumbprint (as pylti1p3 signs)."""
    return dict(Registration.get_jwk(key.public_pem))
