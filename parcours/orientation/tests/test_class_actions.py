"""Class mode, quiz and retention through the real actions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.lib import figures
from parcours.orientation import class_actions as actions
from parcours.orientation import codes
from parcours.orientation.class_models import ClassAnswer, ClassVisit, Pupil, QuizResult
from parcours.orientation.class_queries import live_summary
from parcours.orientation.tests.class_helpers import Content, answer, make_content


@pytest.fixture
def content(org: Organisation) -> Content:
    return make_content(org)


@pytest.fixture
def visit(trainer: User, org: Organisation, content: Content) -> ClassVisit:
    return actions.open_class_visit(
        actor=Actor.of(trainer), organisation=org, title="5e primaire B", grade="P5"
    )


def test_a_quiz_result_is_stored_under_a_code_with_suggestions(
    org: Organisation, content: Content
) -> None:
    s = content.statements  # two per world: mécanosphère, géoterra, atominatis
    result = actions.take_quiz(
        organisation=org,
        answers={str(s[0].pk): "2", str(s[1].pk): "2", str(s[2].pk): "1", str(s[4].pk): "0"},
    )
    assert codes.is_valid(result.code)
    assert result.suggested == [content.worlds[0].pk, content.worlds[1].pk]
    assert result.scores[str(content.worlds[0].pk)] == 100
    assert QuizResult.objects.get(code=result.code).answers[str(s[2].pk)] == 1


@pytest.mark.parametrize(
    "answers", [{}, {"999999": 2}, {"x": 1}, {"1": 7}, {str(n): 1 for n in range(300)}]
)
def test_bad_quiz_answers_are_refused_clearly(
    org: Organisation, content: Content, answers: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        actions.take_quiz(organisation=org, answers=answers)
    assert not QuizResult.objects.exists()


def test_another_organisations_statements_do_not_count(
    org: Organisation, other_org: Organisation, content: Content
) -> None:
    theirs = make_content(other_org, prefix="o-")
    with pytest.raises(ValidationError):
        actions.take_quiz(organisation=org, answers={str(theirs.statements[0].pk): 2})


def test_only_staff_open_a_class(
    org: Organisation, learner: User, outsider: User, content: Content
) -> None:
    for person in (learner, outsider):
        with pytest.raises(PermissionDenied):
            actions.open_class_visit(actor=Actor.of(person), organisation=org, title="Classe")
    assert not ClassVisit.objects.exists()


def test_a_class_gets_a_unique_readable_code(
    visit: ClassVisit, trainer: User, org: Organisation
) -> None:
    other = actions.open_class_visit(actor=Actor.of(trainer), organisation=org, title="Autre")
    assert codes.is_valid(visit.code) and codes.is_valid(other.code)
    assert visit.code != other.code
    assert visit.is_open and visit.grade == "P5"


def test_pupils_join_with_the_code_and_a_pseudonym(visit: ClassVisit) -> None:
    pupil, token = actions.join_class(code=visit.code.lower(), pseudonym="  Léa ")
    assert pupil.pseudonym == "Léa"
    assert actions.pupil_for(token) == pupil
    assert pupil.token_hash != token  # only the hash is kept
    with pytest.raises(ValidationError, match="déjà pris"):
        actions.join_class(code=visit.code, pseudonym="lea")
    visit.refresh_from_db()
    assert visit.participant_count == 1


@pytest.mark.parametrize("name", ["", "   ", "a" * 31, "léa@ecole.be", "<script>", "_x"])
def test_odd_pseudonyms_are_refused(visit: ClassVisit, name: str) -> None:
    with pytest.raises(ValidationError):
        actions.join_class(code=visit.code, pseudonym=name)
    assert not Pupil.objects.exists()


def test_a_closed_or_unknown_class_cannot_be_joined(visit: ClassVisit, trainer: User) -> None:
    with pytest.raises(ValidationError, match="aucune classe"):
        actions.join_class(code="AAAAAA", pseudonym="Tom")
    actions.close_class_visit(actor=Actor.of(trainer), visit=visit)
    with pytest.raises(ValidationError, match="aucune classe"):
        actions.join_class(code=visit.code, pseudonym="Tom")


def test_answers_are_stored_exactly_once(visit: ClassVisit, content: Content) -> None:
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Tom")
    batch = [
        answer("world", world=content.worlds[0].pk),
        answer("occupation", sheet=content.sheets[1].pk),
        answer("game", world=content.worlds[2].pk, value=3),
    ]
    first = actions.record_answers(pupil=pupil, answers=batch)
    again = actions.record_answers(pupil=pupil, answers=batch)  # the acknowledgement was lost
    assert sorted(first.accepted) == sorted(a["id"] for a in batch)
    assert sorted(again.accepted) == sorted(first.accepted)
    assert ClassAnswer.objects.count() == 3
    summary = live_summary(visit)
    assert summary.world_likes == {content.worlds[0].pk: 1}
    assert summary.occupations_opened == {content.sheets[1].pk: 1}
    assert summary.game_points == {content.worlds[2].pk: 3}


def test_bad_answers_are_rejected_not_stored(
    visit: ClassVisit, content: Content, other_org: Organisation
) -> None:
    theirs = make_content(other_org, prefix="o-")
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Tom")
    batch = [
        answer("world", world=theirs.worlds[0].pk),
        answer("occupation", sheet=theirs.sheets[0].pk),
        answer("dance", world=content.worlds[0].pk),
        answer("game", world=content.worlds[0].pk, value=-5),
        answer("world", world="1e99"),
        {"id": "not-a-uuid", "kind": "world", "world": content.worlds[0].pk},
    ]
    receipt = actions.record_answers(pupil=pupil, answers=batch)
    assert receipt.accepted == []
    assert len(receipt.rejected) == 5
    assert not ClassAnswer.objects.exists()


def test_the_quiz_in_class_counts_each_pupils_top_world(
    visit: ClassVisit, content: Content
) -> None:
    s = content.statements
    for name, liked in (("Tom", 2), ("Zoé", 2), ("Max", 4)):
        pupil, _token = actions.join_class(code=visit.code, pseudonym=name)
        actions.record_answers(
            pupil=pupil,
            answers=[answer("quiz", answers={str(s[liked].pk): 2, str(s[0].pk): 0})],
        )
    assert live_summary(visit).quiz_tops == {content.worlds[1].pk: 2, content.worlds[2].pk: 1}


def test_late_offline_answers_are_taken_after_closing(
    visit: ClassVisit, content: Content, trainer: User
) -> None:
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Tom")
    actions.close_class_visit(actor=Actor.of(trainer), visit=visit)
    pupil.refresh_from_db()
    receipt = actions.record_answers(
        pupil=pupil, answers=[answer("world", world=content.worlds[0].pk)]
    )
    assert len(receipt.accepted) == 1


def test_pupil_data_is_deleted_after_30_days_and_counts_remain(
    visit: ClassVisit, content: Content
) -> None:
    for name in ("Tom", "Zoé"):
        pupil, _token = actions.join_class(code=visit.code, pseudonym=name)
        actions.record_answers(pupil=pupil, answers=[answer("world", world=content.worlds[1].pk)])
    visit.teacher_email = "prof@ecole.test"
    visit.save()
    assert actions.purge_class_data(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert Pupil.objects.count() == 2
    call_command("purge_class_data", "--days", "30", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Pupil.objects.count() == 2  # not yet 30 days old
    assert actions.purge_class_data(now=timezone.now() + dt.timedelta(days=31)) == 1
    assert not Pupil.objects.exists() and not ClassAnswer.objects.exists()
    visit.refresh_from_db()
    assert visit.participant_count == 2 and visit.teacher_email == ""
    assert live_summary(visit).world_likes == {content.worlds[1].pk: 2}
    assert actions.purge_class_data(now=timezone.now() + dt.timedelta(days=40)) == 0


def test_the_kit_is_emailed_to_the_teacher(
    visit: ClassVisit,
    content: Content,
    trainer: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Tom")
    actions.record_answers(pupil=pupil, answers=[answer("world", world=content.worlds[0].pk)])
    with pytest.raises(ValidationError):
        actions.send_follow_up_kit(actor=Actor.of(trainer), visit=visit, email="pas-une-adresse")
    with pytest.raises(PermissionDenied):
        actions.send_follow_up_kit(actor=Actor.of(outsider), visit=visit, email="prof@ecole.test")
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_follow_up_kit(actor=Actor.of(trainer), visit=visit, email="prof@ecole.test")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["prof@ecole.test"]
    _name, pdf, mime = message.attachments[0]
    assert mime == "application/pdf" and pdf[:4] == b"%PDF"
    visit.refresh_from_db()
    assert visit.kit_sent_at is not None


def test_participants_by_year_feed_the_outreach_figures(
    visit: ClassVisit, org: Organisation, other_org: Organisation
) -> None:
    for name in ("Tom", "Zoé", "Max"):
        actions.join_class(code=visit.code, pseudonym=name)
    source = next(s for s in figures.registered() if s.key == "orientation.class_visits")
    today = timezone.localdate()
    contribution = source.provide([org.pk], today, today)
    values = {f.key: f.value for f in contribution.figures}
    assert values == {"orientation.class_visits": 1, "orientation.class_pupils": 3}
    assert contribution.tables[0].rows == (("5e primaire", 1, 3),)
    assert source.provide([other_org.pk], today, today).figures[1].value == 0
    assert (
        source.provide([org.pk], today - dt.timedelta(days=9), today - dt.timedelta(days=1))
        .figures[1]
        .value
        == 0
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_store_each_answer_once(
    org: Organisation, trainer: User, run_concurrently
) -> None:
    content = make_content(org)
    visit = actions.open_class_visit(actor=Actor.of(trainer), organisation=org, title="Classe")
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Tom")
    batch = [answer("world", world=w.pk) for w in content.worlds]
    run = run_concurrently(
        lambda: actions.record_answers(
            pupil=Pupil.objects.select_related("visit").get(pk=pupil.pk), answers=batch
        ),
        6,
    )
    run.raise_first()
    assert all(sorted(r.accepted) == sorted(a["id"] for a in batch) for r in run.results)
    assert ClassAnswer.objects.count() == 3
    assert ClassAnswer.objects.filter(client_id=uuid.UUID(str(batch[0]["id"]))).count() == 1
