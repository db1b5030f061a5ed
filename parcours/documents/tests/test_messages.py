"""E-mails with a calendar invitation, in the learner's language, and the reminder task."""

from __future__ import annotations

import datetime as dt
import email
from collections.abc import Callable
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.documents import ical, mailing
from parcours.documents.models import ReminderSent
from parcours.documents.querysets import due_reminders
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session

from .conftest import day_slots, in_days, local


def calendar_parts(message: mail.EmailMessage) -> list[Message]:
    parsed = email.message_from_bytes(message.message().as_bytes())
    return [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]


def invitation(message: mail.EmailMessage, method: str = "REQUEST") -> list[ical.Event]:
    parts = [p for p in calendar_parts(message) if p.get_param("method") == method]
    assert len(parts) == 1, [p.get_param("method") for p in calendar_parts(message)]
    data = parts[0].get_payload(decode=True)
    assert isinstance(data, bytes)
    assert ical.method_of(data) == method
    return ical.parse(data)


def html_of(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    return next(str(content) for content, kind in message.alternatives if kind == "text/html")


def session_data(session: Session, **changes: Any) -> enrolment_actions.SessionData:
    values: dict[str, Any] = {
        "module_id": session.module_id,
        "code": session.code,
        "capacity": session.capacity,
        "slots": [(s.start, s.end) for s in session.slots.order_by("start")],
        "site_id": session.site_id,
        "online_url": session.online_url,
        "trainer_ids": list(session.trainers.values_list("pk", flat=True)),
    }
    values.update(changes)
    return enrolment_actions.SessionData(**values)


class TestEnrolmentMessages:
    def test_nobody_writes_to_an_erased_or_deactivated_account(
        self,
        learner: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
    ) -> None:
        session = make_session(day_slots(in_days(10)))
        enrolment = enrol(session, learner)
        mail.outbox.clear()
        User.objects.filter(pk=learner.pk).update(
            erased_at=timezone.now(), email="erased-1@invalid"
        )
        assert mailing.send_enrolment_message("confirmed", enrolment.pk) is False
        User.objects.filter(pk=learner.pk).update(erased_at=None, is_active=False)
        assert mailing.send_enrolment_message("confirmed", enrolment.pk) is False
        assert mail.outbox == []

    def test_a_confirmation_in_french_with_its_invitation(
        self,
        learner: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        session = make_session(day_slots(in_days(10)))
        with django_capture_on_commit_callbacks(execute=True):
            enrol(session, learner)
        assert len(mail.outbox) == 1  # one e-mail (enrolment's plain one is replaced)
        message = mail.outbox[0]
        assert message.to == ["chloe@exemple.test"]
        assert message.subject == (
            "Inscription confirmée : Introduction à l'intelligence artificielle"
        )
        assert "Bonjour Chloé," in message.body and "est confirmée" in message.body
        assert "Technofutur TIC Gosselies" in message.body
        assert '<html lang="fr">' in html_of(message)
        events = invitation(message)
        assert [e.start for e in events] == [local(in_days(10), 9), local(in_days(10), 13, 30)]
        assert [e.uid for e in events] == [
            f"parcours-session-{session.pk}-{i}@127.0.0.1" for i in range(2)
        ]
        assert all(e.sequence == 0 and not e.cancelled for e in events)
        data = calendar_parts(message)[0].get_payload(decode=True)
        assert isinstance(data, bytes)
        assert b"ATTENDEE;CN=" in data and b"mailto:chloe@exemple.test" in data

    def test_an_english_learner_reads_english(
        self,
        make_learner: Callable[..., User],
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        emma = make_learner(9, language="en")
        with django_capture_on_commit_callbacks(execute=True):
            enrol(make_session(), emma)
        message = mail.outbox[0]
        assert message.subject == "Enrolment confirmed: Introduction to artificial intelligence"
        assert "Hello Prénom9," in message.body
        assert "The attached invitation (.ics)" in message.body
        assert '<html lang="en">' in html_of(message)
        assert len(invitation(message)) == 2

    def test_the_dst_change_in_the_invitation(
        self,
        learner: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        day = dt.date(2026, 10, 26)
        session = make_session([(local(day, 9), local(day, 12, 30))])
        with django_capture_on_commit_callbacks(execute=True):
            enrol(session, learner)
        data = calendar_parts(mail.outbox[0])[0].get_payload(decode=True)
        assert isinstance(data, bytes)
        assert b"DTSTART:20261026T080000Z" in data

    def test_promotion_and_cancellation(
        self,
        learner: User,
        make_learner: Callable[..., User],
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        session = make_session(capacity=1)
        other = make_learner(3)
        with django_capture_on_commit_callbacks(execute=True):
            mine = enrol(session, learner)
            enrol(session, other)  # waitlisted (enrolment's own e-mail)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_actions.cancel(actor=Actor.of(learner), enrolment=mine)
        by_person = {m.to[0]: m for m in mail.outbox}
        assert set(by_person) == {learner.email, other.email}
        cancelled = by_person[learner.email]
        assert cancelled.subject.startswith("Inscription annulée")
        withdrawn = invitation(cancelled, "CANCEL")
        assert len(withdrawn) == 2 and all(e.cancelled for e in withdrawn)
        assert all(e.sequence == 1 for e in withdrawn)  # outranks the invitation (0)
        promoted = by_person[other.email]
        assert "place s'est libérée" in promoted.subject
        assert [e.uid for e in invitation(promoted)] == [e.uid for e in withdrawn]

    def test_a_session_cancelled_by_the_organiser(
        self,
        learner: User,
        coordinator: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        session = make_session()
        enrol(session, learner)
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_actions.set_session_status(
                actor=Actor.of(coordinator), session=session, status=Session.Status.CANCELLED
            )
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject.startswith("Session annulée")
        assert "annulée par l'organisateur" in mail.outbox[0].body
        assert len(invitation(mail.outbox[0], "CANCEL")) == 2

    def test_a_new_time_updates_the_same_events_with_a_higher_sequence(
        self,
        learner: User,
        coordinator: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        session = make_session(day_slots(in_days(10), in_days(11)))
        with django_capture_on_commit_callbacks(execute=True):
            enrol(session, learner)
        before = invitation(mail.outbox[0])
        mail.outbox.clear()
        moved = [(local(in_days(10), 10), local(in_days(10), 12, 30)), *day_slots(in_days(11))[:1]]
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_actions.update_session(
                actor=Actor.of(coordinator),
                session=session,
                data=session_data(session, slots=moved),
            )
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject.startswith("Changement de date, d'horaire ou de lieu")
        after = invitation(message)
        assert [e.uid for e in after] == [e.uid for e in before[:2]]
        assert after[0].start == local(in_days(10), 10)
        assert all(e.sequence == 1 for e in after)
        removed = invitation(message, "CANCEL")  # the two slots that no longer exist
        assert [e.uid for e in removed] == [e.uid for e in before[2:]]

    def test_a_change_of_trainers_alone_is_not_news_for_learners(
        self,
        learner: User,
        coordinator: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        session = make_session()
        enrol(session, learner)
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_actions.update_session(
                actor=Actor.of(coordinator),
                session=session,
                data=session_data(session, trainer_ids=[coordinator.pk]),
            )
        assert mail.outbox == []


class TestReminders:
    @pytest.fixture
    def soon(
        self, make_session: Callable[..., Session], learner: User, enrol: Callable[..., Enrolment]
    ) -> Enrolment:
        """Chloé enrolled last week in a session that starts in 30 hours."""
        start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=30)
        session = make_session([(start, start + dt.timedelta(hours=3))])
        enrolment = enrol(session, learner)
        Enrolment.objects.filter(pk=enrolment.pk).update(
            confirmed_at=timezone.now() - dt.timedelta(days=7)
        )
        return enrolment

    def test_the_reminder_is_sent_once_however_often_the_command_runs(
        self, soon: Enrolment
    ) -> None:
        call_command("send_reminders", stdout=None)
        call_command("send_reminders", stdout=None)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject.startswith("Rappel : Introduction à l'intelligence artificielle")
        assert len(invitation(message)) == 1
        assert ReminderSent.objects.filter(enrolment=soon).count() == 1

    def test_who_gets_a_reminder(
        self,
        soon: Enrolment,
        make_session: Callable[..., Session],
        make_learner: Callable[..., User],
        enrol: Callable[..., Enrolment],
    ) -> None:
        late = enrol(soon.session, make_learner(4))
        Enrolment.objects.filter(pk=late.pk).update(confirmed_at=timezone.now())  # just now:
        # inside the 48 hours, their confirmation e-mail does the reminder's job
        later = make_session(day_slots(in_days(5)))  # starts in five days: not yet
        enrol(later, make_learner(5))
        assert list(due_reminders()) == [soon]
        assert late not in due_reminders(now=timezone.now() + dt.timedelta(hours=1))

    def test_a_session_moved_later_gets_a_new_reminder(
        self, soon: Enrolment, coordinator: User
    ) -> None:
        call_command("send_reminders", stdout=None)
        session = soon.session
        assert session.starts_at is not None
        start = session.starts_at + dt.timedelta(days=5)
        enrolment_actions.update_session(
            actor=Actor.of(coordinator),
            session=session,
            data=session_data(session, slots=[(start, start + dt.timedelta(hours=3))]),
        )
        assert list(due_reminders()) == []
        assert list(due_reminders(now=start - dt.timedelta(hours=40))) == [soon]

    def test_the_reminder_speaks_english_too(self, soon: Enrolment, learner: User) -> None:
        User.objects.filter(pk=learner.pk).update(language="en")
        assert mailing.send_reminder(soon.pk)
        assert mail.outbox[0].subject.startswith("Reminder: Introduction to artificial")


@pytest.mark.django_db(transaction=True)
def test_two_cron_runs_at_once_send_each_reminder_once(
    make_session: Callable[..., Session],
    make_learner: Callable[..., User],
    enrol: Callable[..., Enrolment],
    run_concurrently: Any,
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=20)
    session = make_session([(start, start + dt.timedelta(hours=3))])
    people = [make_learner(i) for i in range(5)]
    for person in people:
        enrol(session, person)
    Enrolment.objects.update(confirmed_at=timezone.now() - dt.timedelta(days=3))
    mail.outbox.clear()  # the confirmations

    run = run_concurrently(call_command, 3, "send_reminders", stdout=None)

    run.raise_first()
    reminders = [m for m in mail.outbox if m.subject.startswith("Rappel")]
    assert sorted(m.to[0] for m in reminders) == sorted(p.email for p in people)
    assert ReminderSent.objects.count() == 5
