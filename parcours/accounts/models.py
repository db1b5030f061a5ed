"""Users, organisations (tenants), their sites, memberships with roles, API tokens, audit log."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.querysets import MembershipQuerySet, OrganisationQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; staff rights come from memberships."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Administrateur de la plateforme (interface d'administration Django)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    erased_at = models.DateTimeField(
        _("effacé le"),
        null=True,
        blank=True,
        help_text=_("Données personnelles pseudonymisées à cette date (RGPD, art. 17)."),
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class SignupPolicy(models.TextChoices):
    """Who may create an account to enrol in an organisation's sessions."""

    OPEN = "open", _("Tout le monde")
    DOMAINS = "domains", _("Seulement les adresses e-mail des domaines autorisés")
    INVITATION = "invitation", _("Sur invitation seulement")


class Organisation(models.Model):
    """A tenant: a training provider, a province department, a school network…"""

    class Kind(models.TextChoices):
        COMPETENCE_CENTRE = "competence_centre", _("Centre de compétence")
        PUBLIC_BODY = "public_body", _("Pouvoir public")
        SCHOOL = "school", _("École")
        TRAINING_INSTITUTE = "training_institute", _("Institut de formation")
        OTHER = "other", _("Autre")

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    signup_policy = models.CharField(
        _("qui peut s'inscrire"),
        max_length=20,
        choices=SignupPolicy.choices,
        default=SignupPolicy.OPEN,
    )
    require_staff_mfa = models.BooleanField(
        _("double authentification obligatoire pour le personnel"),
        default=False,
        help_text=_(
            "Les membres du personnel sans second facteur devront en configurer un "
            "à leur prochaine connexion."
        ),
    )
    learner_retention_days = models.PositiveIntegerField(
        _("durée de conservation des apprenants inactifs (jours)"),
        null=True,
        blank=True,
        help_text=_(
            "Après cette durée sans activité, les données personnelles d'un apprenant sont "
            "pseudonymisées. Vide : conservées."
        ),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from parcours.accounts.slugs import is_reserved

        if self.slug and is_reserved(self.slug):
            raise ValidationError(
                {
                    "slug": _(
                        "« %(slug)s » est le nom d'une page du site : choisissez un autre "
                        "identifiant."
                    )
                    % {"slug": self.slug}
                }
            )


class Site(models.Model):
    """A place where an organisation trains: an address, and (later) rooms and resources."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sites", verbose_name=_("organisation")
    )
    slug = models.SlugField(_("identifiant"), max_length=60)
    name = models.CharField(_("nom"), max_length=200)
    street = models.CharField(_("rue et numéro"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("localité"), max_length=100)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    access_notes = models.TextField(
        _("comment s'y rendre"),
        blank=True,
        help_text=_("Transports en commun, parking, entrée : une description sans carte."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="site_slug_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def address(self) -> str:
        parts = [self.street, f"{self.postcode} {self.city}".strip()]
        return ", ".join(p for p in parts if p)


class SignupDomain(models.Model):
    """An e-mail domain whose owners may sign up when the policy is ``domains``."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="signup_domains",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("domaine de messagerie"), max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domaine autorisé")
        verbose_name_plural = _("domaines autorisés")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "domain"], name="signup_domain_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    COORDINATOR = "coordinator", _("Coordinateur pédagogique")
    TRAINER = "trainer", _("Formateur")
    LOGISTICS = "logistics", _("Logistique")
    SCHOOL_CONTACT = "school_contact", _("Contact école")
    CAREER_MANAGER = "career_manager", _("Chargé·e de suivi de carrière")
    AGENT = "agent", _("Agent (consultation)")
    LEARNER = "learner", _("Apprenant")


# Roles that work for the organisation and see its internal data (drafts, learners' progress).
STAFF_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.COORDINATOR,
        Role.TRAINER,
        Role.LOGISTICS,
        Role.SCHOOL_CONTACT,
        Role.CAREER_MANAGER,
    }
)
# Roles that may look at the organisation's occupancy portal and plannings: the staff, plus the
# read-only agents (every employee of the Province, without a licence). Agents change nothing.
VIEWER_ROLES = STAFF_ROLES | {Role.AGENT}


class Membership(models.Model):
    """A user's role in an organisation. One user may hold several roles, in several orgs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class MemberDeactivation(models.Model):
    """A person whose access to one organisation is suspended, and the roles to give back.

    Deactivating removes the person's memberships in that organisation (so every check, in every
    app, stops granting access with no filter to remember) and keeps the roles here; reactivating
    restores them. Their other organisations are untouched. One row per organisation and person.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="deactivations",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deactivations",
        verbose_name=_("utilisateur"),
    )
    roles = models.JSONField(_("rôles suspendus"), default=list)
    deactivated_at = models.DateTimeField(_("désactivé le"), default=timezone.now)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("désactivé par"),
    )

    class Meta:
        verbose_name = _("membre désactivé")
        verbose_name_plural = _("membres désactivés")
        ordering = ["-deactivated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="member_deactivation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    PREFIX = "prc_"

    class Scope(models.TextChoices):
        READ = "read", _("Lecture")
        READ_WRITE = "read_write", _("Lecture et écriture")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    key_id = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        _("portée"), max_length=20, choices=Scope.choices, default=Scope.READ_WRITE
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("organisation"),
        help_text=_("L'organisation depuis laquelle le jeton a été créé (administration)."),
    )
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """Return (full token, key id, hash of the secret part)."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{cls.PREFIX}{key_id}_{secret}", key_id, _hash_token(secret)

    @classmethod
    def parse(cls, token: str) -> tuple[str, str] | None:
        if not token.startswith(cls.PREFIX):
            return None
        body = token[len(cls.PREFIX) :]
        key_id, sep, secret = body.partition("_")
        if not sep or len(key_id) != 12 or not secret:
            return None
        return key_id, secret

    def matches(self, secret: str) -> bool:
        return secrets.compare_digest(self.key_hash, _hash_token(secret))

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class Invitation(models.Model):
    """An e-mailed link that lets a person set their password and join an organisation.

    Only the SHA-256 of the link's secret is stored. Valid 14 days, single use, resendable
    (a new secret each time), revocable. At most one pending invitation per organisation,
    address and role.
    """

    VALIDITY_DAYS = 14

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.LEARNER)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    next_url = models.CharField(_("page d'arrivée"), max_length=300, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    send_count = models.PositiveSmallIntegerField(_("envois"), default=1)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_one_pending_per_role",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return _hash_token(secret)

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEntry(models.Model):
    """One line of the audit log: who changed what, when. Written by actions only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
