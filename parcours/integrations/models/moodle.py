"""Completions read from Moodle: the organisation's Moodle sites, the modules delivered as a
Moodle course, the explicit links between Moodle users and Parcours people, and the sync log.

Written only by ``parcours.integrations.moodle.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module

__all__ = [
    "MoodleCourseLink",
    "MoodleSite",
    "MoodleSyncCourse",
    "MoodleSyncRun",
    "MoodleUnmatchedUser",
    "MoodleUserLink",
]


class MoodleSiteQuerySet(models.QuerySet["MoodleSite"]):
    def of_organisation(self, organisation: Organisation | int) -> MoodleSiteQuerySet:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        return self.filter(organisation_id=org_id)

    def active(self) -> MoodleSiteQuerySet:
        return self.filter(is_active=True)


class MoodleSite(models.Model):
    """A Moodle site the organisation reads completions from, through its web services."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="moodle_sites"
    )
    name = models.CharField(_("nom"), max_length=120)
    base_url = models.URLField(
        _("adresse du site"),
        max_length=300,
        help_text=_("L'adresse de la page d'accueil de Moodle, p. ex. https://moodle.exemple.be"),
    )
    # Sealed with parcours.lib.sealed (purpose "moodle-token"); never shown back.
    token_sealed = models.TextField(blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MoodleSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site Moodle")
        verbose_name_plural = _("sites Moodle")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="moodle_site_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_token(self) -> bool:
        return bool(self.token_sealed)


class MoodleCourseLink(models.Model):
    """A module delivered as a Moodle course: at most one course per module.

    ``cursor`` is where the next sync resumes in the course's enrolled users (Moodle's
    ``limitfrom``): saved after each page, back to 0 once the course was read to its end.
    """

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="moodle_link")
    site = models.ForeignKey(MoodleSite, on_delete=models.CASCADE, related_name="course_links")
    course_id = models.PositiveBigIntegerField(_("numéro du cours Moodle"))
    course_name = models.CharField(_("nom du cours Moodle"), max_length=255, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    cursor = models.PositiveIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("module lié à un cours Moodle")
        verbose_name_plural = _("modules liés à un cours Moodle")
        ordering = ["module__code", "pk"]

    def __str__(self) -> str:
        return f"{self.module_id} → {self.site_id}#{self.course_id}"


class MoodleUserLink(models.Model):
    """An explicit match: this Moodle user (on this site) is this Parcours person."""

    site = models.ForeignKey(MoodleSite, on_delete=models.CASCADE, related_name="user_links")
    moodle_user_id = models.PositiveBigIntegerField(_("numéro de l'utilisateur Moodle"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moodle_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("utilisateur Moodle lié")
        verbose_name_plural = _("utilisateurs Moodle liés")
        constraints = [
            models.UniqueConstraint(fields=["site", "moodle_user_id"], name="moodle_user_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.site_id}#{self.moodle_user_id} = {self.person_id}"


class MoodleSyncRun(models.Model):
    """One sync of an organisation's linked courses (all its sites, or one)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        ERRORS = "errors", _("Terminée avec des erreurs")
        INTERRUPTED = "interrupted", _("Interrompue")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="moodle_sync_runs"
    )
    site = models.ForeignKey(
        MoodleSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="sync_runs"
    )
    # None: the planned sync (the scheduler, the management command).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("synchronisation Moodle")
        verbose_name_plural = _("synchronisations Moodle")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One sync at a time per organisation: a second one started meanwhile is refused.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="running"),
                name="moodle_one_running_sync",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class MoodleSyncCourse(models.Model):
    """What one sync did for one linked course: counts, and the error that stopped it."""

    run = models.ForeignKey(MoodleSyncRun, on_delete=models.CASCADE, related_name="courses")
    link = models.ForeignKey(
        MoodleCourseLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site_name = models.CharField(max_length=120)
    module_label = models.CharField(max_length=260)
    course_id = models.PositiveBigIntegerField()
    resumed_from = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    recorded = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.module_label}"


class MoodleUnmatchedUser(models.Model):
    """A Moodle user of a synced course who is no Parcours person (not created: listed)."""

    class Reason(models.TextChoices):
        NO_EMAIL = "no_email", _("Moodle ne communique pas son adresse e-mail")
        NOT_FOUND = "not_found", _("Aucune personne avec cette adresse e-mail vérifiée")
        AMBIGUOUS = "ambiguous", _("Plusieurs personnes ont cette adresse e-mail vérifiée")

    course = models.ForeignKey(
        MoodleSyncCourse, on_delete=models.CASCADE, related_name="unmatched_users"
    )
    moodle_user_id = models.PositiveBigIntegerField()
    fullname = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.moodle_user_id} ({self.reason})"
