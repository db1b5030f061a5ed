"""Handing in projects, reviewing them, and what passing leads to (completion, badge)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.accounts.models import AuditEntry
from parcours.accounts.permissions import Actor
from parcours.assessments import actions, uploads
from parcours.assessments.models import Submission, SubmissionStatus
from parcours.assessments.tests.conftest import make_session, make_unit, pdf, png_bytes
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.pathways.models import Completion


def _submit(learner, module, **extra):
    return actions.submit_project(
        actor=Actor.of(learner),
        module=module,
        text=extra.pop("text", "Mon scénario d'évaluation pour une classe de 5e."),
        **extra,
    )


def test_submit_revise_resubmit_pass_records_the_completion(
    enrolled, trainer, unit, django_capture_on_commit_callbacks
):
    first = _submit(enrolled, unit, upload=pdf())
    assert first.version == 1 and first.status == SubmissionStatus.SUBMITTED
    assert uploads.read(first.stored_name).startswith(b"%PDF-")
    criteria = list(unit.assessment_criteria.all())
    actions.review_submission(
        actor=Actor.of(trainer),
        submission=first,
        result=SubmissionStatus.TO_REVISE,
        feedback="Précisez la grille d'évaluation.",
        criteria={
            criteria[0].pk: actions.CriterionJudgement(met=True),
            criteria[1].pk: actions.CriterionJudgement(met=False, comment="Pas encore"),
        },
    )
    assert not Completion.objects.exists()
    second = _submit(enrolled, unit, link="https://exemple.test/mon-projet")
    assert second.version == 2
    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.review_submission(
            actor=Actor.of(trainer), submission=second, result=SubmissionStatus.PASSED
        )
    assert outcome.completion is not None
    assert outcome.completion.source == Completion.Source.ASSESSMENT
    assert Completion.objects.get(learner=enrolled, module=unit)
    history = list(Submission.objects.filter(learner=enrolled).order_by("version"))
    assert [s.status for s in history] == [SubmissionStatus.TO_REVISE, SubmissionStatus.PASSED]
    assert [r.met for r in history[0].criterion_results.all()] == [True, False]
    assert AuditEntry.objects.filter(action="assessments.review.passed").count() == 1
    # Passed: nothing more to hand in.
    with pytest.raises(ValidationError):
        _submit(enrolled, unit, link="https://exemple.test/v3")


def test_one_version_waits_for_review_at_a_time(enrolled, unit):
    _submit(enrolled, unit, link="https://exemple.test/a")
    with pytest.raises(ValidationError):
        _submit(enrolled, unit, link="https://exemple.test/b")
    assert Submission.objects.count() == 1


def test_who_may_submit_and_review(learner, outsider, trainer, coordinator, org, unit, enrolled):
    other_unit = make_unit(org, "UE3")
    with pytest.raises(PermissionDenied):  # not enrolled in UE3, nor in a pathway with it
        _submit(learner, other_unit, link="https://exemple.test/a")
    with pytest.raises(PermissionDenied):
        _submit(outsider, unit, link="https://exemple.test/a")
    submission = _submit(enrolled, unit, link="https://exemple.test/a")
    with pytest.raises(PermissionDenied):
        actions.review_submission(
            actor=Actor.of(enrolled), submission=submission, result=SubmissionStatus.PASSED
        )
    with pytest.raises(PermissionDenied):
        actions.review_submission(
            actor=Actor.of(outsider), submission=submission, result=SubmissionStatus.PASSED
        )
    # The organisation's coordinator may review even without training a session.
    actions.review_submission(
        actor=Actor.of(coordinator), submission=submission, result=SubmissionStatus.PASSED
    )


def test_attendance_mode_module_takes_no_project(org, coordinator, trainer, learner):
    module = make_unit(org, "PRES", mode=Module.CompletionMode.ATTENDANCE)
    session = make_session(coordinator, org, module, trainer)
    enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    with pytest.raises(ValidationError):
        _submit(learner, module, link="https://exemple.test/a")


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (SimpleUploadedFile("projet.pdf", b"MZ\x90\x00 not a pdf"), "file"),
        (SimpleUploadedFile("projet.exe", b"MZ\x90\x00"), "file"),
        (SimpleUploadedFile("vide.pdf", b""), "file"),
        (SimpleUploadedFile("image.pdf", png_bytes()), "file"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(enrolled, unit, upload, field):
    with pytest.raises(ValidationError) as exc:
        _submit(enrolled, unit, upload=upload)
    assert field in exc.value.message_dict
    assert not Submission.objects.exists()
    assert not list(uploads.files_root().glob("*")) if uploads.files_root().exists() else True


def test_size_limit_and_required_parts(enrolled, unit, settings):
    settings.ASSESSMENTS_MAX_FILE_BYTES = 1024 * 1024
    big = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        _submit(enrolled, unit, upload=big)
    assert "trop lourd" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        _submit(enrolled, unit, text="", link="javascript:alert(1)")
    assert set(exc.value.message_dict) == {"text", "link"}
    with pytest.raises(ValidationError) as exc:
        _submit(enrolled, unit)
    assert "file" in exc.value.message_dict


def test_images_and_office_documents_are_accepted(enrolled, unit, trainer):
    submission = _submit(
        enrolled, unit, upload=SimpleUploadedFile("capture.png", png_bytes(), "image/png")
    )
    assert submission.content_type == "image/png"


def test_review_needs_feedback_unless_passed(enrolled, unit, trainer):
    submission = _submit(enrolled, unit, link="https://exemple.test/a")
    with pytest.raises(ValidationError) as exc:
        actions.review_submission(
            actor=Actor.of(trainer), submission=submission, result=SubmissionStatus.FAILED
        )
    assert "feedback" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.review_submission(actor=Actor.of(trainer), submission=submission, result="maybe")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_both_mode_waits_for_attendance(org, coordinator, trainer, learner):
    module = make_unit(org, "UE4", mode=Module.CompletionMode.BOTH)
    session = make_session(coordinator, org, module, trainer)
    enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    submission = _submit(learner, module, link="https://exemple.test/a")
    outcome = actions.review_submission(
        actor=Actor.of(trainer), submission=submission, result=SubmissionStatus.PASSED
    )
    assert outcome.waits_for_attendance and outcome.completion is None
    assert not Completion.objects.exists()
    # Attendance afterwards: the gate lets the passed learner through.
    import datetime as dt

    slots = list(session.slots.order_by("start"))
    for slot in slots:
        enrolment_actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, now=slots[-1].end + dt.timedelta(minutes=5)
        )
    assert Completion.objects.get(learner=learner, module=module)
