"""Career follow-up actions: assigning, the log and its reminders, outcomes, the survey."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_person
from parcours.accounts.models import AuditEntry, Role
from parcours.accounts.permissions import Actor
from parcours.careers import actions, milestones
from parcours.careers.figures import employed_at_six_months, outcome_counts
from parcours.careers.models import (
    CareerFile,
    FollowUp,
    Milestone,
    Outcome,
    OutcomeStatus,
    OutcomeSurvey,
)
from parcours.careers.querysets import CareerFileQuerySet

from .conftest import TRAINING_FIRST, TRAINING_LAST

# --- Milestones (pure) ----------------------------------------------------------------------------


def test_milestones_follow_the_training_dates() -> None:
    due = milestones.due_dates(TRAINING_FIRST, TRAINING_LAST)
    assert due == {
        "entry": dt.date(2025, 9, 1),
        "mid": dt.date(2025, 10, 25),
        "end": dt.date(2025, 12, 19),
        "m3": dt.date(2026, 3, 19),
        "m6": dt.date(2026, 6, 19),
        "m12": dt.date(2026, 12, 19),
    }
    assert milestones.due_dates(None, None) == dict.fromkeys(milestones.ORDER)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(-24, 24)
)
def test_add_months_stays_in_the_month_it_aims_at(day: dt.date, months: int) -> None:
    result = milestones.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or result.day < day.day  # clamped to the month's end only


# --- Assigning ----------------------------------------------------------------------------------


def test_assigning_a_sessions_learner_computes_the_milestones(
    file, learner, career_manager
) -> None:
    assert file.person == learner
    assert file.manager == career_manager
    assert (file.training_start, file.training_end) == (TRAINING_FIRST, TRAINING_LAST)
    assert file.milestone_dates["m6"] == dt.date(2026, 6, 19)
    assert AuditEntry.objects.filter(action="career_file.assign", object_id=str(file.pk)).exists()


def test_assigning_again_changes_the_manager_not_the_file(org, file, coordinator, learner) -> None:
    other = make_person(org, Role.CAREER_MANAGER, "marc@technofutur.test", "Marc", "Halet")
    again = actions.assign(
        actor=Actor.of(coordinator), organisation=org, person=learner, manager=other
    )
    assert again.pk == file.pk
    assert again.manager == other
    assert CareerFile.objects.count() == 1


def test_only_a_career_manager_of_the_organisation_may_be_given_a_caseload(
    org, coordinator, trainer, learner, enrolled
) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.assign(
            actor=Actor.of(coordinator), organisation=org, person=learner, manager=trainer
        )
    assert "manager" in exc.value.message_dict


def test_a_stranger_cannot_be_assigned(org, other_org, coordinator, career_manager) -> None:
    stranger = make_person(other_org, Role.LEARNER, "x@ailleurs.test", "X", "Y")
    with pytest.raises(ValidationError) as exc:
        actions.assign(
            actor=Actor.of(coordinator), organisation=org, person=stranger, manager=career_manager
        )
    assert "person" in exc.value.message_dict


def test_trainers_and_outsiders_cannot_assign(
    org, trainer, outsider, learner, career_manager, enrolled
) -> None:
    for who in (trainer, outsider):
        with pytest.raises(PermissionDenied):
            actions.assign(
                actor=Actor.of(who), organisation=org, person=learner, manager=career_manager
            )


def test_assigning_from_a_session_refuses_people_not_enrolled(
    session, coordinator, career_manager, trainer
) -> None:
    with pytest.raises(ValidationError):
        actions.assign_from_session(
            actor=Actor.of(coordinator),
            session=session,
            learner_ids=[trainer.pk],
            manager=career_manager,
        )
    assert not CareerFile.objects.exists()


def test_assigning_from_an_application(org, coordinator, career_manager, learner) -> None:
    from parcours.candidates.models import Application, Call, Stage

    call = Call.objects.create(
        organisation=org,
        slug="devweb",
        title="Développeur web",
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() + dt.timedelta(days=10),
        places=15,
    )
    stage = Stage.objects.create(call=call, order=1, label="Reçue")
    application = Application.objects.create(
        call=call, person=learner, email=learner.email, stage=stage, consent_at=timezone.now()
    )
    file = actions.assign_from_application(
        actor=Actor.of(coordinator), application=application, manager=career_manager
    )
    assert file.application == application
    assert file.training_end is None  # the follow-up starts at the application
    assert CareerFile.objects.active(timezone.localdate()).filter(pk=file.pk).exists()


# --- Who sees the notes ---------------------------------------------------------------------------


def test_only_career_managers_open_a_file_and_the_read_is_audited(
    org, file, career_manager, coordinator, trainer, outsider
) -> None:
    opened = actions.open_file(Actor.of(career_manager), org, file.pk)
    assert opened == file
    assert AuditEntry.objects.filter(
        action="career_file.view", actor=career_manager, object_id=str(file.pk)
    ).exists()
    for who in (coordinator, trainer, outsider):
        with pytest.raises(PermissionDenied):
            actions.open_file(Actor.of(who), org, file.pk)


def test_an_administrator_who_is_not_career_manager_sees_no_notes(org, file) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "adm@technofutur.test", "Ada", "Min")
    with pytest.raises(PermissionDenied):
        actions.open_file(Actor.of(admin), org, file.pk)


def test_another_organisations_career_manager_gets_404(other_org, file) -> None:
    theirs = make_person(other_org, Role.CAREER_MANAGER, "cm@province.test", "Paul", "Henry")
    with pytest.raises(Http404):
        actions.open_file(Actor.of(theirs), other_org, file.pk)
    with pytest.raises(PermissionDenied):
        actions.log_followup(
            actor=Actor.of(theirs),
            file=file,
            kind=FollowUp.Kind.CALL,
            happened_on=dt.date(2026, 1, 5),
            note="x",
        )


# --- Log and reminders --------------------------------------------------------------------------


def test_a_follow_up_with_a_next_action_is_reminded_once(file, career_manager) -> None:
    actor = Actor.of(career_manager)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    entry = actions.log_followup(
        actor=actor,
        file=file,
        kind=FollowUp.Kind.MEETING,
        happened_on=yesterday - dt.timedelta(days=7),
        note="CV relu ; vise un poste de développeuse junior.",
        next_action="Relancer pour la candidature chez Cegeka",
        next_due=yesterday,
    )
    # the note stays out of the audit log
    assert "CV relu" not in str(
        AuditEntry.objects.filter(action="career_followup.create").values_list("changes")
    )
    call_command("send_career_reminders")
    call_command("send_career_reminders")
    reminders = [m for m in mail.outbox if "action prévue" in m.subject]
    assert len(reminders) == 1
    assert reminders[0].to == [career_manager.email]
    assert "Relancer pour la candidature chez Cegeka" in reminders[0].body
    actions.complete_action(actor=actor, followup=entry)
    entry.refresh_from_db()
    assert entry.done_at is not None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "sms", "note": "x"}, "kind"),
        ({"note": ""}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 10_001}, "note"),
        ({"note": "x", "next_action": "Rappeler"}, "next_due"),
        ({"note": "x", "next_due": dt.date(2026, 3, 1)}, "next_action"),
        ({"note": "x", "next_action": "y", "next_due": dt.date(3026, 3, 1)}, "next_due"),
    ],
)
def test_bad_follow_ups_are_refused_and_nothing_is_written(
    file, career_manager, fields, field
) -> None:
    values = {"kind": FollowUp.Kind.CALL, "happened_on": dt.date(2026, 1, 5), **fields}
    with pytest.raises(ValidationError) as exc:
        actions.log_followup(actor=Actor.of(career_manager), file=file, **values)
    assert field in exc.value.message_dict
    assert not FollowUp.objects.exists()


def test_the_caseload_puts_overdue_follow_ups_first(
    org, coordinator, career_manager, session
) -> None:
    from parcours.enrolment import actions as enrolment
    from parcours.enrolment.models import Enrolment

    people = [
        make_person(org, Role.LEARNER, f"p{i}@exemple.test", f"P{i}", f"Nom{i}") for i in range(3)
    ]
    for person in people:
        enrolment.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=person,
            source=Enrolment.Source.COORDINATOR,
            now=dt.datetime(2025, 8, 1, tzinfo=dt.UTC),
        )
    files = actions.assign_from_session(
        actor=Actor.of(coordinator),
        session=session,
        learner_ids=[p.pk for p in people],
        manager=career_manager,
    )
    today = timezone.localdate()
    actor = Actor.of(career_manager)
    for file, due in (
        (files[0], today + dt.timedelta(days=3)),
        (files[2], today - dt.timedelta(days=2)),
    ):
        actions.log_followup(
            actor=actor,
            file=file,
            kind=FollowUp.Kind.CALL,
            happened_on=today - dt.timedelta(days=10),
            next_action="Rappeler",
            next_due=due,
        )
    qs: CareerFileQuerySet = CareerFile.objects.filter(manager=career_manager)
    ordered = list(qs.with_next_due(today).caseload_order())
    assert [f.pk for f in ordered] == [files[2].pk, files[0].pk, files[1].pk]
    assert [f.overdue for f in ordered] == [1, 0, 0]


# --- Outcomes and survey -----------------------------------------------------------------------


def test_an_outcome_needs_a_contract_type_only_when_employed(file, career_manager) -> None:
    actor = Actor.of(career_manager)
    with pytest.raises(ValidationError) as exc:
        actions.record_outcome(actor=actor, file=file, milestone="m3", status="employed")
    assert "contract" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.record_outcome(
            actor=actor, file=file, milestone="m3", status="job_seeking", contract="permanent"
        )
    with pytest.raises(ValidationError):
        actions.record_outcome(actor=actor, file=file, milestone="m7", status="unknown")
    actions.record_outcome(
        actor=actor, file=file, milestone="m3", status="internship", note="Stage chez Proximus"
    )
    outcome = actions.record_outcome(
        actor=actor, file=file, milestone="m3", status="employed", contract="fixed_term"
    )
    assert Outcome.objects.get(file=file, milestone="m3") == outcome
    assert outcome.contract == "fixed_term"


def _survey_link(body: str) -> str:
    match = re.search(r"/suivi/enquete/([^/\s]+)/", body)
    assert match, body
    return match.group(1)


def test_the_survey_link_records_the_six_month_outcome_once(
    file, career_manager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        survey = actions.request_survey(actor=Actor.of(career_manager), file=file)
    message = next(m for m in mail.outbox if m.to == [file.person.email])
    token = _survey_link(str(message.body))
    survey.refresh_from_db()
    assert survey.token_hash and survey.token_hash not in message.body  # only the hash is kept
    assert actions.survey_for_token(token) == survey
    outcome = actions.answer_survey(
        token=token, answer=actions.SurveyAnswer(status="employed", contract="permanent")
    )
    assert (outcome.milestone, outcome.source, outcome.status) == ("m6", "survey", "employed")
    with pytest.raises(PermissionDenied):
        actions.answer_survey(token=token, answer=actions.SurveyAnswer(status="job_seeking"))
    assert Outcome.objects.get(file=file, milestone="m6").status == "employed"


def test_a_forged_expired_or_replaced_link_does_nothing(
    file, career_manager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_survey(actor=Actor.of(career_manager), file=file)
    first = _survey_link(str(mail.outbox[-1].body))
    assert actions.survey_for_token(first[:-2] + "xx") is None
    assert actions.survey_for_token("nimportequoi") is None
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_survey(actor=Actor.of(career_manager), file=file)
    second = _survey_link(str(mail.outbox[-1].body))
    assert actions.survey_for_token(first) is None  # replaced by the new one
    OutcomeSurvey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert actions.survey_for_token(second) is None
    with pytest.raises(PermissionDenied):
        actions.answer_survey(token=second, answer=actions.SurveyAnswer(status="unknown"))
    assert not Outcome.objects.exists()


def test_the_scheduled_command_sends_the_survey_at_six_months_once(file) -> None:
    assert actions.surveys_due(dt.date(2026, 6, 18)) == []
    assert actions.surveys_due(dt.date(2026, 6, 19)) == [file]
    # the fixture's training ended on 19/12/2025: today is past +6 months when this test runs
    if timezone.localdate() >= dt.date(2026, 6, 19) and timezone.localdate() < dt.date(
        2026, 12, 19
    ):
        call_command("send_career_reminders")
        call_command("send_career_reminders")
        assert OutcomeSurvey.objects.filter(file=file).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_answers_record_one(file, career_manager, run_concurrently) -> None:
    actions.request_survey(actor=Actor.of(career_manager), file=file)  # no test transaction
    token = _survey_link(str(mail.outbox[-1].body))
    statuses = ["job_seeking", "internship", "training", "unknown"] * 2
    run = run_concurrently.each(
        [
            partial(actions.answer_survey, token=token, answer=actions.SurveyAnswer(status=s))
            for s in statuses
        ]
    )
    assert len(run.successes) == 1
    assert all(isinstance(e, PermissionDenied) for e in run.errors)
    assert Outcome.objects.filter(milestone=Milestone.M6).count() == 1


# --- Figures ------------------------------------------------------------------------------------


def test_outcome_figures_count_people_at_six_months(org, file, career_manager) -> None:
    window = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    people, counts = outcome_counts([org.pk], *window)
    assert (people, counts[OutcomeStatus.UNKNOWN]) == (1, 1)
    actions.record_outcome(
        actor=Actor.of(career_manager),
        file=file,
        milestone="m6",
        status="employed",
        contract="permanent",
    )
    assert employed_at_six_months([org.pk], *window) == 1
    assert employed_at_six_months([org.pk + 1], *window) == 0
    assert outcome_counts([org.pk], dt.date(2026, 7, 1), dt.date(2026, 7, 31))[0] == 0
    from parcours.lib import figures

    source = next(s for s in figures.registered() if s.key == "careers.outcomes")
    contribution = source.provide([org.pk], *window)
    rate = next(f for f in contribution.figures if f.key == "careers.employed_6m_rate")
    assert str(rate.value) == "100.0"


def test_the_funnel_counts_people_employed_at_six_months(
    org, coordinator, career_manager, learner
) -> None:
    from parcours.candidates import funnel
    from parcours.candidates.models import Application, Call, Stage

    call = Call.objects.create(
        organisation=org,
        slug="soc",
        title="Analyste SOC",
        opens_at=timezone.now() - dt.timedelta(days=400),
        closes_at=timezone.now() - dt.timedelta(days=300),
        places=12,
    )
    stage = Stage.objects.create(call=call, order=1, label="Reçue")
    other = make_person(org, Role.LEARNER, "o@exemple.test", "Omar", "Kaci")
    applications = [
        Application.objects.create(
            call=call, person=p, email=p.email, stage=stage, consent_at=timezone.now()
        )
        for p in (learner, other)
    ]
    for application, status, contract in (
        (applications[0], "employed", "permanent"),
        (applications[1], "job_seeking", ""),
    ):
        file = actions.assign_from_application(
            actor=Actor.of(coordinator), application=application, manager=career_manager
        )
        actions.record_outcome(
            actor=Actor.of(career_manager),
            file=file,
            milestone="m6",
            status=status,
            contract=contract,
        )
    employed = {row.id: row.employed for row in funnel.rows([call.pk])}
    assert employed == {applications[0].pk: True, applications[1].pk: False}
