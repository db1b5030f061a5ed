"""Competence frameworks and training modules."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.querysets import ModuleQuerySet
from parcours.lib.i18n import pick


class Framework(models.Model):
    """A competence framework: DigComp 3.0, DigCompEdu, EntreComp…"""

    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    version = models.CharField(_("version"), max_length=40, blank=True)
    publisher = models.CharField(_("éditeur"), max_length=200, blank=True)
    source_url = models.URLField(_("source"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("référentiel de compétences")
        verbose_name_plural = _("référentiels de compétences")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProficiencyLevel(models.Model):
    """A level of a framework's proficiency scale (1–8, or A1–C2)."""  # noqa: RUF002 - typography

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(_("rang"))
    name_fr = models.CharField(max_length=120, blank=True)
    name_en = models.CharField(max_length=120, blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("niveau de maîtrise")
        verbose_name_plural = _("niveaux de maîtrise")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="level_code_per_framework"),
        ]

    def __str__(self) -> str:
        name = self.name
        return f"{self.code} — {name}" if name and name != self.code else self.code

    @property
    def name(self) -> str:
        return pick(self, "name")


class CompetenceArea(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("rang"), default=0)
    title_fr = models.CharField(max_length=300, blank=True)
    title_en = models.CharField(max_length=300, blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("domaine de compétences")
        verbose_name_plural = _("domaines de compétences")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_code_per_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return pick(self, "title")


class Competence(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences")
    area = models.ForeignKey(CompetenceArea, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("rang"), default=0)
    title_fr = models.CharField(max_length=300, blank=True)
    title_en = models.CharField(max_length=300, blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["framework", "area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="competence_code_per_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return pick(self, "title")

    @property
    def description(self) -> str:
        return pick(self, "description")


class CompetenceStatement(models.Model):
    """What a person can do at a level of a competence (DigComp statements, EntreComp levels)."""

    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="statements")
    level = models.ForeignKey(
        ProficiencyLevel, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("nature"), max_length=40, blank=True)
    text_fr = models.TextField(blank=True)
    text_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("énoncé de compétence")
        verbose_name_plural = _("énoncés de compétence")
        ordering = ["competence", "level__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["competence", "code"], name="statement_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return pick(self, "text")


class Module(models.Model):
    """A training module of the catalogue (an offer, not a dated session)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")
        ARCHIVED = "archived", _("Archivé")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("En présentiel")
        VIRTUAL_CLASS = "virtual_class", _("Classe virtuelle")
        HYBRID = "hybrid", _("Hybride")
        SELF_PACED = "self_paced", _("À son rythme (en ligne)")

    class Audience(models.TextChoices):
        TEACHERS = "teachers", _("Enseignants")
        SCHOOL_HEADS = "school_heads", _("Directions d'école")
        JOBSEEKERS = "jobseekers", _("Demandeurs d'emploi")
        EMPLOYEES = "employees", _("Travailleurs")
        PUPILS = "pupils", _("Élèves (8–18 ans)")  # noqa: RUF001 - French typography
        EVERYONE = "everyone", _("Tout public")

    class Language(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("Anglais")
        NL = "nl", _("Néerlandais")
        DE = "de", _("Allemand")

    class CompletionMode(models.TextChoices):
        ATTENDANCE = "attendance", _("Présences")
        ASSESSMENT = "assessment", _("Évaluation (projet)")
        BOTH = "both", _("Présences et évaluation")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="modules",
        verbose_name=_("organisation"),
    )
    code = models.CharField(
        _("code"),
        max_length=30,
        help_text=_("Court et unique dans l'organisation, p. ex. M1A ou IOT-101."),
    )
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    summary_fr = models.TextField(_("résumé (français)"), max_length=600, blank=True)
    summary_en = models.TextField(_("résumé (anglais)"), max_length=600, blank=True)
    description_fr = models.TextField(_("description (français, Markdown)"), blank=True)
    description_en = models.TextField(_("description (anglais, Markdown)"), blank=True)
    objectives_fr = models.TextField(_("objectifs (français, Markdown)"), blank=True)
    objectives_en = models.TextField(_("objectifs (anglais, Markdown)"), blank=True)
    prerequisites_fr = models.TextField(_("prérequis (français)"), blank=True)
    prerequisites_en = models.TextField(_("prérequis (anglais)"), blank=True)
    duration_hours = models.DecimalField(_("durée (heures)"), max_digits=6, decimal_places=2)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    audience = models.CharField(
        _("public"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    language = models.CharField(
        _("langue"), max_length=5, choices=Language.choices, default=Language.FR
    )
    completion_mode = models.CharField(
        _("le module est réussi par"),
        max_length=12,
        choices=CompletionMode.choices,
        default=CompletionMode.ATTENDANCE,
        help_text=_(
            "Présences : la règle de présence suffit. Évaluation : un projet réussi, revu par "
            "un formateur. Les deux : présences suffisantes et projet réussi."
        ),
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Accent-folded text of everything searchable, kept by the actions (see search.py).
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL full-text vector (config french_unaccent), kept by the actions through
    # search.py. Stays NULL on SQLite, which searches the catalogue_module_fts FTS5 table
    # instead. Its GIN index is created on PostgreSQL only, by migration 0002 (a GinIndex in
    # Meta would make SQLite fail: it has no "USING gin").
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["title_fr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="module_code_per_org"),
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0), name="module_duration_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "organisation"]),
            models.Index(fields=["status", "format"]),
            # The public list in title order, and the candidates of a search (their title for
            # ties, the filters), read from this narrow index instead of the wide rows.
            models.Index(
                fields=[
                    "status",
                    "title_fr",
                    "id",
                    "format",
                    "audience",
                    "language",
                    "organisation",
                ],
                name="module_listing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def title(self) -> str:
        return pick(self, "title")

    @property
    def summary(self) -> str:
        return pick(self, "summary")

    @property
    def description(self) -> str:
        return pick(self, "description")

    @property
    def objectives(self) -> str:
        return pick(self, "objectives")

    @property
    def prerequisites(self) -> str:
        return pick(self, "prerequisites")

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ModuleCompetence(models.Model):
    """A competence a module targets, at a level of that framework."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="competence_links")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        ProficiencyLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("compétence visée")
        verbose_name_plural = _("compétences visées")
        constraints = [
            models.UniqueConstraint(fields=["module", "competence"], name="module_competence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.module.code}: {self.competence.code}"


# --- Full-text search on SQLite (see search.py; PostgreSQL uses Module.search_vector) ----


class FtsDocumentField(models.TextField):
    """The hidden column an SQLite FTS5 table has under its own name: the whole document.

    It is what ``MATCH`` and the ranking function ``bm25()`` take.
    """


@FtsDocumentField.register_lookup
class FtsMatch(models.Lookup):
    """``search_entry__document__match="…"`` → ``<table>.<table> MATCH %s``."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class ModuleSearchEntry(models.Model):
    """A row of the FTS5 table ``catalogue_module_fts`` (rowid = module_id = module id).

    SQLite only. Unmanaged: migration 0002 creates the virtual table; ``search.index_module``
    writes it; only ``search.py`` queries it, joined from Module (``search_entry``). The join
    uses the UNINDEXED ``module_id`` column, not the rowid, on purpose: then SQLite's planner
    always runs the full-text query first and fetches modules by primary key, instead of
    re-running the full-text query once per module of an indexed filter (e.g. the status).
    """

    id = models.BigIntegerField(primary_key=True, db_column="rowid")
    module = models.OneToOneField(
        Module,
        on_delete=models.DO_NOTHING,
        db_column="module_id",
        related_name="search_entry",
    )
    document = FtsDocumentField(db_column="catalogue_module_fts")

    class Meta:
        managed = False
        db_table = "catalogue_module_fts"

    def __str__(self) -> str:
        return f"FTS #{self.pk}"


class CatalogueGeneration(models.Model):
    """One row whose ``value`` changes (a new random value) with every write that changes what
    the catalogue's list pages show: caches of their data are keyed by it (see
    ``parcours.catalogue.cache``). Random rather than a counter, so that a rolled-back
    transaction can never make an old value mean other data."""

    value = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("génération du catalogue")
        verbose_name_plural = _("générations du catalogue")

    def __str__(self) -> str:
        return self.value


class SearchSynonym(models.Model):
    """Terms that mean the same in a catalogue search: « IA » ↔ « intelligence artificielle ».

    ``term`` and every one of ``expansions`` (comma-separated) find each other, both ways (see
    ``search.expand_query``). ``organisation`` empty: for the whole platform (platform
    administrators edit those); otherwise the organisation's coordinators and administrators.
    Written only by ``actions.create_synonym`` / ``update_synonym`` / ``delete_synonym``.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="search_synonyms",
        verbose_name=_("organisation"),
    )
    term = models.CharField(_("terme"), max_length=100)
    expansions = models.CharField(
        _("équivalents"),
        max_length=500,
        help_text=_("Séparés par des virgules, p. ex. « intelligence artificielle, AI »."),
    )
    # The term as searches see it (search.synonym_key, joined by spaces): one entry per term.
    key = models.CharField(max_length=200, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("synonyme de recherche")
        verbose_name_plural = _("synonymes de recherche")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=models.Q(organisation__isnull=False),
                name="synonym_once_per_org",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True),
                name="synonym_once_platform_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} ↔ {self.expansions}"

    @property
    def expansion_list(self) -> list[str]:
        return split_expansions(self.expansions)


def split_expansions(text: str) -> list[str]:
    """« intelligence artificielle, AI » → ["intelligence artificielle", "AI"] (no empties)."""
    parts = (part.strip() for part in (text or "").replace(";", ",").split(","))
    return [part for part in parts if part]
