"""Webinars (an online session's live link and attendance rule), the participant reports
imported for them and the minutes they gave each person, the replay library and its viewing
records. See docs/webinars.md."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.enrolment.models import Enrolment, Session

DEFAULT_PRESENCE_PERCENT = 75
DEFAULT_SHOW_LINK_MINUTES = 15
MAX_SHOW_LINK_MINUTES = 240
PERCENT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(100)]


class Provider(models.TextChoices):
    TEAMS = "teams", "Microsoft Teams"
    ZOOM = "zoom", "Zoom"
    BBB = "bigbluebutton", "BigBlueButton"
    JITSI = "jitsi", "Jitsi"
    YOUTUBE = "youtube", "YouTube"
    OTHER = "other", _("Autre")


class Webinar(models.Model):
    """What makes a session a webinar: where it is broadcast and how attendance is judged."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="webinar", verbose_name=_("session")
    )
    # The session's organisation, copied: every query filters on it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webinars"
    )
    provider = models.CharField(
        _("plateforme"), max_length=20, choices=Provider.choices, default=Provider.TEAMS
    )
    live_url = models.URLField(_("lien du direct"), max_length=500)
    show_link_minutes = models.PositiveSmallIntegerField(
        _("lien visible … minutes avant le début"),
        default=DEFAULT_SHOW_LINK_MINUTES,
        validators=[MaxValueValidator(MAX_SHOW_LINK_MINUTES)],
    )
    presence_percent = models.PositiveSmallIntegerField(
        _("présence minimale (% de la durée)"),
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Vide : la règle de l'organisation (75 % par défaut)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webinaire")
        verbose_name_plural = _("webinaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(presence_percent__isnull=True)
                | Q(presence_percent__gte=1, presence_percent__lte=100),
                name="webinar_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.session)


class WebinarPolicy(models.Model):
    """An organisation's default attendance rule for its webinars."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="webinar_policy"
    )
    presence_percent = models.PositiveSmallIntegerField(
        _("présence minimale (% de la durée)"),
        default=DEFAULT_PRESENCE_PERCENT,
        validators=PERCENT_VALIDATORS,
    )

    class Meta:
        verbose_name = _("règle de présence des webinaires")
        verbose_name_plural = _("règles de présence des webinaires")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.presence_percent} %"


class ColumnMapping(models.Model):
    """The columns last used for a provider's reports in an organisation (proposed next time)."""

    class Kind(models.TextChoices):
        PARTICIPANTS = "participants", _("Rapport de participation")
        VIEWS = "views", _("Statistiques de visionnage")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webinar_mappings"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PARTICIPANTS)
    mapping = models.JSONField(default=dict)  # key -> the header's text
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "kind"], name="webinar_mapping_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.provider} {self.kind}"


class ReportUpload(models.Model):
    """An uploaded report waiting for its preview to be confirmed (deleted once imported)."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class ParticipantReport(models.Model):
    """A report imported for a webinar (its hash: the same file imported again changes
    nothing)."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="reports")
    provider = models.CharField(_("plateforme"), max_length=20, choices=Provider.choices)
    filename = models.CharField(_("fichier"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("lignes"), default=0)
    people = models.PositiveIntegerField(_("personnes reconnues"), default=0)
    ignored = models.PositiveIntegerField(_("lignes ignorées"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rapport de participation")
        verbose_name_plural = _("rapports de participation")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["webinar", "sha256"], name="webinar_report_once"),
        ]

    def __str__(self) -> str:
        return self.filename


class ParticipantMinutes(models.Model):
    """A registered person's time in the webinar: the union of the intervals of every report
    imported (ISO pairs, clipped to the session), and its minutes."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="minutes")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webinar_minutes"
    )
    intervals = models.JSONField(default=list)
    minutes = models.PositiveIntegerField(default=0)
    present = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes de participation")
        verbose_name_plural = _("minutes de participation")
        constraints = [
            models.UniqueConstraint(fields=["webinar", "enrolment"], name="webinar_minutes_once"),
        ]

    def __str__(self) -> str:
        return f"{self.webinar_id}/{self.enrolment_id}: {self.minutes} min"


class Replay(models.Model):
    """A recording in an organisation's replay library (a link to the video platform, or a
    video file's URL played in the page)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="replays")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name=_("session"),
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name=_("module"),
    )
    theme = models.CharField(_("thème"), max_length=100, blank=True)
    video_url = models.URLField(_("adresse de la vidéo"), max_length=500)
    duration_seconds = models.PositiveIntegerField(
        _("durée (secondes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 3600)],
    )
    captions_vtt = models.TextField(_("sous-titres (WebVTT)"), blank=True)
    captions_language = models.CharField(max_length=10, default="fr")
    transcript = models.TextField(_("transcription"), blank=True)
    published = models.BooleanField(_("publié"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rediffusion")
        verbose_name_plural = _("rediffusions")
        ordering = ["-created_at", "title"]
        indexes = [models.Index(fields=["organisation", "published", "theme"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_direct_file(self) -> bool:
        """A video file (``.mp4``, ``.webm``…), not a platform's page. The replay page plays
        it itself when its host is configured (``players.player_for``)."""
        path = self.video_url.split("?", 1)[0].lower()
        return path.endswith((".mp4", ".webm", ".ogv", ".ogg", ".m4v"))


class ReplayView(models.Model):
    """Seconds of a replay watched: one row per viewing (the player's beacons, keyed by the
    page's viewing id) or per imported line of the video platform's statistics."""

    class Source(models.TextChoices):
        PLAYER = "player", _("Lecteur de la page")
        IMPORT = "import", _("Import de la plateforme vidéo")

    replay = models.ForeignKey(Replay, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replay_views",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # The player's viewing id (a UUID made by the page), or "<file hash>:<line>" for an import.
    key = models.CharField(max_length=100, default=uuid.uuid4)
    seconds = models.PositiveIntegerField(default=0)
    last_beat = models.PositiveIntegerField(default=0)
    viewed_on = models.DateField(_("date"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["replay", "key"], name="replay_view_once"),
        ]
        indexes = [models.Index(fields=["viewed_on"])]

    def __str__(self) -> str:
        return f"{self.replay_id}: {self.seconds} s"
