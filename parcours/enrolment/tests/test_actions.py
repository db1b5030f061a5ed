"""Enrolment rules, through the real actions: capacity and waitlist, promotion, deadlines,
approval, overlaps, audience, window, sessions (edit, duplicate, cancel, room), e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions, signals
from parcours.enrolment.models import Enrolment, LearnerProfile, Session
from parcours.enrolment.slots import BRUSSELS, full_days
from parcours.enrolment.states import EnrolmentStatus as S

from .conftest import days_from_now, make_module


def _enrol(session: Session, learner, **kwargs) -> Enrolment:
    return actions.enrol(actor=Actor.of(learner), session=session, learner=learner, **kwargs)


def _code(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


class TestCapacityAndWaitlist:
    def test_seats_then_waitlist_then_promotion_in_order(self, make_session, make_learner) -> None:
        session = make_session(capacity=2)
        people = [make_learner(i) for i in range(5)]
        statuses = [_enrol(session, p).status for p in people]
        assert statuses == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
        session.refresh_from_db()
        assert (session.seats_taken, session.seats_left) == (2, 0)

        first = Enrolment.objects.get(learner=people[0])
        cancelled = actions.cancel(actor=Actor.of(people[0]), enrolment=first)
        assert [e.learner for e in cancelled.promoted] == [people[2]]
        assert Enrolment.objects.get(learner=people[2]).status == S.CONFIRMED
        assert Enrolment.objects.get(learner=people[3]).status == S.WAITLISTED
        session.refresh_from_db()
        assert session.seats_taken == 2

    def test_cancelling_a_waitlist_place_promotes_nobody(self, make_session, make_learner) -> None:
        session = make_session(capacity=1)
        a, b, c = make_learner(1), make_learner(2), make_learner(3)
        _enrol(session, a)
        eb, _ec = _enrol(session, b), _enrol(session, c)
        result = actions.cancel(actor=Actor.of(b), enrolment=eb)
        assert result.promoted == []
        assert Enrolment.objects.get(learner=c).status == S.WAITLISTED

    def test_a_larger_capacity_promotes_at_once(
        self, make_session, make_learner, coordinator
    ) -> None:
        session = make_session(capacity=1)
        people = [make_learner(i) for i in range(3)]
        for p in people:
            _enrol(session, p)
        data = _data_of(session)
        data.capacity = 3
        actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        assert set(Enrolment.objects.values_list("status", flat=True)) == {S.CONFIRMED}

    def test_capacity_cannot_shrink_below_the_seats_taken(
        self, make_session, make_learner, coordinator
    ) -> None:
        session = make_session(capacity=2)
        _enrol(session, make_learner(1))
        _enrol(session, make_learner(2))
        data = _data_of(session)
        data.capacity = 1
        with pytest.raises(ValidationError) as exc:
            actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        assert "capacity" in exc.value.message_dict

    def test_enrolling_twice_is_refused(self, make_session, learner) -> None:
        session = make_session()
        _enrol(session, learner)
        with pytest.raises(ValidationError) as exc:
            _enrol(session, learner)
        assert _code(exc) == "duplicate"

    def test_enrolling_again_after_cancelling_is_fine(self, make_session, learner) -> None:
        session = make_session()
        actions.cancel(actor=Actor.of(learner), enrolment=_enrol(session, learner))
        assert _enrol(session, learner).status == S.CONFIRMED


def _data_of(session: Session) -> actions.SessionData:
    return actions.SessionData(
        module_id=session.module_id,
        code=session.code,
        capacity=session.capacity,
        slots=list(session.slots.values_list("start", "end")),
        site_id=session.site_id,
        trainer_ids=list(session.trainers.values_list("pk", flat=True)),
        cancellation_deadline_hours=session.cancellation_deadline_hours,
        audience=session.audience,
        requires_approval=session.requires_approval,
    )


class TestDeadlineWindowApproval:
    def test_learner_cannot_cancel_a_seat_after_the_deadline(
        self, make_session, learner, coordinator
    ) -> None:
        session = make_session(days=(1,), cancellation_deadline_hours=48)
        enrolment = _enrol(session, learner)
        with pytest.raises(ValidationError) as exc:
            actions.cancel(actor=Actor.of(learner), enrolment=enrolment)
        assert _code(exc) == "deadline"
        # The coordinator can.
        actions.cancel(actor=Actor.of(coordinator), enrolment=enrolment, reason="Malade")
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.reason) == (S.CANCELLED, "Malade")

    def test_a_waitlist_place_can_be_left_after_the_deadline(
        self, make_session, make_learner
    ) -> None:
        session = make_session(days=(1,), capacity=1, cancellation_deadline_hours=48)
        _enrol(session, make_learner(1))
        queued = _enrol(session, make_learner(2))
        actions.cancel(actor=Actor.of(queued.learner), enrolment=queued)

    def test_enrolment_window(self, make_session, learner, coordinator, make_learner) -> None:
        now = timezone.now()
        session = make_session(enrolment_opens=now + dt.timedelta(days=1))
        with pytest.raises(ValidationError) as exc:
            _enrol(session, learner)
        assert _code(exc) == "closed"
        assert not session.enrolment_is_open()
        # A coordinator may enrol someone before the window opens.
        enrolment = actions.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=make_learner(7),
            source=Enrolment.Source.COORDINATOR,
        )
        assert enrolment.status == S.CONFIRMED
        later = make_session(enrolment_closes=now - dt.timedelta(minutes=1))
        with pytest.raises(ValidationError):
            _enrol(later, learner)

    def test_draft_and_cancelled_sessions_refuse_self_enrolment(
        self, make_session, learner, coordinator
    ) -> None:
        draft = make_session(publish=False)
        with pytest.raises(ValidationError):
            _enrol(draft, learner)
        published = make_session()
        actions.set_session_status(
            actor=Actor.of(coordinator), session=published, status=Session.Status.CANCELLED
        )
        with pytest.raises(ValidationError):
            _enrol(published, learner)

    def test_approval_flow(self, make_session, make_learner, coordinator) -> None:
        session = make_session(capacity=1, requires_approval=True)
        a, b, c = make_learner(1), make_learner(2), make_learner(3)
        ra, rb, rc = _enrol(session, a), _enrol(session, b), _enrol(session, c)
        assert {ra.status, rb.status, rc.status} == {S.REQUESTED}
        session.refresh_from_db()
        assert session.seats_taken == 0
        boss = Actor.of(coordinator)
        assert actions.approve(actor=boss, enrolment=rb).status == S.CONFIRMED
        assert actions.approve(actor=boss, enrolment=ra).status == S.WAITLISTED
        rejected = actions.reject(actor=boss, enrolment=rc, reason="Public non concerné")
        assert rejected.status == S.REJECTED
        with pytest.raises(ValidationError):
            actions.approve(actor=boss, enrolment=rc)
        with pytest.raises(PermissionDenied):
            actions.approve(actor=Actor.of(a), enrolment=ra)


class TestOverlapAndAudience:
    def test_a_learner_cannot_hold_two_overlapping_sessions(
        self, make_session, learner, org
    ) -> None:
        other_module = make_module(org, "O1")
        first = make_session(days=(10,))
        clash = make_session(
            module_=other_module,
            slots=[
                (
                    dt.datetime.combine(days_from_now(10), dt.time(14), BRUSSELS),
                    dt.datetime.combine(days_from_now(10), dt.time(17), BRUSSELS),
                )
            ],
        )
        evening = make_session(
            module_=other_module,
            slots=[
                (
                    dt.datetime.combine(days_from_now(10), dt.time(18), BRUSSELS),
                    dt.datetime.combine(days_from_now(10), dt.time(21), BRUSSELS),
                )
            ],
        )
        _enrol(first, learner)
        with pytest.raises(ValidationError) as exc:
            _enrol(clash, learner)
        assert _code(exc) == "overlap"
        assert first.code in exc.value.messages[0]
        assert _enrol(evening, learner).status == S.CONFIRMED

    def test_a_waitlist_place_blocks_overlaps_too(self, make_session, make_learner, org) -> None:
        full = make_session(capacity=1, days=(12,))
        same_time = make_session(module_=make_module(org, "O2"), days=(12,))
        _enrol(full, make_learner(1))
        waiting = make_learner(2)
        assert _enrol(full, waiting).status == S.WAITLISTED
        with pytest.raises(ValidationError):
            _enrol(same_time, waiting)

    def test_audience_restriction(self, make_session, learner, make_learner, coordinator) -> None:
        session = make_session(audience=Module.Audience.SCHOOL_HEADS)
        with pytest.raises(ValidationError) as exc:
            _enrol(session, learner)
        assert _code(exc) == "audience"
        actions.set_learner_audience(user=learner, audience=Module.Audience.TEACHERS)
        with pytest.raises(ValidationError):
            _enrol(session, learner)
        head = make_learner(9)
        assert _enrol(session, head, audience=Module.Audience.SCHOOL_HEADS).status == S.CONFIRMED
        assert head.learner_profile.audience == Module.Audience.SCHOOL_HEADS
        # Staff vouch for someone who declared nothing.
        vouched = make_learner(10)
        actions.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=vouched,
            source=Enrolment.Source.COORDINATOR,
        )
        assert LearnerProfile.objects.get(user=vouched).audience == Module.Audience.SCHOOL_HEADS


class TestPermissionsAndIsolation:
    def test_nobody_enrols_someone_else_without_a_role(
        self, make_session, learner, make_learner, outsider
    ) -> None:
        session = make_session()
        other = make_learner(2)
        with pytest.raises(PermissionDenied):
            actions.enrol(
                actor=Actor.of(learner),
                session=session,
                learner=other,
                source=Enrolment.Source.COORDINATOR,
            )
        with pytest.raises(PermissionDenied):
            actions.enrol_person(actor=Actor.of(outsider), session=session, email="x@y.be")
        enrolment = _enrol(session, other)
        with pytest.raises(PermissionDenied):
            actions.cancel(actor=Actor.of(outsider), enrolment=enrolment)
        with pytest.raises(PermissionDenied):
            actions.cancel(actor=Actor.of(learner), enrolment=enrolment)

    def test_a_school_contact_enrols_teachers_who_need_approval(
        self, make_session, school_contact
    ) -> None:
        session = make_session(requires_approval=True)
        enrolment = actions.enrol_person(
            actor=Actor.of(school_contact),
            session=session,
            email="prof@ecole.be",
            first_name="Paul",
            last_name="Prof",
            source=Enrolment.Source.SCHOOL,
        )
        assert (enrolment.status, enrolment.source) == (S.REQUESTED, "school")
        # The school contact may withdraw the people they enrolled.
        actions.cancel(actor=Actor.of(school_contact), enrolment=enrolment)

    def test_sessions_of_another_organisation_are_not_editable(
        self, make_session, outsider, other_org
    ) -> None:
        session = make_session()
        with pytest.raises(PermissionDenied):
            actions.update_session(
                actor=Actor.of(outsider), session=session, data=_data_of(session)
            )
        with pytest.raises(PermissionDenied):
            actions.set_session_status(
                actor=Actor.of(outsider), session=session, status=Session.Status.CANCELLED
            )

    def test_a_session_needs_a_site_of_its_organisation(
        self, coordinator, org, other_org, module
    ) -> None:
        from parcours.accounts import actions as account_actions

        foreign = account_actions.create_site(
            organisation=other_org, name="Mons", city="Mons", actor=None
        )
        data = actions.SessionData(
            module_id=module.pk,
            code="X",
            capacity=5,
            slots=full_days(days_from_now(5)),
            site_id=foreign.pk,
        )
        with pytest.raises(ValidationError) as exc:
            actions.create_session(actor=Actor.of(coordinator), organisation=org, data=data)
        assert "site" in exc.value.message_dict


class TestSessions:
    def test_duplicate_to_another_site_and_date_keeps_local_times(
        self, make_session, coordinator, org
    ) -> None:
        from parcours.accounts import actions as account_actions

        liege = account_actions.create_site(
            organisation=org, name="Liège", city="Liège", postcode="4000", actor=None
        )
        session = make_session(days=(10, 11))
        target = days_from_now(40)
        copy = actions.duplicate_session(
            actor=Actor.of(coordinator), session=session, code="COPY", site_id=liege.pk,
            first_day=target,
        )  # fmt: skip
        assert copy.status == Session.Status.DRAFT and copy.site == liege
        local = [s.start.astimezone(BRUSSELS) for s in copy.slots.order_by("start")]
        assert [(t.date(), t.time()) for t in local] == [
            (target, dt.time(9)),
            (target, dt.time(13, 30)),
            (target + dt.timedelta(days=1), dt.time(9)),
            (target + dt.timedelta(days=1), dt.time(13, 30)),
        ]
        assert list(copy.trainers.all()) == list(session.trainers.all())
        assert copy.enrolments.count() == 0

    def test_cancelling_a_session_cancels_its_enrolments_and_tells_people(
        self, make_session, make_learner, coordinator, django_capture_on_commit_callbacks
    ) -> None:
        session = make_session(capacity=1)
        _enrol(session, make_learner(1))
        _enrol(session, make_learner(2))
        with django_capture_on_commit_callbacks(execute=True):
            actions.set_session_status(
                actor=Actor.of(coordinator), session=session, status=Session.Status.CANCELLED
            )
        assert set(session.enrolments.values_list("status", flat=True)) == {S.CANCELLED}
        session.refresh_from_db()
        assert session.seats_taken == 0
        assert len(mail.outbox) == 2

    def test_publishing_needs_slots_and_moves_only_forward(self, make_session, coordinator) -> None:
        session = make_session()
        with pytest.raises(ValidationError):
            actions.set_session_status(
                actor=Actor.of(coordinator), session=session, status=Session.Status.DRAFT
            )

    def test_session_changed_is_raised_when_dates_change(
        self, make_session, coordinator, django_capture_on_commit_callbacks
    ) -> None:
        session = make_session()
        received = []

        def listener(sender, **kwargs):
            received.append(kwargs)

        signals.session_changed.connect(listener)
        try:
            data = _data_of(session)
            data.slots = full_days(days_from_now(20))
            with django_capture_on_commit_callbacks(execute=True):
                actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        finally:
            signals.session_changed.disconnect(listener)
        assert received == [
            {"session_id": session.pk, "fields": ["slots"], "signal": received[0]["signal"]}
        ]


class TestRoom:
    @pytest.fixture
    def room(self, org, site, logistics):
        from parcours.scheduling import actions as scheduling

        return scheduling.create_resource(
            actor=Actor.of(logistics),
            site=site,
            name="Salle Turing",
            code="TURING",
            capacity=24,
            requires_approval=False,
        )

    def test_the_room_is_reserved_for_every_slot_and_released_on_cancel(
        self, make_session, coordinator, room
    ) -> None:
        session = make_session()
        data = _data_of(session)
        data.room_id = room.pk
        actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        bookings = actions.room_bookings(session)
        assert len(bookings) == session.slots.count() == 4
        assert {b.status for b in bookings} == {"approved"}
        actions.set_session_status(
            actor=Actor.of(coordinator), session=session, status=Session.Status.CANCELLED
        )
        assert actions.room_bookings(session) == []

    def test_a_taken_room_is_a_clear_error_and_nothing_is_saved(
        self, make_session, coordinator, room, module
    ) -> None:
        first = make_session(days=(15,))
        data = _data_of(first)
        data.room_id = room.pk
        actions.update_session(actor=Actor.of(coordinator), session=first, data=data)
        clash = actions.SessionData(
            module_id=module.pk,
            code="CLASH",
            capacity=10,
            slots=full_days(days_from_now(15)),
            site_id=first.site_id,
            room_id=room.pk,
        )
        with pytest.raises(ValidationError) as exc:
            actions.create_session(
                actor=Actor.of(coordinator), organisation=first.organisation, data=clash
            )
        assert "room" in exc.value.message_dict
        assert "Salle Turing" in exc.value.message_dict["room"][0]
        assert not Session.objects.filter(code="CLASH").exists()

    def test_a_mobile_unit_goes_to_any_site_a_room_stays_at_its_own(
        self, make_session, coordinator, logistics, room, org
    ) -> None:
        from parcours.accounts import actions as account_actions
        from parcours.scheduling import actions as scheduling
        from parcours.scheduling.models import Resource

        elsewhere = account_actions.create_site(
            organisation=org, name="Charleroi", city="Charleroi", actor=None
        )
        truck = scheduling.create_resource(
            actor=Actor.of(logistics),
            site=room.site,
            name="Camion numérique",
            code="TRUCK",
            capacity=20,
            kind=Resource.Kind.MOBILE_UNIT,
            requires_approval=False,
        )
        session = make_session()
        data = _data_of(session)
        data.site_id, data.room_id = elsewhere.pk, room.pk
        with pytest.raises(ValidationError) as exc:
            actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        assert "room" in exc.value.message_dict
        data.room_id = truck.pk
        actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        session.refresh_from_db()
        assert (session.site_id, session.room_id) == (elsewhere.pk, truck.pk)
        assert len(actions.room_bookings(session)) == session.slots.count()


class TestEmails:
    """Who is told what. (The documents app takes over the confirmed / promoted / cancelled
    e-mails to add a calendar invitation: these tests check recipients, not wording.)"""

    def test_confirmation_waitlist_and_promotion_emails(
        self, make_session, make_learner, django_capture_on_commit_callbacks
    ) -> None:
        session = make_session(capacity=1)
        a, b = make_learner(1), make_learner(2)
        with django_capture_on_commit_callbacks(execute=True):
            ea = _enrol(session, a)
            _enrol(session, b)
        assert [m.to for m in mail.outbox] == [[a.email], [b.email]]
        assert all(session.module.title in m.subject for m in mail.outbox)
        assert "liste d'attente" in mail.outbox[1].body.lower()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.cancel(actor=Actor.of(a), enrolment=ea)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])

    def test_emails_speak_the_learners_language(
        self, make_session, make_learner, org, django_capture_on_commit_callbacks
    ) -> None:
        session = make_session(capacity=1)
        _enrol(session, make_learner(1))
        english = make_person(org, Role.LEARNER, "en@exemple.test", "Emma", "Smith", language="en")
        with django_capture_on_commit_callbacks(execute=True):
            _enrol(session, english)
        assert mail.outbox[-1].subject.startswith("Waiting list")
        assert "position 1" in mail.outbox[-1].body
