"""LTI 1.3 Advantage: Parcours as a tool launched from the organisation's LMS (Moodle…).

A :class:`LtiRegistration` is one platform (issuer + client id) registered for one organisation,
by LTI Dynamic Registration or by hand. The organisation's tool key pair
(:class:`LtiToolKey`, RS256, the private key sealed at rest) signs what Parcours sends to the
platform (deep-linking responses, the client assertions of AGS/NRPS calls); its public half is
served as a key set at a stable URL.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation

__all__ = [
    "LtiContext",
    "LtiLaunchLog",
    "LtiLineItem",
    "LtiNonce",
    "LtiPersonLink",
    "LtiRegistration",
    "LtiRegistrationToken",
    "LtiScore",
    "LtiServiceFailure",
    "LtiToolKey",
]


class LtiToolKey(models.Model):
    """The organisation's RSA key pair as an LTI tool (one per organisation)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="lti_tool_key"
    )
    kid = models.CharField(_("identifiant de clé"), max_length=64, unique=True)
    private_key_sealed = models.TextField(editable=False)  # lib.sealed, purpose "lti-tool-key"
    public_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("clé d'outil LTI")
        verbose_name_plural = _("clés d'outil LTI")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.kid})"


class LtiRegistration(models.Model):
    """One LTI 1.3 platform (issuer + client id) registered for an organisation."""

    class Source(models.TextChoices):
        DYNAMIC = "dynamic", _("Enregistrement dynamique")
        MANUAL = "manual", _("Saisie manuelle")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lti_registrations"
    )
    name = models.CharField(_("nom"), max_length=120)
    issuer = models.URLField(_("émetteur (issuer)"), max_length=300)
    client_id = models.CharField(_("identifiant client (client id)"), max_length=200)
    auth_login_url = models.URLField(_("URL d'authentification OIDC"), max_length=500)
    auth_token_url = models.URLField(_("URL des jetons d'accès"), max_length=500)
    key_set_url = models.URLField(_("URL du jeu de clés (JWKS)"), max_length=500)
    auth_audience = models.CharField(_("audience des jetons"), max_length=300, blank=True)
    deployment_ids = models.JSONField(_("identifiants de déploiement"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    admin_as_coordinator = models.BooleanField(
        _("Administrateur de la plateforme → coordinateur"),
        default=False,
        help_text=_(
            "Coché : un administrateur de la plateforme devient coordinateur pédagogique. "
            "Non coché : il devient formateur."
        ),
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plateforme LTI")
        verbose_name_plural = _("plateformes LTI")
        ordering = ["name", "pk"]
        constraints = [
            # The launch endpoints are shared: (issuer, client id) names one registration.
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique")
        ]

    def __str__(self) -> str:
        return self.name


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class LtiRegistrationToken(models.Model):
    """A single-use, expiring secret in the Dynamic Registration URL (only its hash is kept)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lti_registration_tokens"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.created_at:%Y-%m-%d})"

    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class LtiPersonLink(models.Model):
    """The LMS user ``sub`` of a registration is this Parcours person."""

    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.CASCADE, related_name="person_links"
    )
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "sub"], name="lti_link_unique_sub")
        ]

    def __str__(self) -> str:
        return f"{self.registration} / {self.sub}"


class LtiNonce(models.Model):
    """A launch nonce already used: the same id_token posted again is refused (replay)."""

    nonce = models.CharField(max_length=255, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.nonce


class LtiContext(models.Model):
    """A course of the platform (LTI context) seen in a launch, with its service endpoints."""

    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.CASCADE, related_name="contexts"
    )
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    memberships_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list)
    session = models.ForeignKey(
        "enrolment.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The session this course placed (deep link or custom parameter), if any.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "context_id"], name="lti_context_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class LtiLineItem(models.Model):
    """The gradebook column of a linked module in a course (AGS)."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="line_items")
    module = models.ForeignKey("catalogue.Module", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500, blank=True)  # empty until created on the platform

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["context", "module"], name="lti_lineitem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.context} / {self.module_id}"


class LtiScore(models.Model):
    """One score to send to a line item for one person: its state tells the failures page."""

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        REFUSED = "refused", _("Refusé par la plateforme")
        FAILED = "failed", _("Échec (plateforme injoignable)")

    line_item = models.ForeignKey(LtiLineItem, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=255)
    score_given = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    timestamp = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line_item", "user"], name="lti_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line_item} / {self.user_id}: {self.state}"


class LtiLaunchLog(models.Model):
    """A launch, accepted or refused, with its cause: the administrator's launch log."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    cause = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    issuer = models.CharField(max_length=300, blank=True)
    message_type = models.CharField(max_length=60, blank=True)
    target = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.outcome} {self.cause}"


class LtiServiceFailure(models.Model):
    """A failed call to the platform's services (NRPS, AGS line items, registration)."""

    class Kind(models.TextChoices):
        NRPS = "nrps", _("Liste des membres (NRPS)")
        AGS = "ags", _("Carnet de notes (AGS)")
        REGISTRATION = "registration", _("Enregistrement")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status_code or ''}"
