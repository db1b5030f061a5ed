"""Issuer profiles and their keys, achievements, issued credentials (stored exactly as issued),
revocation status lists and bulk issuance batches."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Competence, Module, ProficiencyLevel
from parcours.credentials.core import statuslist
from parcours.credentials.querysets import AchievementQuerySet, IssuedCredentialQuerySet
from parcours.credentials.states import AchievementStatus, BatchStatus, CredentialStatus
from parcours.lib.i18n import pick
from parcours.pathways.models import Pathway


def _share_token() -> str:
    return secrets.token_urlsafe(18)


class IssuerProfile(models.Model):
    """How an organisation appears as the issuer of its badges (an OB 3.0 ``Profile``)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="issuer_profile"
    )
    name = models.CharField(_("nom de l'émetteur"), max_length=200)
    url = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="credentials/issuers/", blank=True)
    # did:web:<host>:badges:issuers:<slug>, fixed when the profile is created: credentials
    # issued under it keep verifying even if the platform's address changes later.
    did = models.CharField(_("identifiant DID"), max_length=300, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil d'émetteur")
        verbose_name_plural = _("profils d'émetteur")

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An Ed25519 key pair of an issuer. The newest key that is not retired signs; retired
    keys stay published so that what they signed keeps verifying."""

    issuer = models.ForeignKey(IssuerProfile, on_delete=models.PROTECT, related_name="keys")
    number = models.PositiveIntegerField(_("numéro"))
    verification_method = models.CharField(max_length=320, unique=True)
    public_key_multibase = models.CharField(max_length=64)
    encrypted_private_key = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(_("retirée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé de signature")
        verbose_name_plural = _("clés de signature")
        ordering = ["issuer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="signing_key_number"),
        ]

    def __str__(self) -> str:
        return self.verification_method

    @property
    def fragment(self) -> str:
        return f"key-{self.number}"


class Achievement(models.Model):
    """What a badge attests, and the pathway (or single module) that earns it."""

    class Kind(models.TextChoices):
        # A subset of OB 3.0 AchievementType.
        BADGE = "Badge", _("Badge")
        CERTIFICATE = "Certificate", _("Certificat")
        COMPETENCY = "Competency", _("Compétence")
        COURSE = "Course", _("Cours")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="achievements"
    )
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (français)"))
    description_en = models.TextField(_("description (anglais)"), blank=True)
    criteria_fr = models.TextField(_("critères d'obtention (français)"))
    criteria_en = models.TextField(_("critères d'obtention (anglais)"), blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BADGE)
    image = models.ImageField(
        _("image"),
        upload_to="credentials/achievements/",
        blank=True,
        help_text=_("PNG carré. Sans image, un badge aux initiales est dessiné."),
    )
    color = models.CharField(_("couleur du badge"), max_length=7, default="#1d4f91")
    expiry_days = models.PositiveIntegerField(
        _("validité (jours)"),
        null=True,
        blank=True,
        help_text=_("Laisser vide pour un badge sans date d'expiration."),
    )
    pathway = models.ForeignKey(
        Pathway,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("parcours"),
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("module"),
    )
    competences: models.ManyToManyField[Competence, AchievementCompetence] = models.ManyToManyField(
        Competence,
        through="AchievementCompetence",
        related_name="+",
        verbose_name=_("compétences attestées"),
    )
    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=AchievementStatus.choices,
        default=AchievementStatus.DRAFT,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge (réussite)")
        verbose_name_plural = _("badges (réussites)")
        ordering = ["name_fr"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(pathway__isnull=False, module__isnull=True)
                    | models.Q(pathway__isnull=True, module__isnull=False)
                ),
                name="achievement_pathway_xor_module",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self, "name")

    @property
    def description(self) -> str:
        return pick(self, "description")

    @property
    def criteria(self) -> str:
        return pick(self, "criteria")

    @property
    def is_active(self) -> bool:
        return self.status == AchievementStatus.ACTIVE

    @property
    def initials(self) -> str:
        words = [w for w in self.name_fr.replace("-", " ").split() if w[:1].isalnum()]
        letters = "".join(w[0] for w in words if w[0].isupper()) or "".join(w[0] for w in words)
        return (letters or "B")[:3].upper()


class AchievementCompetence(models.Model):
    """A competence the achievement attests, at a level of its framework."""

    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="competence_links"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        ProficiencyLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("compétence attestée")
        verbose_name_plural = _("compétences attestées")
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "competence"], name="achievement_competence_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement_id}: {self.competence_id}"


class StatusList(models.Model):
    """A Bitstring Status List (purpose: revocation) of an issuer.

    The bits are not stored: the list is rebuilt from the revoked credentials of the list
    whenever one is revoked, signed, and kept in ``document`` exactly as served.
    Indexes are drawn at random (``secrets``) and reserved as ``StatusSlot`` rows, never
    twice: the list tells nothing of the order of issue. A list takes at most ``capacity``
    (half its entries) so that a random draw rarely hits a taken slot.
    """

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Révocation")

    issuer = models.ForeignKey(IssuerProfile, on_delete=models.PROTECT, related_name="lists")
    number = models.PositiveIntegerField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REVOCATION)
    size = models.PositiveIntegerField(default=statuslist.MIN_ENTRIES)
    allocated = models.PositiveIntegerField(default=0)
    # The signed BitstringStatusListCredential as served (exact bytes); rebuilt on revocation.
    document = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liste de statuts")
        verbose_name_plural = _("listes de statuts")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "purpose", "number"], name="status_list_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.purpose}/{self.number}"

    @property
    def capacity(self) -> int:
        return self.size // 2

    @property
    def is_full(self) -> bool:
        return self.allocated >= self.capacity


class StatusSlot(models.Model):
    """A reserved entry of a status list. UNIQUE(list, index) is what makes "never twice"
    hold whatever issues concurrently; ``reservation`` tells a reserver which rows it won."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="slots")
    index = models.PositiveIntegerField()
    reservation = models.CharField(max_length=32, db_index=True)

    class Meta:
        verbose_name = _("entrée de liste de statuts")
        verbose_name_plural = _("entrées de listes de statuts")
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="status_slot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"


class IssuanceBatch(models.Model):
    """A coordinator's bulk issuance: learners captured at start, processed in chunks, each
    chunk committed with the batch's progress; running it again finishes it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    learner_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("émission groupée")
        verbose_name_plural = _("émissions groupées")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.achievement_id}: {self.total}"

    @property
    def processed(self) -> int:
        return self.issued + self.skipped

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        return min(100, round(self.processed * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.COMPLETED, BatchStatus.FAILED)


class IssuedCredential(models.Model):
    """One OpenBadgeCredential issued to one learner for one achievement — at most one."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatique (parcours réussi)")
        MANUAL = "manual", _("Manuelle")
        BATCH = "batch", _("Émission groupée")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="issued_credentials"
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="credentials"
    )
    # PROTECT: deleting a learner must not silently un-revoke their revoked badges.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials"
    )
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    status_index = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    # The signed credential exactly as issued: the very bytes that were signed and handed
    # out (a JSONField would re-serialise it).
    document = models.TextField()
    recipient_salt = models.CharField(max_length=32)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.AUTOMATIC)
    batch = models.ForeignKey(
        IssuanceBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.ISSUED
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared = models.BooleanField(_("partagé publiquement"), default=False)
    share_token = models.CharField(max_length=40, unique=True, default=_share_token)

    objects = IssuedCredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge délivré")
        verbose_name_plural = _("badges délivrés")
        ordering = ["-issued_at"]
        constraints = [
            # "Exactly once per learner and achievement" is this constraint.
            models.UniqueConstraint(
                fields=["achievement", "learner"], name="credential_once_per_learner"
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_slot_once"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "issued_at"]),
            models.Index(fields=["learner", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.learner_id}"

    @property
    def is_revoked(self) -> bool:
        return self.status == CredentialStatus.REVOKED

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= timezone.now()

    @property
    def credential_id(self) -> str:
        return f"urn:uuid:{self.uuid}"


class Verification(models.Model):
    """One verification of a stored badge, by the public verification page or the API: an
    event row (no personal data about who verified), counted by the reports."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Page de vérification")
        API = "api", _("API")

    credential = models.ForeignKey(
        IssuedCredential, on_delete=models.CASCADE, related_name="verifications"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vérification de badge")
        verbose_name_plural = _("vérifications de badges")
        indexes = [models.Index(fields=["organisation", "verified_at"])]

    def __str__(self) -> str:
        return f"{self.credential_id} @ {self.verified_at:%Y-%m-%d}"
