"""What reporting stores itself: the historical baselines organisations type once, and the
networks (several organisations whose figures a platform operator or a funder reads summed).

Everything else reporting shows is read from the other apps' rows at the time of asking.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.scheduling.models import Resource

MAX_BASELINE = 100_000_000


class OutreachBaseline(models.Model):
    """Pupils an organisation reached before Parcours (e.g. the truck's 40,000 since 2009),
    added to the "since the start" figure. One per mobile unit, or one for the organisation
    (``unit`` empty)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="outreach_baselines",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Resource.Kind.MOBILE_UNIT},
        verbose_name=_("unité mobile"),
        help_text=_("Vide : toutes les unités de l'organisation."),
    )
    pupils = models.PositiveIntegerField(
        _("élèves atteints avant Parcours"), validators=[MaxValueValidator(MAX_BASELINE)]
    )
    since = models.PositiveSmallIntegerField(
        _("depuis l'année"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2100)],
    )
    note = models.CharField(_("source du chiffre"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("historique des animations")
        verbose_name_plural = _("historiques des animations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "unit"], name="outreach_baseline_per_unit"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(unit=None),
                name="outreach_baseline_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.pupils}"


class Network(models.Model):
    """Organisations whose figures are read summed, by the platform operator and the members."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="report_networks", verbose_name=_("organisations")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="report_networks",
        blank=True,
        verbose_name=_("lecteurs"),
        help_text=_("Les personnes (p. ex. un bailleur de fonds) qui peuvent lire ces chiffres."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réseau")
        verbose_name_plural = _("réseaux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportJob(models.Model):
    """One production of the yearly activity report (PDF, Excel workbook, CSV ZIP), made by a
    background task: the page that asked for it shows its progress, then the download links.

    The files are kept in the database (a few hundred kilobytes: figures, not raw rows) so that
    they are served only through the download view, after the permission check.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("organisation"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    first = models.DateField(_("premier jour"))
    last = models.DateField(_("dernier jour"))
    kind = models.CharField(_("type de période"), max_length=20, default="year")
    language = models.CharField(_("langue"), max_length=8, default="fr")
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("étape en cours"), max_length=200, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    workbook = models.BinaryField(null=True, editable=False)
    csv_zip = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapport d'activité produit")
        verbose_name_plural = _("rapports d'activité produits")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="report_job_org_recent")
        ]
        constraints = [
            # One report in the making per organisation and period: two clicks (or two people)
            # at once make one job, whatever the timing.
            models.UniqueConstraint(
                fields=["organisation", "first", "last"],
                condition=models.Q(status__in=["queued", "running"]),
                name="report_job_one_pending_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.first}..{self.last} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# --- Pre-aggregated facts (parcours/reporting/facts.py) ---------------------------------------
# Plain integer columns, no foreign keys: a fact outlives nothing (it is rebuilt from the raw
# rows whenever its session is marked dirty, and removed when the session is gone), and a
# deleted session must not block on its facts.


class LearnerDayFact(models.Model):
    """One learner's roll-call marks in one session on one local (Brussels) day: seat-holding
    enrolments in sessions not cancelled only, with the learner's declared profile."""

    organisation_id = models.BigIntegerField()
    session_id = models.BigIntegerField()
    learner_id = models.BigIntegerField()
    day = models.DateField()
    month = models.PositiveIntegerField()  # year * 100 + month of ``day``
    site_id = models.BigIntegerField(null=True)
    module_id = models.BigIntegerField()
    marks = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    present_seconds = models.BigIntegerField()
    audience = models.CharField(max_length=20, blank=True)
    school_year = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=12, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True)
    age_band = models.CharField(max_length=12, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "day"], name="rep_learnerfact_org_day"),
            models.Index(fields=["session_id"], name="rep_learnerfact_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.learner_id}/{self.day}"


class SessionDayFact(models.Model):
    """One session on one local day where it has slots: what the session figures need."""

    organisation_id = models.BigIntegerField()
    session_id = models.BigIntegerField()
    day = models.DateField()
    site_id = models.BigIntegerField(null=True)
    module_id = models.BigIntegerField()
    cancelled = models.BooleanField()
    capacity = models.PositiveIntegerField()
    seats = models.PositiveIntegerField()  # seat-holding enrolments of the session
    first_start = models.DateTimeField()  # the day's first slot

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "day"], name="rep_sessionfact_org_day"),
            models.Index(fields=["session_id"], name="rep_sessionfact_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.day}"


class WaitlistFact(models.Model):
    """A learner still on the waiting list of a session not cancelled, dated on the local day
    of the session's start (the "unmet demand" figure)."""

    organisation_id = models.BigIntegerField()
    session_id = models.BigIntegerField()
    learner_id = models.BigIntegerField()
    day = models.DateField()
    site_id = models.BigIntegerField(null=True)
    module_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "day"], name="rep_waitfact_org_day"),
            models.Index(fields=["session_id"], name="rep_waitfact_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.learner_id}"


class DirtySession(models.Model):
    """A session whose facts are stale: written by database triggers in the transaction that
    changes its raw rows (migration 0005), removed by the rebuild that saw that ``version``."""

    session_id = models.BigIntegerField(primary_key=True)
    organisation_id = models.BigIntegerField(null=True)
    version = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return str(self.session_id)


class FactLock(models.Model):
    """One row: rebuilders update it first, so two readers never rebuild the same facts; its
    ``token`` changes with every rebuild (the generation cached measures are keyed by)."""

    turns = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True)
    raw_token = models.CharField(max_length=32, blank=True)  # changes with RawChange rows
    # Set (and committed) while ``facts.rebuild_all`` runs: pages read the facts as they were
    # and say that they are being recalculated, instead of waiting for the rebuild.
    rebuilding_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.turns)


class RawChange(models.Model):
    """A row of a table the room occupancy, parking and catering are computed from (bookings,
    reservations, rooms, opening hours, closures, catering lines and items, sites) changed:
    written by database triggers (migration 0005), removed by the reader that sees it (and
    changes ``FactLock.raw_token``)."""

    source = models.CharField(max_length=40)
    row_id = models.BigIntegerField()
    version = models.BigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "row_id"], name="reporting_rawchange_row")
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.row_id}"


class FactMonth(models.Model):
    """A token per organisation and month of facts, renewed by every rebuild that changed (or
    removed) facts of that month: the cached monthly partial measures are keyed by it, so a
    roll call invalidates one month of one organisation, not every organisation's figures."""

    organisation_id = models.BigIntegerField()
    month = models.PositiveIntegerField()  # year * 100 + month
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_id", "month"], name="reporting_factmonth_org_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.month}"
