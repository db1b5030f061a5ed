"""Every write of assessments: criteria, projects handed in, reviews, consent to show a project
as a badge's evidence. Passing a project records the completion through
``pathways.actions.record_completion`` (source "assessment")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.assessments import permissions, uploads
from parcours.assessments.models import (
    RESULTS,
    Criterion,
    CriterionResult,
    Submission,
    SubmissionStatus,
)
from parcours.catalogue.models import Module
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import lock_learners, record_completion
from parcours.pathways.models import Completion

MAX_CRITERIA = 20
MAX_TEXT = 2000
MAX_FEEDBACK = 4000
MAX_COMMENT = 500
MAX_CRITERION = 300


# --- Criteria ----------------------------------------------------------------------------


def set_criteria(*, actor: Actor, module: Module, texts: Sequence[str]) -> list[Criterion]:
    """Replace the module's criteria with these texts, in this order (blank lines ignored).
    Reviews already made keep the criteria's texts as they were."""
    if not permissions.is_coordinator(actor, module.organisation_id):
        raise PermissionDenied(_("Seul·e un·e coordinateur·rice modifie les critères."))
    cleaned = [t.strip() for t in texts if t and t.strip()]
    if len(cleaned) > MAX_CRITERIA:
        raise ValidationError(
            {"criteria": [_("%(max)s critères au plus.") % {"max": MAX_CRITERIA}]}
        )
    too_long = [t for t in cleaned if len(t) > MAX_CRITERION]
    if too_long:
        raise ValidationError(
            {
                "criteria": [
                    _("Un critère tient en %(max)s caractères au plus.") % {"max": MAX_CRITERION}
                ]
            }
        )
    with transaction.atomic():
        Criterion.objects.filter(module=module).delete()
        created = Criterion.objects.bulk_create(
            [Criterion(module=module, position=i, text_fr=t) for i, t in enumerate(cleaned)]
        )
        audit.record(
            "assessments.criteria",
            actor=actor.user,
            organisation=module.organisation,
            obj=module,
            changes={"criteria": cleaned},
        )
    return created


# --- Handing in ----------------------------------------------------------------------------


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if len(link) > 500:
        raise ValidationError({"link": [_("Le lien tient en 500 caractères au plus.")]})
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError as exc:
        raise ValidationError(
            {"link": [_("Donnez une adresse web complète (https://…).")]}
        ) from exc
    return link


def submit_project(
    *,
    actor: Actor,
    module: Module,
    text: str,
    link: str = "",
    upload: UploadedFile | None = None,
    evidence_consent: bool = False,
) -> Submission:
    """The learner hands in a project (a file and/or a link, with a short text): a new version
    waiting for review. Refused when the module needs no project, when the learner follows
    neither one of its sessions nor a pathway that contains it, when a version is already
    waiting for review, or when the project has already passed."""
    learner = actor.user
    if module.completion_mode == Module.CompletionMode.ATTENDANCE:
        raise ValidationError(
            _("Ce module est réussi par les présences : il n'attend pas de projet.")
        )
    if not permissions.may_submit(learner, module):
        raise PermissionDenied(
            _(
                "Inscrivez-vous d'abord à une session de ce module "
                "(ou à un parcours qui le contient)."
            )
        )
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Présentez votre projet en quelques lignes.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [
            _("La présentation tient en %(max)s caractères au plus.") % {"max": MAX_TEXT}
        ]
    try:
        link = _clean_link(link)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked = None
    if upload is not None:
        try:
            checked = uploads.check_file(upload)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if not errors and checked is None and not link:
        errors["file"] = [_("Joignez un fichier ou donnez un lien vers votre projet.")]
    if errors:
        raise ValidationError(errors)
    stored = uploads.new_stored_name(checked.extension) if checked else ""
    try:
        with write_transaction():
            lock_learners([learner.pk])
            mine = Submission.objects.filter(learner=learner, module=module)
            if mine.filter(status=SubmissionStatus.PASSED).exists():
                raise ValidationError(_("Votre projet pour ce module est déjà réussi."))
            if mine.filter(status=SubmissionStatus.SUBMITTED).exists():
                raise ValidationError(
                    _("Une version de votre projet attend déjà la revue du formateur.")
                )
            version = (mine.aggregate(v=Max("version"))["v"] or 0) + 1
            submission = Submission.objects.create(
                organisation_id=module.organisation_id,
                module=module,
                learner=learner,
                version=version,
                text=text,
                link=link,
                file_name=checked.original_name if checked else "",
                stored_name=stored,
                content_type=checked.content_type if checked else "",
                file_size=len(checked.content) if checked else 0,
                file_sha256=checked.sha256 if checked else "",
                evidence_consent=evidence_consent,
                submitted_at=timezone.now(),
            )
            if checked:
                uploads.write(stored, checked.content)
            audit.record(
                "assessments.submit",
                actor=learner,
                organisation=module.organisation,
                obj=submission,
                changes={"module": module.code, "version": version, "file": bool(checked)},
            )
    except IntegrityError as exc:  # the partial unique constraints: a concurrent submit
        uploads.delete([stored])
        raise ValidationError(
            _("Une version de votre projet attend déjà la revue du formateur.")
        ) from exc
    except BaseException:
        uploads.delete([stored])
        raise
    return submission


def set_evidence_consent(*, actor: Actor, submission: Submission, consent: bool) -> Submission:
    """The learner agrees (or no longer agrees) that their project is shown as the evidence of
    the badge it leads to. A badge issued after agreeing points to the project's page; the page
    answers 404 once consent is withdrawn."""
    if submission.learner_id != actor.user.pk:
        raise PermissionDenied(_("Seul·e l'auteur·rice du projet choisit de le montrer."))
    Submission.objects.filter(pk=submission.pk).update(evidence_consent=consent)
    submission.evidence_consent = consent
    return submission


# --- Review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionJudgement:
    met: bool
    comment: str = ""


@dataclass
class ReviewOutcome:
    submission: Submission
    completion: Completion | None = None
    waits_for_attendance: bool = False


def review_submission(
    *,
    actor: Actor,
    submission: Submission,
    result: str,
    feedback: str = "",
    criteria: Mapping[int, CriterionJudgement] | None = None,
) -> ReviewOutcome:
    """A trainer of the module (or a coordinator) reviews a version waiting for review:
    passed / to revise / failed, with feedback (required unless passed) and a judgement per
    criterion. Passing records the module's completion (source "assessment") when the module
    is passed by assessment alone, or by both and the attendance rule is met; with "both" and
    attendance still short, the completion follows the attendance (``pathways.gates``)."""
    module = submission.module
    if not permissions.may_review(actor, module):
        raise PermissionDenied(_("Seuls les formateurs du module et les coordinateurs évaluent."))
    errors: dict[str, list[str]] = {}
    if result not in RESULTS:
        errors["result"] = [_("Choisissez un résultat : réussi, à retravailler ou non réussi.")]
    feedback = (feedback or "").strip()
    if result in (SubmissionStatus.TO_REVISE, SubmissionStatus.FAILED) and not feedback:
        errors["feedback"] = [_("Dites à l'apprenant·e ce qui manque : le retour est requis.")]
    if len(feedback) > MAX_FEEDBACK:
        errors["feedback"] = [
            _("Le retour tient en %(max)s caractères au plus.") % {"max": MAX_FEEDBACK}
        ]
    known = {c.pk: c for c in Criterion.objects.filter(module=module)}
    judged = dict(criteria or {})
    if set(judged) - set(known):
        errors["criteria"] = [_("Un critère ne fait pas partie de ce module.")]
    if any(len(j.comment or "") > MAX_COMMENT for j in judged.values()):
        errors["criteria"] = [
            _("Un commentaire tient en %(max)s caractères au plus.") % {"max": MAX_COMMENT}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    outcome = ReviewOutcome(submission=submission)
    with write_transaction():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("Cette version a déjà été revue."))
        locked.status = result
        locked.feedback = feedback
        locked.reviewer = actor.user
        locked.reviewed_at = now
        locked.save(update_fields=["status", "feedback", "reviewer", "reviewed_at"])
        CriterionResult.objects.bulk_create(
            [
                CriterionResult(
                    submission=locked,
                    criterion=known[pk],
                    criterion_text=known[pk].text_fr,
                    position=known[pk].position,
                    met=j.met,
                    comment=(j.comment or "").strip(),
                )
                for pk, j in sorted(judged.items(), key=lambda kv: known[kv[0]].position)
            ]
        )
        audit.record(
            f"assessments.review.{result}",
            actor=actor.user,
            organisation=module.organisation,
            obj=locked,
            changes={
                "module": module.code,
                "learner": locked.learner_id,
                "version": locked.version,
            },
        )
        if result == SubmissionStatus.PASSED:
            outcome.completion, outcome.waits_for_attendance = _complete(locked, actor.user)
        outcome.submission = locked
    return outcome


def _complete(submission: Submission, reviewer: User) -> tuple[Completion | None, bool]:
    module = submission.module
    if module.completion_mode == Module.CompletionMode.BOTH and not permissions.attendance_met(
        submission.learner_id, module
    ):
        return None, True
    result = record_completion(
        learner=submission.learner,
        module=module,
        source=Completion.Source.ASSESSMENT,
        actor=reviewer,
    )
    return result.completion, False


def passed_learners(module: Module, learner_ids: list[int]) -> set[int]:
    """``pathways.gates``: the learners whose project for this module passed."""
    return set(
        Submission.objects.filter(
            module=module, learner_id__in=learner_ids, status=SubmissionStatus.PASSED
        ).values_list("learner_id", flat=True)
    )
