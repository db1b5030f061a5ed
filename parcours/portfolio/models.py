"""The learner's portfolio: what they chose to make public, and their share links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    BADGE = "badge", _("Badge")
    ATTESTATION = "attestation", _("Attestation")
    PROJECT = "project", _("Projet")
    FRAMEWORK = "framework", _("Compétences d'un référentiel")


class PublicItem(models.Model):
    """One item of the person's portfolio they chose to show on the shared page (an item
    without a row is private)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_items"
    )
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    # A badge's or project's uuid, an attestation's code, a framework's slug.
    ref = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("élément public du portfolio")
        verbose_name_plural = _("éléments publics du portfolio")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "ref"], name="portfolio_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}:{self.ref}"


class ShareLink(models.Model):
    """A revocable link to the public portfolio: only the token's SHA-256 is stored."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lien de partage du portfolio")
        verbose_name_plural = _("liens de partage du portfolio")
        constraints = [
            # At most one live link per person: a new one revokes the old.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="portfolio_one_live_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.created_at:%Y-%m-%d}"
