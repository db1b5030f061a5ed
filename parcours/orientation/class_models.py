"""Games, the interest quiz and class mode (imported at the end of ``models.py``).

What a child does here keeps no personal data: a game is scored in the browser, a quiz result is
stored as its answers and scores under a short code, and in class mode a pupil is a first name or
a pseudonym typed on a tablet, deleted with their answers 30 days after the visit (only the
class's counts remain, in ``ClassVisit.summary`` and ``participant_count``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.lib.i18n import pick
from parcours.scheduling.models import OutreachPupilCount, OutreachRequest

from .models import JobSheet, World


class GameItem(models.Model):
    """One question of a world's game: a prompt, the right answer and one to three wrong ones."""

    class Kind(models.TextChoices):
        THIS_OR_THAT = "this_or_that", _("Ceci ou cela")
        SORT = "sort", _("Trier les tâches")
        TOOL = "tool", _("Devine l'outil")

    world = models.ForeignKey(
        World, on_delete=models.CASCADE, related_name="game_items", verbose_name=_("monde")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.TOOL)
    prompt_fr = models.CharField(_("question (français)"), max_length=300)
    prompt_en = models.CharField(_("question (anglais)"), max_length=300, blank=True)
    answer_fr = models.CharField(_("bonne réponse (français)"), max_length=120)
    answer_en = models.CharField(_("bonne réponse (anglais)"), max_length=120, blank=True)
    wrong_1_fr = models.CharField(_("mauvaise réponse 1 (français)"), max_length=120)
    wrong_1_en = models.CharField(_("mauvaise réponse 1 (anglais)"), max_length=120, blank=True)
    wrong_2_fr = models.CharField(_("mauvaise réponse 2 (français)"), max_length=120, blank=True)
    wrong_2_en = models.CharField(_("mauvaise réponse 2 (anglais)"), max_length=120, blank=True)
    wrong_3_fr = models.CharField(_("mauvaise réponse 3 (français)"), max_length=120, blank=True)
    wrong_3_en = models.CharField(_("mauvaise réponse 3 (anglais)"), max_length=120, blank=True)
    explanation_fr = models.CharField(_("explication (français)"), max_length=300, blank=True)
    explanation_en = models.CharField(_("explication (anglais)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("rang"), default=0)
    is_published = models.BooleanField(_("publiée"), default=True)

    class Meta:
        verbose_name = _("question de jeu")
        verbose_name_plural = _("questions de jeu")
        ordering = ["world", "order", "id"]

    def __str__(self) -> str:
        return self.prompt

    @property
    def prompt(self) -> str:
        return pick(self, "prompt")

    @property
    def answer(self) -> str:
        return pick(self, "answer")

    @property
    def explanation(self) -> str:
        return pick(self, "explanation")

    @property
    def wrong_answers(self) -> list[str]:
        return [w for w in (pick(self, f"wrong_{n}") for n in (1, 2, 3)) if w]


class QuizStatement(models.Model):
    """A statement of the interest quiz ("J'aime démonter des objets"), tied to one world."""

    world = models.ForeignKey(
        World, on_delete=models.CASCADE, related_name="quiz_statements", verbose_name=_("monde")
    )
    text_fr = models.CharField(_("affirmation (français)"), max_length=200)
    text_en = models.CharField(_("affirmation (anglais)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("rang"), default=0)

    class Meta:
        verbose_name = _("affirmation du quiz")
        verbose_name_plural = _("affirmations du quiz")
        ordering = ["order", "world__order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self, "text")


class QuizResult(models.Model):
    """A quiz taken (answers and scores only: nobody's name), reopened with its code."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="orientation_quiz_results"
    )
    code = models.CharField(_("code"), max_length=6, unique=True)
    answers = models.JSONField(_("réponses"), default=dict)  # statement id -> 0, 1, 2
    scores = models.JSONField(_("scores"), default=dict)  # world id -> percent
    suggested = models.JSONField(_("mondes suggérés"), default=list)  # world ids, best first
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("résultat de quiz")
        verbose_name_plural = _("résultats de quiz")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class ClassVisit(models.Model):
    """A class activity run by a facilitator: pupils join with its code."""

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        CLOSED = "closed", _("Terminée")

    Grade = OutreachPupilCount.Grade

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="orientation_class_visits"
    )
    title = models.CharField(_("classe"), max_length=200)
    grade = models.CharField(_("année"), max_length=3, choices=Grade.choices, blank=True)
    outreach = models.ForeignKey(
        OutreachRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orientation_class_visits",
        verbose_name=_("animation réservée"),
    )
    code = models.CharField(_("code"), max_length=6, unique=True)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("animateur"),
    )
    teacher_email = models.EmailField(_("e-mail de l'enseignant"), blank=True)
    opened_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    closed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    kit_sent_at = models.DateTimeField(_("kit envoyé le"), null=True, blank=True)
    purged_at = models.DateTimeField(_("données des élèves effacées le"), null=True, blank=True)
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    summary = models.JSONField(_("résultats anonymes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("visite de classe")
        verbose_name_plural = _("visites de classe")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["organisation", "opened_at"], name="classvisit_org_opened")]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Pupil(models.Model):
    """A pupil in a class visit: a first name or pseudonym, no account. Deleted after 30 days."""

    visit = models.ForeignKey(ClassVisit, on_delete=models.CASCADE, related_name="pupils")
    pseudonym = models.CharField(_("prénom ou pseudo"), max_length=30)
    pseudonym_key = models.CharField(max_length=30)  # folded: "Léa" and "lea " are one pupil
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the tablet's token
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("élève")
        verbose_name_plural = _("élèves")
        constraints = [
            models.UniqueConstraint(fields=["visit", "pseudonym_key"], name="pupil_name_per_visit")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class ClassAnswer(models.Model):
    """One thing a pupil did, sent by the tablet with an id it made (``client_id``): sent twice
    (a lost acknowledgement, a reconnection), it is stored once."""

    class Kind(models.TextChoices):
        WORLD = "world", _("Monde aimé")
        OCCUPATION = "occupation", _("Métier ouvert")
        GAME = "game", _("Jeu joué")
        QUIZ = "quiz", _("Quiz")

    visit = models.ForeignKey(ClassVisit, on_delete=models.CASCADE, related_name="answers")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="answers")
    client_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    world = models.ForeignKey(World, on_delete=models.CASCADE, null=True, related_name="+")
    job_sheet = models.ForeignKey(JobSheet, on_delete=models.CASCADE, null=True, related_name="+")
    value = models.SmallIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réponse d'élève")
        verbose_name_plural = _("réponses d'élèves")
        indexes = [models.Index(fields=["visit", "kind"], name="classanswer_visit_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"
