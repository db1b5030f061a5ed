"""Attendance per slot (trainer roll call, QR check-in) and completion into pathways."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, checkin, permissions
from parcours.enrolment.models import Attendance, CompletionRule, Enrolment, Session
from parcours.enrolment.querysets import hours_attended
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import EnrolmentStatus as S
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Completion, Pathway
from parcours.pathways.signals import pathway_completed


def _enrol_all(session: Session, people) -> list[Enrolment]:
    return [actions.enrol(actor=Actor.of(p), session=session, learner=p) for p in people]


def _after(slot, minutes: int = 10) -> dt.datetime:
    return slot.start + dt.timedelta(minutes=minutes)


def _ended(slot, minutes: int = 10) -> dt.datetime:
    return slot.end + dt.timedelta(minutes=minutes)


@pytest.fixture
def cohort(make_session, make_learner):
    session = make_session(capacity=5, days=(3, 4))
    people = [make_learner(i) for i in range(3)]
    enrolments = _enrol_all(session, people)
    return session, people, enrolments


class TestRollCall:
    def test_everyone_present_but_the_ticked_absent(self, cohort, trainer) -> None:
        session, _people, enrolments = cohort
        slot = session.slots.first()
        result = actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, absent=[enrolments[1].pk], now=_after(slot)
        )
        assert (result.present, result.absent) == (2, 1)
        marks = dict(Attendance.objects.filter(slot=slot).values_list("enrolment_id", "present"))
        assert marks == {enrolments[0].pk: True, enrolments[1].pk: False, enrolments[2].pk: True}

    def test_a_second_roll_call_corrects_the_first(self, cohort, trainer) -> None:
        session, _people, enrolments = cohort
        slot = session.slots.first()
        actor = Actor.of(trainer)
        actions.record_roll_call(
            actor=actor, slot=slot, absent=[enrolments[1].pk], now=_after(slot)
        )
        actions.record_roll_call(actor=actor, slot=slot, absent=[], now=_after(slot, 60))
        assert Attendance.objects.filter(slot=slot, present=True).count() == 3
        assert Attendance.objects.filter(slot=slot).count() == 3

    def test_a_future_slot_is_refused(self, cohort, trainer) -> None:
        session, _people, _enrolments = cohort
        slot = session.slots.last()
        with pytest.raises(ValidationError) as exc:
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, now=slot.start - dt.timedelta(minutes=1)
            )
        assert exc.value.code == "future_slot"
        assert not Attendance.objects.exists()

    def test_someone_not_enrolled_is_refused(
        self, cohort, trainer, make_session, make_learner
    ) -> None:
        session, _people, _enrolments = cohort
        elsewhere = make_session(days=(30,))
        stranger = _enrol_all(elsewhere, [make_learner(50)])[0]
        slot = session.slots.first()
        with pytest.raises(ValidationError) as exc:
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=[stranger.pk], now=_after(slot)
            )
        assert exc.value.code == "not_enrolled"
        assert not Attendance.objects.exists()

    def test_waitlisted_and_cancelled_people_are_not_on_the_roll(
        self, make_session, make_learner, trainer
    ) -> None:
        session = make_session(capacity=1, days=(3,))
        holder, waiting = _enrol_all(session, [make_learner(1), make_learner(2)])
        slot = session.slots.first()
        with pytest.raises(ValidationError):
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=[waiting.pk], now=_after(slot)
            )
        actions.record_roll_call(actor=Actor.of(trainer), slot=slot, now=_after(slot))
        assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [holder.pk]

    def test_only_the_sessions_trainers_and_coordinators(
        self, cohort, learner, outsider, coordinator
    ) -> None:
        session, _people, _enrolments = cohort
        slot = session.slots.first()
        for intruder in (learner, outsider):
            with pytest.raises(PermissionDenied):
                actions.record_roll_call(actor=Actor.of(intruder), slot=slot, now=_after(slot))
        actions.record_roll_call(actor=Actor.of(coordinator), slot=slot, now=_after(slot))


class TestQrCheckIn:
    def _token(self, slot, at: dt.datetime) -> str:
        return checkin.make_token(slot.checkin_secret, slot.pk, at.timestamp())

    def test_works_during_the_slot_for_enrolled_people(self, cohort) -> None:
        session, people, enrolments = cohort
        slot = session.slots.first()
        now = _after(slot)
        result = actions.check_in(user=people[0], token=self._token(slot, now), now=now)
        assert result.attendance.present and result.attendance.method == Attendance.Method.QR
        assert result.attendance.enrolment == enrolments[0]

    def test_not_before_nor_after_the_slot(self, cohort) -> None:
        session, people, _enrolments = cohort
        slot = session.slots.first()
        for when in (slot.start - dt.timedelta(hours=1), slot.end + dt.timedelta(minutes=1)):
            with pytest.raises(ValidationError) as exc:
                actions.check_in(user=people[0], token=self._token(slot, when), now=when)
            assert exc.value.code == "not_running"
        assert not Attendance.objects.exists()

    def test_not_for_someone_not_enrolled(self, cohort, learner) -> None:
        session, _people, _enrolments = cohort
        slot = session.slots.first()
        now = _after(slot)
        with pytest.raises(ValidationError) as exc:
            actions.check_in(user=learner, token=self._token(slot, now), now=now)
        assert exc.value.code == "not_enrolled"

    def test_an_old_or_forged_token_is_refused(self, cohort, trainer) -> None:
        session, people, _enrolments = cohort
        slot = session.slots.first()
        now = _after(slot, 60)
        old = self._token(slot, now - dt.timedelta(minutes=30))
        forged = f"{slot.pk}.{checkin.window_of(now.timestamp())}.{'0' * checkin.MAC_LENGTH}"
        for token in (old, forged, "nonsense"):
            with pytest.raises(ValidationError) as exc:
                actions.check_in(user=people[0], token=token, now=now)
            assert exc.value.code == "invalid"
        fresh = self._token(slot, now)
        actions.rotate_checkin_secret(actor=Actor.of(trainer), slot=slot)
        with pytest.raises(ValidationError):
            actions.check_in(user=people[0], token=fresh, now=now)


class TestCompletion:
    @pytest.fixture
    def pathway(self, coordinator, org, module) -> Pathway:
        pathway = pathway_actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=pathway_actions.PathwayData(code="INTRO", title_fr="Intro", rule_text="M1A"),
        )
        return pathway_actions.set_pathway_status(
            actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
        )

    def test_full_attendance_completes_the_module_and_the_pathway_at_once(
        self, cohort, trainer, pathway, django_capture_on_commit_callbacks
    ) -> None:
        session, people, enrolments = cohort
        events: list[dict] = []

        def listener(sender, **kwargs):
            events.append(kwargs)

        pathway_completed.connect(listener)
        try:
            slots = list(session.slots.order_by("start"))
            with django_capture_on_commit_callbacks(execute=True):
                for slot in slots:
                    absent = [enrolments[2].pk] if slot == slots[0] else []
                    actions.record_roll_call(
                        actor=Actor.of(trainer), slot=slot, absent=absent, now=_ended(slots[-1])
                    )
        finally:
            pathway_completed.disconnect(listener)
        statuses = {e.pk: e.status for e in Enrolment.objects.all()}
        # 4/4 slots: completed; 3/4 = 75 % < 80 %: attended.
        assert statuses == {
            enrolments[0].pk: S.COMPLETED,
            enrolments[1].pk: S.COMPLETED,
            enrolments[2].pk: S.ATTENDED,
        }
        completion = Completion.objects.get(learner=people[0])
        assert completion.source == Completion.Source.ATTENDANCE
        assert completion.hours == Decimal("13.00")  # 2 x (3.5 h + 3 h)
        assert not Completion.objects.filter(learner=people[2]).exists()
        assert sorted(e["learner_id"] for e in events) == sorted([people[0].pk, people[1].pk])
        assert {e["pathway_id"] for e in events} == {pathway.pk}
        assert hours_attended(enrolments[2]) == Decimal("9.50")

    def test_the_modules_rule_decides(self, cohort, trainer, module) -> None:
        CompletionRule.objects.create(module=module, min_attendance_percent=75)
        session, _people, enrolments = cohort
        slots = list(session.slots.order_by("start"))
        for slot in slots:
            absent = [enrolments[2].pk] if slot == slots[0] else []
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=absent, now=_ended(slots[-1])
            )
        assert Enrolment.objects.get(pk=enrolments[2].pk).status == S.COMPLETED

    def test_nobody_present_is_a_no_show_and_a_correction_completes(self, cohort, trainer) -> None:
        session, _people, enrolments = cohort
        slots = list(session.slots.order_by("start"))
        actor = Actor.of(trainer)
        after = _ended(slots[-1])
        for slot in slots:
            actions.record_roll_call(actor=actor, slot=slot, absent=[enrolments[0].pk], now=after)
        assert Enrolment.objects.get(pk=enrolments[0].pk).status == S.NO_SHOW
        for slot in slots:  # the trainer ticked the wrong name
            actions.record_roll_call(actor=actor, slot=slot, absent=[], now=after)
        assert Enrolment.objects.get(pk=enrolments[0].pk).status == S.COMPLETED

    def test_a_completed_enrolment_cannot_be_cancelled(self, cohort, trainer) -> None:
        session, people, enrolments = cohort
        slots = list(session.slots.order_by("start"))
        for slot in slots:
            actions.record_roll_call(actor=Actor.of(trainer), slot=slot, now=_ended(slots[-1]))
        with pytest.raises(ValidationError):
            actions.cancel(actor=Actor.of(people[0]), enrolment=enrolments[0])


class TestCompletionWaitsForTheSlotsToEnd:
    """Issue #9: a roll call taken during a 14:00-22:00 slot completed the enrolment (and
    issued an 8 h attestation) before the slot ended."""

    @pytest.fixture
    def evening(self, make_session, make_learner):
        day = timezone.localdate() + dt.timedelta(days=5)
        start = dt.datetime.combine(day, dt.time(14), tzinfo=BRUSSELS)
        session = make_session(capacity=5, slots=[(start, start + dt.timedelta(hours=8))])
        people = [make_learner(i) for i in range(2)]
        return session, people, _enrol_all(session, people)

    def test_a_roll_call_during_the_only_slot_completes_nobody(self, evening, trainer) -> None:
        session, _people, _enrolments = evening
        slot = session.slots.get()
        result = actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, now=slot.start + dt.timedelta(hours=1)
        )
        assert result.completed == []
        assert {e.status for e in Enrolment.objects.filter(session=session)} == {S.CONFIRMED}
        assert not Completion.objects.exists()

    def test_completion_follows_when_the_slot_has_ended(self, evening, trainer) -> None:
        session, people, enrolments = evening
        slot = session.slots.get()
        actions.record_roll_call(
            actor=Actor.of(trainer),
            slot=slot,
            absent=[enrolments[1].pk],
            now=slot.start + dt.timedelta(hours=1),
        )
        assert actions.complete_due(now=slot.end - dt.timedelta(minutes=1)) == []
        done = actions.complete_due(now=slot.end + dt.timedelta(minutes=1))
        assert [e.pk for e in done] == [enrolments[0].pk]
        assert Enrolment.objects.get(pk=enrolments[0].pk).status == S.COMPLETED
        assert Enrolment.objects.get(pk=enrolments[1].pk).status == S.NO_SHOW
        assert Completion.objects.get(learner=people[0]).hours == Decimal("8.00")
        # Idempotent: a second run changes nothing.
        assert actions.complete_due(now=slot.end + dt.timedelta(hours=1)) == []

    def test_a_qr_check_in_waits_for_the_end_too(self, evening) -> None:
        session, people, _enrolments = evening
        slot = session.slots.get()
        now = slot.start + dt.timedelta(minutes=5)
        token = checkin.make_token(slot.checkin_secret, slot.pk, now.timestamp())
        actions.check_in(user=people[0], token=token, now=now)
        assert Enrolment.objects.get(learner=people[0]).status == S.CONFIRMED
        actions.complete_due(now=slot.end + dt.timedelta(seconds=1))
        assert Enrolment.objects.get(learner=people[0]).status == S.COMPLETED

    def test_the_hourly_command_completes_what_is_due(self, evening, trainer) -> None:
        session, _people, _enrolments = evening
        slot = session.slots.get()
        actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, now=slot.start + dt.timedelta(hours=1)
        )
        Session.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=9),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
        slot.start = timezone.now() - dt.timedelta(hours=9)
        slot.end = timezone.now() - dt.timedelta(hours=1)
        slot.save()
        out = io.StringIO()
        call_command("complete_attendance", stdout=out)
        assert "2 enrolment(s) completed" in out.getvalue()

    def test_the_learner_can_no_longer_cancel_once_completed(self, evening, trainer) -> None:
        session, people, enrolments = evening
        slot = session.slots.get()
        actions.record_roll_call(actor=Actor.of(trainer), slot=slot, now=_ended(slot))
        enrolment = Enrolment.objects.select_related("session").get(pk=enrolments[0].pk)
        assert enrolment.status == S.COMPLETED
        assert not permissions.can_be_cancelled(Actor.of(people[0]), enrolment)
        with pytest.raises(ValidationError):
            actions.cancel(actor=Actor.of(people[0]), enrolment=enrolment)


def test_a_roll_call_during_a_slot_schedules_the_completion_at_its_end(
    make_session, make_learner, trainer, django_capture_on_commit_callbacks
) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    day = timezone.localdate() + dt.timedelta(days=5)
    start = dt.datetime.combine(day, dt.time(14), tzinfo=BRUSSELS)
    session = make_session(capacity=5, slots=[(start, start + dt.timedelta(hours=8))])
    person = make_learner(1)
    actions.enrol(actor=Actor.of(person), session=session, learner=person)
    slot = session.slots.get()
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database), django_capture_on_commit_callbacks(execute=True):
        actions.record_roll_call(
            actor=Actor.of(trainer), slot=slot, now=slot.start + dt.timedelta(hours=1)
        )
    (task,) = DBTaskResult.objects.filter(task_path__endswith="complete_session_attendance")
    assert task.run_after == slot.end + dt.timedelta(seconds=5)
    assert task.args_kwargs["args"] == [session.pk]


class TestCompletionDate:
    def test_a_roll_call_typed_a_week_later_dates_the_completion_on_the_training_day(
        self, cohort, trainer, module
    ) -> None:
        CompletionRule.objects.create(module=module, min_attendance_percent=75)
        session, people, enrolments = cohort
        slots = list(session.slots.order_by("start"))  # two days, two slots each
        typed = slots[-1].end + dt.timedelta(days=7)
        for slot in slots:
            # The first person misses the last slot: 3/4 = 75 % is met at the third slot.
            absent = [enrolments[0].pk] if slot == slots[-1] else []
            actions.record_roll_call(actor=Actor.of(trainer), slot=slot, absent=absent, now=typed)
        first = Completion.objects.get(learner=people[0])
        second = Completion.objects.get(learner=people[1])
        # Met with the third slot (the second day's first) / the fourth one: both on day two,
        # not on the day the roll calls were typed.
        assert first.completed_on == slots[2].start.astimezone(BRUSSELS).date()
        assert second.completed_on == slots[3].start.astimezone(BRUSSELS).date()
        assert first.completed_on != typed.astimezone(BRUSSELS).date()

    def test_the_rule_met_on_the_first_day_dates_it_on_that_day(
        self, cohort, trainer, module
    ) -> None:
        CompletionRule.objects.create(module=module, min_attendance_percent=50)
        session, people, _enrolments = cohort
        slots = list(session.slots.order_by("start"))
        typed = slots[-1].end + dt.timedelta(days=3)
        for slot in slots[:2]:  # only the first day's roll calls, typed late
            actions.record_roll_call(actor=Actor.of(trainer), slot=slot, absent=[], now=typed)
        completion = Completion.objects.get(learner=people[0])
        assert completion.completed_on == slots[1].start.astimezone(BRUSSELS).date()


def test_a_large_roll_call_announces_its_attendance_in_one_background_task(
    cohort, trainer, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A webinar's roll call marks thousands present: with a task backend that defers, the
    ``attendance_recorded`` receivers (LMS scores, xAPI statements) run in a worker; the task
    sends the same event an inline roll call would have sent."""
    from parcours.enrolment import signals, tasks
    from parcours.enrolment.actions import attendance

    session, _people, enrolments = cohort
    slot = session.slots.first()
    real_task = tasks.send_attendance_recorded
    queued: list[tuple[int, int, list[int]]] = []

    class Deferring:  # a backend with workers (django_tasks_db), as in production
        supports_defer = True

    class Queued:
        def get_backend(self) -> Deferring:
            return Deferring()

        def enqueue(self, session_id: int, slot_id: int, present: list[int]) -> None:
            queued.append((session_id, slot_id, present))

    monkeypatch.setattr(attendance, "INLINE_PRESENT_MAX", 2)
    monkeypatch.setattr(tasks, "send_attendance_recorded", Queued())
    received: list[list[int]] = []

    def on_attendance(sender: object, *, present: list[int], **kwargs: object) -> None:
        received.append(sorted(present))

    signals.attendance_recorded.connect(on_attendance)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.record_roll_call(actor=Actor.of(trainer), slot=slot, now=_after(slot))
        assert received == []  # nothing in the request
        everyone = sorted(e.pk for e in enrolments)
        assert [(s, sl, sorted(p)) for s, sl, p in queued] == [(session.pk, slot.pk, everyone)]
        assert real_task.call(*queued[0]) == 3
        assert received == [everyone]
        # A small group (two present) stays inline, after commit.
        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=[enrolments[0].pk], now=_after(slot)
            )
        assert len(queued) == 1
        assert received == [everyone[1:]]
    finally:
        signals.attendance_recorded.disconnect(on_attendance)
