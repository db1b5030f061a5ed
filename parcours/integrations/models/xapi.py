"""xAPI: an organisation's learning record store and the outbox of statements sent to it.

* :class:`LrsConfig` — at most one per organisation: the xAPI endpoint, the basic-auth key and
  its secret (sealed with ``lib.sealed``, purpose ``lrs-secret``), an on/off switch and the
  result of the last connection test. While a configuration exists, statements are recorded in
  the outbox; they are sent only while it is enabled.
* :class:`XapiPseudonym` — the stable, meaningless identifier under which a person appears in
  one organisation's statements (``actor.account.name``): never the e-mail, different for each
  organisation, deleted with the person's data (their past statements then name nobody here).
* :class:`XapiStatement` — one statement of the outbox: its id (UUIDv5 of the organisation,
  the kind of event and the objects' ids: the same event always gets the same id), the exact
  JSON sent, and its delivery state (pending → sent, or failed with the reason).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation

__all__ = ["LrsConfig", "XapiPseudonym", "XapiStatement"]


class LrsConfig(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="lrs_config"
    )
    endpoint = models.URLField(
        _("adresse xAPI du LRS"),
        max_length=300,
        help_text=_("L'adresse de base xAPI, par exemple https://lrs.exemple.be/xAPI/"),
    )
    key = models.CharField(_("identifiant (clé)"), max_length=200)
    sealed_secret = models.TextField(editable=False, blank=True)
    enabled = models.BooleanField(_("envoi activé"), default=False)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    check_ok = models.BooleanField(null=True, editable=False)
    check_message = models.CharField(max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LRS (xAPI)")

    def __str__(self) -> str:
        return self.endpoint

    @property
    def has_secret(self) -> bool:
        return bool(self.sealed_secret)

    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"

    def about_url(self) -> str:
        return self.endpoint.rstrip("/") + "/about"


class XapiPseudonym(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_pseudonyms"
    )
    name = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="xapi_pseudonym_once")
        ]

    def __str__(self) -> str:
        return str(self.name)


class XapiStatement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("En échec")

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Inscription")
        WAITLISTED = "waitlisted", _("Liste d'attente")
        ATTENDED = "attended", _("Présence")
        COMPLETED_MODULE = "completed-module", _("Module terminé")
        COMPLETED_PATHWAY = "completed-pathway", _("Parcours terminé")
        EARNED = "earned", _("Badge obtenu")
        LAUNCHED = "launched", _("Lancement LTI")
        VOIDED = "voided", _("Annulation")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    statement_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The statement exactly as sent (a retry sends the very same bytes).
    payload = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "status", "next_attempt_at", "id"],
                name="xapi_outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.statement_id}"
