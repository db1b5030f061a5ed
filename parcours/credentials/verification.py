"""Verify a credential as a verifier would, with this platform's own data and no network:
signature (eddsa-rdfc-2022, keys of this platform's issuers), key ↔ issuer, validity dates,
revocation (the status list this platform publishes), and which stored credential it is.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.permissions import Actor
from parcours.credentials.core import baking, statuslist
from parcours.credentials.core.multikey import decode_public_key
from parcours.credentials.core.proof import Reason, verify
from parcours.credentials.documents import email_matches
from parcours.credentials.models import IssuedCredential, SigningKey, StatusList
from parcours.credentials.permissions import can_view
from parcours.lib.urls import local_origins

MAX_INPUT_BYTES = 2 * 1024 * 1024
# Columns of the stored credential a verdict uses.
STORED_FIELDS = (
    "uuid",
    "learner",
    "organisation",
    "shared",
    "status",
    "revoked_at",
    "learner__first_name",
    "learner__last_name",
    "learner__email",
)


# Per-process caches. A verification method's key never changes (rotation adds a key), so
# resolved keys are kept; any new SigningKey clears them (a fresh database — tests — may reuse
# a method id). Published status lists are kept STATUS_TTL seconds and dropped at once when
# this process republishes one; other processes see a revocation within STATUS_TTL seconds
# (the served list itself says max-age=300 to external verifiers).
STATUS_TTL = 30.0
_KEYS: dict[str, tuple[Ed25519PublicKey, str]] = {}
_LISTS: dict[tuple[str, int], tuple[float, bytes | None]] = {}


def clear_caches() -> None:
    _KEYS.clear()
    _LISTS.clear()
    _status_list_key.cache_clear()


@lru_cache(maxsize=1024)
def _public_key(multibase: str) -> Ed25519PublicKey:
    return decode_public_key(multibase)


@dataclass
class Check:
    """One line of the verdict: what was checked, whether it passed, in words. ``ok`` is None
    when it could not be told (no green tick, no red cross: a "?")."""

    code: str
    ok: bool | None
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    document: dict[str, Any] | None = None
    error: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    achievement_name: str = ""
    achievement_description: str = ""
    criteria: str = ""
    credential_id: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    signature_valid: bool = False
    signature_reason: str = ""
    revoked: bool | None = None
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    expired: bool = False
    not_yet_valid: bool = False
    stored: IssuedCredential | None = None
    learner_name: str = ""
    identity_hash: str = ""
    identity_salt: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # The holder's name printed on a certificate, when its QR code's seal confirms it
    # (``check_printed_name``): None = nothing to confirm, False = not confirmed.
    printed_name: str = ""
    printed_name_ok: bool | None = None

    @property
    def valid(self) -> bool:
        return (
            self.document is not None
            and self.signature_valid
            and self.revoked is not True
            and not self.expired
            and not self.not_yet_valid
        )

    @property
    def verdict(self) -> str:
        """One word for the whole verdict, most serious first:

        ``unreadable`` (not a credential), ``unverifiable`` (signed by an issuer or in a way
        this platform cannot check: says nothing of its authenticity), ``not_authentic``
        (changed after signing, or signed by a key that is not its issuer's), ``malformed``,
        ``revoked``, ``expired``, ``not_yet_valid``, ``name_not_confirmed`` (a certificate's QR
        code that does not confirm the name printed beside it), ``valid``.
        """
        if self.document is None:
            return "unreadable"
        if not self.signature_valid:
            if self.signature_reason in UNVERIFIABLE:
                return "unverifiable"
            if self.signature_reason in NOT_AUTHENTIC:
                return "not_authentic"
            return "malformed"
        if self.revoked:
            return "revoked"
        if self.expired:
            return "expired"
        if self.not_yet_valid:
            return "not_yet_valid"
        if self.printed_name_ok is False:
            return "name_not_confirmed"
        return "valid"

    @property
    def reason_codes(self) -> list[str]:
        return [check.code for check in self.checks if check.ok is False]


def _resolve_key(method: str) -> tuple[Ed25519PublicKey, str] | None:
    """(public key, issuer DID) of one of this platform's verification methods."""
    cached = _KEYS.get(method)
    if cached is not None:
        return cached
    key = SigningKey.objects.select_related("issuer").filter(verification_method=method).first()
    if key is None and method.startswith(("https://", "http://")):
        # The same key under the issuer's https controller document: <issuer url>#key-N.
        base, _sep, fragment = method.partition("#")
        slug = _issuer_slug_from_url(base)
        if slug and fragment.startswith("key-") and fragment[4:].isdigit():
            key = (
                SigningKey.objects.select_related("issuer")
                .filter(issuer__organisation__slug=slug, number=int(fragment[4:]))
                .first()
            )
    if key is None:
        return None
    resolved = (_public_key(key.public_key_multibase), key.issuer.did)
    _KEYS[method] = resolved
    return resolved


def _local_path(url: str) -> str | None:
    """The path of ``url`` if it points at this platform, else None."""
    parsed = urlparse(url)
    if f"{parsed.scheme}://{parsed.netloc}" not in local_origins():
        return None
    return parsed.path


def _issuer_slug_from_url(url: str) -> str | None:
    path = _local_path(url)
    if path is None:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "credentials:issuer_profile":
        return None
    return str(match.kwargs["slug"])


@lru_cache(maxsize=1024)
def _status_list_key(url: str, origins: frozenset[str]) -> tuple[str, int] | None:
    """(issuer slug, list number) of a status list URL of this platform (URL resolution
    is pure: cached, keyed on the platform's origins it depends on)."""
    path = _local_path(url)
    if path is None:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "credentials:status_list":
        return None
    return str(match.kwargs["slug"]), int(match.kwargs["number"])


def _status_bits(url: str) -> bytes | None:
    """The decoded bitstring of one of this platform's published status lists."""
    key = _status_list_key(url, frozenset(local_origins()))
    if key is None:
        return None
    cached = _LISTS.get(key)
    if cached is not None and time.monotonic() - cached[0] < STATUS_TTL:
        return cached[1]
    document = (
        StatusList.objects.filter(issuer__organisation__slug=key[0], number=key[1])
        .values_list("document", flat=True)
        .first()
    )
    bits: bytes | None = None
    if document:
        try:
            bits = statuslist.decode(json.loads(document)["credentialSubject"]["encodedList"])
        except (ValueError, KeyError, TypeError, statuslist.StatusListError):
            bits = None
    _LISTS[key] = (time.monotonic(), bits)
    return bits


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)  # XML Schema: no offset given, read as UTC
    return parsed


# Signature failures that say nothing of authenticity: this platform cannot check them (an
# issuer it does not know, another signature scheme, no embedded proof: e.g. a JWT).
UNVERIFIABLE = frozenset(
    {Reason.UNKNOWN_KEY.value, Reason.WRONG_CRYPTOSUITE.value, Reason.NO_PROOF.value}
)
# Failures that prove the document is not what its issuer signed.
NOT_AUTHENTIC = frozenset({Reason.BAD_SIGNATURE.value, "key_not_issuer"})

SIGNATURE_MESSAGES = {
    Reason.NO_PROOF.value: gettext_lazy(
        "Impossible de vérifier la signature ici : le badge ne contient pas de signature "
        "intégrée (il est peut-être signé autrement, par exemple en JWT)."
    ),
    Reason.MALFORMED.value: gettext_lazy(
        "Signature invalide : la signature ou le document est mal formé."
    ),
    Reason.WRONG_CRYPTOSUITE.value: gettext_lazy(
        "Impossible de vérifier la signature ici : elle n'utilise pas eddsa-rdfc-2022, la "
        "seule méthode que cette plateforme vérifie."
    ),
    Reason.WRONG_PURPOSE.value: gettext_lazy(
        "Signature invalide : ce n'est pas une signature d'émission."
    ),
    Reason.UNKNOWN_KEY.value: gettext_lazy(
        "Impossible de vérifier la signature ici : l'émetteur n'est pas un émetteur de cette "
        "plateforme, et elle ne vérifie que les badges de ses émetteurs. Vérifiez-le auprès de "
        "son émetteur ou avec un autre vérificateur Open Badges."
    ),
    Reason.BAD_SIGNATURE.value: gettext_lazy(
        "Signature invalide : le contenu a été modifié après signature."
    ),
    "key_not_issuer": gettext_lazy(
        "Signature invalide : la clé de signature n'appartient pas à l'émetteur indiqué."
    ),
}


def parse_input(data: bytes | str) -> tuple[dict[str, Any] | None, str]:
    """A credential from pasted JSON, a JSON file, or a baked PNG / SVG image."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_INPUT_BYTES:
        return None, _("Le fichier est trop volumineux (2 Mo au plus).")
    text: str | None
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        text = data.decode("utf-8", errors="replace")
    else:
        try:
            text = baking.extract(data)
        except baking.BakingError:
            return None, _("Ce n'est ni un badge JSON, ni une image PNG ou SVG contenant un badge.")
        if text is None:
            return None, _("Cette image ne contient pas de badge.")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None, _("Le texte n'est pas du JSON valide.")
    if not isinstance(document, dict):
        return None, _("Le JSON n'est pas un badge (un objet est attendu).")
    return document, ""


def verify_input(data: bytes | str, *, now: datetime | None = None) -> Report:
    document, error = parse_input(data)
    if document is None:
        return Report(error=error)
    return verify_document(document, now=now)


def verify_document(document: dict[str, Any], *, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report(document=document)
    issuer = document.get("issuer")
    issuer_id = _text(issuer.get("id")) if isinstance(issuer, dict) else _text(issuer)
    report.issuer_id = issuer_id
    report.issuer_name = _text(issuer.get("name")) if isinstance(issuer, dict) else ""
    report.credential_id = _text(document.get("id"))
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    report.achievement_name = _text(achievement.get("name")) or _text(document.get("name"))
    report.achievement_description = _text(achievement.get("description"))
    criteria = achievement.get("criteria")
    report.criteria = _text(criteria.get("narrative")) if isinstance(criteria, dict) else ""
    identifiers = subject.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        report.identity_hash = _text(identifiers[0].get("identityHash"))
        report.identity_salt = _text(identifiers[0].get("salt"))
    evidence = document.get("evidence")
    if isinstance(evidence, list):
        report.evidence = [item for item in evidence if isinstance(item, dict)]

    # 1. Signature, with this platform's keys; the key must be the issuer's.
    owners: dict[str, str] = {}

    def resolver(method: str) -> Ed25519PublicKey | None:
        resolved = _resolve_key(method)
        if resolved is None:
            return None
        owners[method] = resolved[1]
        return resolved[0]

    result = verify(document, resolver)
    reason = result.reason
    if result.valid and owners.get(result.verification_method or "") != issuer_id:
        reason = "key_not_issuer"
    report.signature_valid = reason == Reason.OK.value
    report.signature_reason = reason
    report.valid_from = _date(document.get("validFrom"))
    report.valid_until = _date(document.get("validUntil"))
    if not report.signature_valid:
        # Nothing else is checked: a date or a status read from a document that is not the
        # issuer's proves nothing, and a green tick beside a failed signature would mislead.
        message = str(SIGNATURE_MESSAGES.get(reason, reason))
        report.checks.append(Check(reason, False, message))
        return report
    report.checks.append(Check("signature", True, _("Signature valide.")))

    # 2. Dates.
    if report.valid_from is not None and report.valid_from > now:
        report.not_yet_valid = True
        report.checks.append(Check("not_yet_valid", False, _("Ce badge n'est pas encore valide.")))
    if report.valid_until is not None and report.valid_until <= now:
        report.expired = True
        report.checks.append(Check("expired", False, _("Ce badge a expiré.")))
    elif report.valid_until is not None:
        report.checks.append(Check("not_expired", True, _("Ce badge n'a pas expiré.")))
    else:
        report.checks.append(Check("no_expiry", True, _("Ce badge n'expire pas.")))

    # 3. The stored credential, if it is one of ours (the signature is valid from here on).
    if report.credential_id.startswith("urn:uuid:"):
        stored_uuid = _uuid_or_none(report.credential_id[9:])
        if stored_uuid is not None:
            # Only what the verdict shows (not the stored document itself).
            report.stored = next(
                iter(
                    IssuedCredential.objects.filter(uuid=stored_uuid)
                    .order_by()
                    .select_related("learner")
                    .only(*STORED_FIELDS)[:1]
                ),
                None,
            )
        if report.stored is not None and report.stored.shared:
            report.learner_name = report.stored.learner.get_full_name()

    # 4. Revocation, from the status list this platform publishes.
    status = document.get("credentialStatus")
    status = status[0] if isinstance(status, list) and status else status
    if isinstance(status, dict) and status.get("type") == "BitstringStatusListEntry":
        report.revoked = _revoked(status)
        if report.revoked is None:
            report.checks.append(
                Check(
                    "status_unknown",
                    None,
                    _("Statut de révocation inconnu : la liste n'est pas publiée ici."),
                )
            )
        elif report.revoked:
            if report.stored is not None:
                report.revoked_at = report.stored.revoked_at
            report.checks.append(Check("revoked", False, _("Ce badge a été révoqué.")))
        else:
            report.checks.append(Check("not_revoked", True, _("Ce badge n'est pas révoqué.")))
    else:
        report.checks.append(
            Check("no_status", True, _("Ce badge ne déclare pas de liste de révocation."))
        )
    return report


PRINTED_NAME_PARAMETER = "titulaire"
MAX_SEAL_LENGTH = 64


def printed_name(credential: IssuedCredential) -> str:
    """The holder's name as a certificate prints it."""
    return credential.learner.get_full_name() or credential.learner.email


def printed_name_seal(credential_uuid: Any, name: str) -> str:
    """What a certificate's QR code carries to bind the name printed beside it to the
    credential (HMAC with SECRET_KEY: nobody else can make one for another name)."""
    value = f"{credential_uuid}\n{name}"
    return salted_hmac("parcours.credentials.printed-name", value).hexdigest()[:32]


def check_printed_name(report: Report, seal: str) -> Report:
    """Confirm (or not) the name printed on the certificate whose QR code led here: the
    page then shows the holder's name exactly when it is the one on the paper."""
    stored = report.stored
    report.printed_name_ok = False
    if stored is None or not report.signature_valid or len(seal) > MAX_SEAL_LENGTH:
        return report
    name = printed_name(stored)
    if constant_time_compare(printed_name_seal(stored.uuid, name), seal):
        report.printed_name_ok = True
        report.printed_name = name
        report.checks.append(
            Check(
                "printed_name",
                True,
                _("Le nom imprimé sur le certificat est bien celui du titulaire : %(name)s.")
                % {"name": name},
            )
        )
    else:
        report.checks.append(
            Check(
                "printed_name_not_confirmed",
                False,
                _(
                    "Le nom imprimé sur ce certificat n'est pas confirmé : ce QR code n'a pas "
                    "été délivré avec ce nom (certificat modifié, ou titulaire renommé depuis)."
                ),
            )
        )
    return report


def disclose_to(report: Report, actor: Actor | None) -> Report:
    """Add what only the credential's holder and its issuer's coordinators may read (the
    revocation reason) when ``actor`` is one of them. Anyone else holding a link sees that
    the badge is revoked, and when, never why."""
    stored = report.stored
    if actor is None or stored is None or not report.revoked:
        return report
    if can_view(actor, stored):
        reason = (
            IssuedCredential.objects.filter(pk=stored.pk)
            .values_list("revocation_reason", flat=True)
            .first()
        )
        report.revocation_reason = reason or ""
    return report


def _uuid_or_none(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _revoked(status: dict[str, Any]) -> bool | None:
    url = _text(status.get("statusListCredential"))
    index_text = _text(status.get("statusListIndex"))
    if (
        not url
        or not (index_text.isascii() and index_text.isdigit())
        or len(index_text) > 12
        or status.get("statusPurpose") != "revocation"
    ):
        return None
    bits = _status_bits(url)
    if bits is None:
        return None
    try:
        return statuslist.get_bit(bits, int(index_text))
    except statuslist.StatusListError:
        return None


def check_email(report: Report, email: str) -> bool:
    """Does ``email`` match the learner's hashed identity in the credential?"""
    if not report.identity_hash or not email.strip():
        return False
    return email_matches(email, report.identity_hash, report.identity_salt)
