"""Calls, applying without an account, files, the board, decisions, referral, purge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from parcours.accounts.models import AuditEntry, Invitation, Organisation, User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions, uploads
from parcours.candidates.actions import applying
from parcours.candidates.models import (
    Answer,
    Application,
    ApplicationFile,
    Call,
    Decision,
    Message,
    Stage,
)
from parcours.candidates.tests.conftest import (
    call_data,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    upload,
)
from parcours.enrolment.models import Enrolment, Session

pytestmark = pytest.mark.django_db


def test_open_call_has_the_default_stages_in_order(call: Call) -> None:
    assert [s.label for s in call.stages.order_by("order")] == [
        "Réception",
        "Séance d'information",
        "Tests",
        "Entretien",
        "Décision",
    ]
    assert AuditEntry.objects.filter(action="candidates.call.open").count() == 1


def test_only_coordinators_of_the_organisation_open_calls(
    org: Organisation, trainer: User, outsider: User
) -> None:
    for person in (trainer, outsider):
        with pytest.raises(PermissionDenied):
            actions.open_call(actor=Actor.of(person), organisation=org, data=call_data("x"))
    assert not Call.objects.exists()


def test_stages_are_editable_but_a_stage_with_candidates_stays(
    call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    actor = Actor.of(coordinator)
    stages = actions.set_stages(actor=actor, call=call, labels=["Reçue", "Tests", "Fin"])
    assert [s.label for s in stages] == ["Reçue", "Tests", "Fin"]
    application = apply_to()
    actions.move(actor=actor, call=call, application_ids=[application.pk], stage=stages[2])
    with pytest.raises(ValidationError, match="contient encore"):
        actions.set_stages(actor=actor, call=call, labels=["Reçue"])
    assert call.stages.count() == 3


@pytest.mark.django_db(transaction=True)  # e-mails and file removal run on commit
def test_applying_creates_the_person_invites_them_and_queues_an_acknowledgement(
    call: Call, apply_to: Callable[..., Application], _private_files: Path
) -> None:
    application = apply_to(email="Nadia@Exemple.test", files={"cv": upload("cv.pdf", pdf_bytes())})
    assert application.email == "nadia@exemple.test"
    person = application.person
    assert person is not None and not person.has_usable_password()
    assert Invitation.objects.filter(
        email="nadia@exemple.test", organisation=call.organisation
    ).exists()
    assert application.stage.label == "Réception"
    stored = application.files.get()
    assert stored.content_type == "application/pdf"
    assert (_private_files / stored.stored_name).read_bytes() == pdf_bytes()
    subjects = [m.subject for m in mail.outbox]
    assert any("Candidature reçue" in s for s in subjects)
    assert Message.objects.get(application=application, kind="ack").status == "sent"


def test_an_existing_account_is_linked_not_duplicated(
    call: Call, apply_to: Callable[..., Application], learner: User
) -> None:
    application = apply_to(email=learner.email.upper())
    assert application.person == learner
    assert User.objects.filter(email__iexact=learner.email).count() == 1


def test_a_second_application_to_the_same_call_is_recognised(
    call: Call, apply_to: Callable[..., Application]
) -> None:
    apply_to(email="deux@exemple.test")
    with pytest.raises(ValidationError, match="déjà été reçue") as caught:
        apply_to(email="DEUX@exemple.test")
    assert caught.value.code == "duplicate"
    assert Application.objects.filter(call=call).count() == 1


def test_applying_after_the_call_closed_is_refused(
    call: Call, apply_to: Callable[..., Application]
) -> None:
    with pytest.raises(ValidationError, match="clos") as caught:
        apply_to(now=call.closes_at + dt.timedelta(minutes=1))
    assert caught.value.code == "closed"
    assert not Application.objects.exists()
    assert not User.objects.filter(email__startswith="candidat").exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("cv.pdf", b"MZ\x90\x00 not a pdf", "mismatch"),
        ("cv.docx", pdf_bytes(), "mismatch"),
        ("photo.png", b"%PDF-1.4 pretending", "mismatch"),
        ("cv.exe", b"MZ", "type"),
        ("vide.pdf", b"", "empty"),
        ("zip.docx", b"PK\x03\x04garbage", "mismatch"),
    ],
)
def test_files_are_checked_by_content(
    call: Call,
    apply_to: Callable[..., Application],
    name: str,
    content: bytes,
    code: str,
    _private_files: Path,
) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_to(files={"cv": upload(name, content)})
    assert caught.value.code == code
    assert not Application.objects.exists()
    assert not _private_files.exists() or not any(_private_files.iterdir())


def test_docx_and_images_are_accepted(call: Call, apply_to: Callable[..., Application]) -> None:
    application = apply_to(files={"cv": upload("cv.docx", docx_bytes())})
    assert application.files.get().content_type.endswith("document")
    other = apply_to(files={"cv": upload("cv.PNG", png_bytes())})
    assert other.files.get().content_type == "image/png"


def test_oversized_files_are_refused(
    call: Call, apply_to: Callable[..., Application], settings: object
) -> None:
    settings.CANDIDATES_MAX_FILE_BYTES = 100  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="trop lourd"):
        apply_to(files={"cv": upload("cv.pdf", pdf_bytes() + b"x" * 200)})
    assert not Application.objects.exists()


def test_files_are_removed_when_the_transaction_rolls_back(
    call: Call,
    apply_to: Callable[..., Application],
    _private_files: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    original = uploads.write

    def write_then_fail(name: str, content: bytes) -> None:
        original(name, content)
        monkeypatch.setattr(applying, "_queue", fail)

    monkeypatch.setattr(uploads, "write", write_then_fail)
    with pytest.raises(RuntimeError):
        apply_to(files={"cv": upload("cv.pdf", pdf_bytes())})
    assert not Application.objects.exists()
    assert not ApplicationFile.objects.exists()
    assert not any(_private_files.rglob("*.pdf"))


def test_typed_answers_are_checked(call: Call, apply_to: Callable[..., Application]) -> None:
    questions = {q.kind: q for q in call.questions.all()}
    base = {questions["text"].pk: "Oui", questions["yes_no"].pk: "oui"}
    for kind, value in (("choice", "Doctorat"), ("date", "31/02/2026"), ("number", "beaucoup")):
        with pytest.raises(ValidationError):
            apply_to(answers={**base, questions[kind].pk: value})
    with pytest.raises(ValidationError, match="obligatoire"):
        apply_to(answers={questions["yes_no"].pk: "oui"})
    ok = apply_to(
        answers={**base, questions["date"].pk: "2027-01-04", questions["number"].pk: "3,5"}
    )
    values = dict(Answer.objects.filter(application=ok).values_list("question__kind", "value"))
    assert values["date"] == "2027-01-04" and values["number"] == "3.5"


def test_consent_is_required(call: Call, apply_to: Callable[..., Application]) -> None:
    data = actions.ApplicationData(email="a@exemple.test", first_name="A", last_name="B")
    with pytest.raises(ValidationError, match="traitement"):
        actions.apply(call=call, data=data)


def test_moving_many_candidates_is_audited_and_marks_milestones(
    call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    apps = [apply_to() for _ in range(3)]
    tests = call.stages.get(milestone=Stage.Milestone.TESTS)
    actions.move(
        actor=Actor.of(coordinator), call=call, application_ids=[a.pk for a in apps], stage=tests
    )
    for application in apps:
        application.refresh_from_db()
        assert application.stage == tests
        assert application.tested_at is not None and application.informed_at is not None
    assert AuditEntry.objects.filter(action="candidates.application.move").count() == 3


def test_moving_applications_of_another_call_is_refused(
    call: Call, org: Organisation, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    other = actions.open_call(
        actor=Actor.of(coordinator), organisation=org, data=call_data("autre")
    )
    stranger = apply_to(other)
    with pytest.raises(ValidationError):
        actions.move(
            actor=Actor.of(coordinator),
            call=call,
            application_ids=[stranger.pk],
            stage=call.stages.first(),  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError):
        actions.move(
            actor=Actor.of(coordinator),
            call=call,
            application_ids=[stranger.pk],
            stage=other.stages.first(),  # type: ignore[arg-type]
        )


def test_outsiders_cannot_move_candidates(
    call: Call, outsider: User, apply_to: Callable[..., Application]
) -> None:
    application = apply_to()
    with pytest.raises(PermissionDenied):
        actions.move(
            actor=Actor.of(outsider),
            call=call,
            application_ids=[application.pk],
            stage=application.stage,
        )


@pytest.mark.django_db(transaction=True)  # e-mails and file removal run on commit
def test_inviting_a_group_to_an_information_session_enrols_them(
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
    make_session: Callable[..., Session],
) -> None:
    session = make_session(capacity=30)
    apps = [apply_to() for _ in range(2)]
    mail.outbox.clear()
    enrolments = actions.invite_to_session(
        actor=Actor.of(coordinator),
        call=call,
        application_ids=[a.pk for a in apps],
        session=session,
        purpose="information",
    )
    assert {e.learner_id for e in enrolments} == {a.person_id for a in apps}
    assert Enrolment.objects.filter(session=session).count() == 2
    assert len(mail.outbox) == 2  # enrolment's confirmation, with its calendar file
    for application in apps:
        application.refresh_from_db()
        assert application.stage.milestone == "information" and application.informed_at
    # Inviting again does not enrol twice.
    actions.invite_to_session(
        actor=Actor.of(coordinator),
        call=call,
        application_ids=[apps[0].pk],
        session=session,
        purpose="information",
    )
    assert Enrolment.objects.filter(session=session).count() == 2


def test_scores_and_interview_grids_per_interviewer(
    call: Call, coordinator: User, org: Organisation, apply_to: Callable[..., Application]
) -> None:
    from conftest import make_person

    second = make_person(org, "coordinator", "yves@technofutur.test", "Yves", "Martin")
    application = apply_to()
    actor = Actor.of(coordinator)
    from decimal import Decimal

    actions.record_score(
        actor=actor, application=application, test="Logique", score=Decimal(14), out_of=Decimal(20)
    )
    with pytest.raises(ValidationError):
        actions.record_score(
            actor=actor,
            application=application,
            test="Logique",
            score=Decimal(21),
            out_of=Decimal(20),
        )
    motivation, logic = call.criteria.order_by("order")
    actions.record_interview(
        actor=actor,
        application=application,
        scores={motivation.pk: (5, "Très motivée"), logic.pk: (3, "")},
    )
    actions.record_interview(
        actor=Actor.of(second),
        application=application,
        scores={motivation.pk: (3, ""), logic.pk: (3, "")},
    )
    # weights 3 and 2: (5*3 + 3*2 + 3*3 + 3*2) / 10 = 3.6
    assert actions.interview_result(application) == Decimal("3.60")
    with pytest.raises(ValidationError):
        actions.record_interview(
            actor=actor, application=application, scores={motivation.pk: (6, "")}
        )


@pytest.mark.django_db(transaction=True)  # e-mails and file removal run on commit
def test_deciding_queues_the_edited_email_per_person(
    call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    apps = [apply_to(first_name="Inès"), apply_to(first_name="Marc")]
    mail.outbox.clear()
    actions.decide(
        actor=Actor.of(coordinator),
        call=call,
        application_ids=[a.pk for a in apps],
        decision=Decision.SELECTED,
        subject="Bonne nouvelle, {prenom}",
        body="Bonjour {prenom}, vous êtes retenu·e pour {appel}.",
    )
    assert sorted(m.subject for m in mail.outbox) == [
        "Bonne nouvelle, Inès",
        "Bonne nouvelle, Marc",
    ]
    assert "Développeur·euse web" in mail.outbox[0].body
    for application in apps:
        application.refresh_from_db()
        assert application.decision == "selected" and application.stage.milestone == "decision"
    assert Message.objects.filter(kind="decision:selected", status="sent").count() == 2


def test_decision_emails_are_sent_after_commit_only(
    call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    application = apply_to()
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.decide(
            actor=Actor.of(coordinator),
            call=call,
            application_ids=[application.pk],
            decision=Decision.NOT_SELECTED,
            subject="x",
            body="y",
        )
        raise RuntimeError
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.decision == ""


@pytest.mark.django_db(transaction=True)  # e-mails and file removal run on commit
def test_referral_to_the_programme_and_reapplying_with_answers_prefilled(
    org: Organisation, coordinator: User, call: Call, apply_to: Callable[..., Application]
) -> None:
    actor = Actor.of(coordinator)
    programme = actions.open_call(
        actor=actor,
        organisation=org,
        data=call_data("preparatoire", kind="preparatory", questions=[], places=60),
    )
    call.referral_call = programme
    call.save()
    programme.followup_call = call
    programme.save()
    first = apply_to()
    subject, body = actions.template_for(Decision.REFERRED)
    referred = actions.refer(actor=actor, application=first, subject=subject, body=body)
    first.refresh_from_db()
    assert first.decision == "referred"
    assert (
        referred.call == programme
        and referred.previous == first
        and referred.person == first.person
    )
    with pytest.raises(ValidationError):
        actions.refer(actor=actor, application=first, subject=subject, body=body)

    mail.outbox.clear()
    subject, body = actions.template_for("reapply")
    (message,) = actions.invite_to_reapply(
        actor=actor, call=programme, application_ids=[referred.pk], subject=subject, body=body
    )
    assert "reprise=" in message.body and len(mail.outbox) == 1
    token = message.body.split("reprise=")[1].split()[0]
    earlier = actions.application_from_token(token)
    assert earlier == referred
    initial = actions.prefill(call, earlier)
    text_question = call.questions.get(kind="text")
    assert initial[f"q{text_question.pk}"] == "Je veux changer de métier."
    assert initial["email"] == first.email
    # Re-applying to the same call with the same e-mail: the first application is there...
    with pytest.raises(ValidationError, match="déjà"):
        apply_to(email=first.email, data={"reapply_token": token})
    assert actions.application_from_token("forged") is None


def test_reapplication_keeps_the_chain(
    org: Organisation, coordinator: User, call: Call, apply_to: Callable[..., Application]
) -> None:
    actor = Actor.of(coordinator)
    programme = actions.open_call(
        actor=actor, organisation=org, data=call_data("prep", kind="preparatory", questions=[])
    )
    call.referral_call = programme
    call.save()
    second_round = actions.open_call(actor=actor, organisation=org, data=call_data("tic-2028"))
    programme.followup_call = second_round
    programme.save()
    first = apply_to()
    subject, body = actions.template_for(Decision.REFERRED)
    referred = actions.refer(actor=actor, application=first, subject=subject, body=body)
    token = actions.reapply_token(referred)
    again = apply_to(second_round, email=first.email, data={"reapply_token": token})
    assert again.previous == referred and again.previous.previous == first


@pytest.mark.django_db(transaction=True)  # e-mails and file removal run on commit
def test_purge_removes_personal_data_and_files_but_keeps_counts(
    call: Call, coordinator: User, apply_to: Callable[..., Application], _private_files: Path
) -> None:
    kept = apply_to()
    gone = apply_to(files={"cv": upload("cv.pdf", pdf_bytes())})
    actor = Actor.of(coordinator)
    actions.decide(
        actor=actor,
        call=call,
        application_ids=[kept.pk],
        decision="selected",
        subject="s",
        body="b",
    )
    actions.decide(
        actor=actor,
        call=call,
        application_ids=[gone.pk],
        decision="not_selected",
        subject="s",
        body="b",
    )
    assert actions.purgeable() == []
    later = call.closes_at + dt.timedelta(days=call.retention_days + 1)
    assert [a.pk for a in actions.purgeable(later)] == [gone.pk]
    assert actions.purge(applications=actions.purgeable(later), now=later) == 1
    gone.refresh_from_db()
    assert gone.email == "" and gone.first_name == "" and gone.person is None and gone.purged_at
    assert not gone.files.exists() and not gone.answers.exists()
    assert not any(_private_files.rglob("*.pdf"))
    kept.refresh_from_db()
    assert kept.email and kept.decision == "selected"
    assert Application.objects.filter(call=call).count() == 2


def test_only_the_audiences_of_the_call_may_apply(
    call: Call, apply_to: Callable[..., Application]
) -> None:
    with pytest.raises(ValidationError, match="réservé à : Demandeurs d'emploi"):
        apply_to(data={"audience": "employees"})
    with pytest.raises(ValidationError, match="réservé"):
        apply_to(data={"audience": ""})
    assert apply_to().audience == "jobseekers"
