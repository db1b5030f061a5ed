"""Events: workshops from rows, multi-workshop registration, light accounts, check-in."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.accounts.policies import has_verified_email
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus, SessionStatus
from parcours.events import actions
from parcours.events.models import Event, Registration, Track, Workshop
from parcours.events.tests.conftest import local, row
from parcours.scheduling.models import Booking

S = EnrolmentStatus


def visitor(org: Organisation, n: int) -> User:
    return make_person(org, Role.LEARNER, f"visiteur{n}@example.test", f"V{n}", "Test")


def ids(*workshops: Workshop) -> list[int]:
    return [w.session_id for w in workshops]


# --- Creating workshops ---------------------------------------------------------------------


def test_rows_become_published_workshops_with_their_rooms(
    workshops: list[Workshop], tracks: list[Track]
) -> None:
    assert [w.title for w in workshops] == [
        "Rédiger son CV",
        "Préparer un entretien",
        "Soigner son profil LinkedIn",
    ]
    session = workshops[0].session
    assert session.status == SessionStatus.PUBLISHED
    assert session.room_id == tracks[0].room_id
    assert Booking.objects.filter(source=enrolment.ROOM_SOURCE, source_id=str(session.pk)).exists()


def test_preview_says_what_is_refused_and_why(
    event: Event, tracks: list[Track], workshops: list[Workshop], day: dt.date
) -> None:
    rows = [
        row(1, day, "14:00", "15:00", "Salle A", "Bon"),
        row(2, day + dt.timedelta(days=5), "14:00", "15:00", "Salle A", "Hors dates"),
        row(3, day, "14:00", "15:00", "Salle Z", "Piste inconnue"),
        row(4, day, "14:30", "15:30", "Salle A", "Même piste que la ligne 1"),
        row(5, day, "09:30", "10:30", "Salle B", "Chevauche l'entretien"),
        row(6, day, "16:00", "15:00", "Salle B", "À l'envers"),
        row(7, day, "16:00", "17:00", "Salle B", ""),
        actions.WorkshopRow(8, day.isoformat(), "16:00", "17:00", "Salle B", "X", capacity="0"),
    ]
    checked = actions.check_rows(event, rows)
    assert [c.ok for c in checked] == [True, False, False, False, False, False, False, False]
    reasons = [" ".join(c.errors) for c in checked]
    assert "pas un jour de l'événement" in reasons[1]
    assert "Piste inconnue : « Salle Z »" in reasons[2]
    assert "ligne 1" in reasons[3]
    assert "Préparer un entretien" in reasons[4]
    assert "finir après" in reasons[5]
    assert "titre est obligatoire" in reasons[6]
    assert "Places" in reasons[7]


def test_a_room_booked_by_someone_else_is_refused_and_never_double_booked(
    event: Event, tracks: list[Track], coordinator: User, day: dt.date
) -> None:
    from parcours.scheduling import actions as scheduling

    scheduling.book(
        actor=Actor.of(coordinator),
        resources=[tracks[0].room_id or 0],
        start=local(day, 13),
        end=local(day, 14),
        title="Réunion d'équipe",
    )
    rows = [row(1, day, "13:30", "14:30", "Salle A", "Trop tôt")]
    assert "Réunion d'équipe" in " ".join(actions.check_rows(event, rows)[0].errors)
    assert actions.create_workshops(actor=Actor.of(coordinator), event=event, rows=rows) == []


def test_only_coordinators_create_workshops(
    event: Event, tracks: list[Track], trainer: User, outsider: User, day: dt.date
) -> None:
    rows = [row(1, day, "14:00", "15:00", "Salle A", "Bon")]
    for person in (trainer, outsider):
        with pytest.raises(PermissionDenied):
            actions.create_workshops(actor=Actor.of(person), event=event, rows=rows)
    assert not Workshop.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:30", dt.time(9, 30)), ("09h05", dt.time(9, 5)), ("24:00", None), ("9", None)],
)
def test_time_parser(text: str, expected: dt.time | None) -> None:
    assert actions.parse_time(text) == expected


# --- Registering ----------------------------------------------------------------------------


def test_register_several_workshops_in_one_go(
    org: Organisation, event: Event, workshops: list[Workshop]
) -> None:
    first, second = visitor(org, 1), visitor(org, 2)
    actions.register(actor=Actor.of(first), event=event, session_ids=ids(workshops[0]))
    actions.register(actor=Actor.of(second), event=event, session_ids=ids(workshops[0]))
    third = visitor(org, 3)
    result = actions.register(
        actor=Actor.of(third), event=event, session_ids=ids(workshops[0], workshops[2])
    )
    assert result.confirmed == [workshops[2]]
    assert result.waitlisted == [workshops[0]]
    assert result.registration.status == Registration.Status.CONFIRMED
    assert len(result.registration.ticket_code) == 10


def test_a_registration_costs_the_same_queries_for_one_or_six_workshops(
    org: Organisation,
    event: Event,
    tracks: list[Track],
    coordinator: User,
    day: dt.date,
    django_assert_max_num_queries,
) -> None:
    rows = [
        row(n, day, f"{9 + n}:00", f"{9 + n}:45", "Salle A", f"Atelier {n}", cap=5)
        for n in range(6)
    ]
    made = actions.create_workshops(actor=Actor.of(coordinator), event=event, rows=rows)
    counts = []
    for n, chosen in enumerate((made[:1], made)):
        person = visitor(org, n)
        actor = Actor.of(person)
        actor.has_role(org.pk)  # the actor's memberships, read once per request by then
        with CaptureQueriesContext(connection) as queries:
            actions.register(actor=actor, event=event, session_ids=ids(*chosen))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # The bound the registration page relies on (benchmarks/bench_events.py): one locked read
    # of the sessions, bulk writes.
    last = Actor.of(visitor(org, 9))
    with django_assert_max_num_queries(18):
        actions.register(actor=last, event=event, session_ids=ids(*made))


def test_overlapping_choices_are_refused_naming_both(
    org: Organisation, event: Event, workshops: list[Workshop]
) -> None:
    person = visitor(org, 1)
    with pytest.raises(ValidationError) as refused:
        actions.register(
            actor=Actor.of(person), event=event, session_ids=ids(workshops[0], workshops[1])
        )
    assert "« Rédiger son CV » et « Préparer un entretien » ont lieu en même temps" in str(
        refused.value
    )
    assert not Enrolment.objects.exists()
    assert not Registration.objects.exists()


def test_all_or_nothing_when_one_workshop_refuses(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User
) -> None:
    person = visitor(org, 1)
    enrolment.enrol(
        actor=Actor.of(coordinator),
        session=workshops[1].session,
        learner=person,
        source=Enrolment.Source.COORDINATOR,
    )
    # The CV workshop clashes with the interview the person already has: nothing is written.
    with pytest.raises(ValidationError) as refused:
        actions.register(
            actor=Actor.of(person), event=event, session_ids=ids(workshops[2], workshops[0])
        )
    assert "Rédiger son CV" in str(refused.value)
    assert Enrolment.objects.filter(learner=person).count() == 1
    assert Session.objects.get(pk=workshops[2].session_id).seats_taken == 0


def test_the_visitor_limit_and_private_events(
    org: Organisation, event: Event, workshops: list[Workshop], outsider: User
) -> None:
    event.max_workshops_per_visitor = 1
    event.save()
    with pytest.raises(ValidationError, match="1 ateliers au plus"):
        actions.register(
            actor=Actor.of(visitor(org, 1)),
            event=event,
            session_ids=ids(workshops[0], workshops[2]),
        )
    event.is_public = False
    event.save()
    with pytest.raises(PermissionDenied):
        actions.register(actor=Actor.of(outsider), event=event, session_ids=ids(workshops[0]))


def test_workshops_of_another_event_are_refused(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User, day: dt.date
) -> None:
    other = actions.create_event(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.EventData(
            title="Autre", slug="autre", starts_on=day, ends_on=day, is_public=True
        ),
    )
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        actions.register(
            actor=Actor.of(visitor(org, 1)), event=other, session_ids=ids(workshops[0])
        )


# --- Light accounts -------------------------------------------------------------------------


def _link_secret() -> str:
    match = re.search(r"/evenements/confirmer/([\w-]+)/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_light_registration_waits_for_the_e_mail_link(
    event: Event, workshops: list[Workshop], django_capture_on_commit_callbacks
) -> None:
    data = actions.VisitorData("nora@example.test", "Nora", "Lemaire")
    with django_capture_on_commit_callbacks(execute=True):
        registration = actions.request_registration(
            event=event, data=data, session_ids=ids(workshops[0], workshops[2])
        )
    assert registration.status == Registration.Status.PENDING
    # The seats are held while the e-mail waits for its confirmation; nobody is told yet
    # (the only message is the link).
    held = Enrolment.objects.filter(learner=registration.person)
    assert sorted(held.values_list("status", flat=True)) == ["confirmed", "confirmed"]
    assert [m.subject for m in mail.outbox] == ["Confirmez votre inscription : Jobs day"]
    person = registration.person
    assert not person.has_usable_password()
    secret = _link_secret()
    assert registration.confirm_hash and secret not in registration.confirm_hash

    with django_capture_on_commit_callbacks(execute=True):
        result = actions.confirm_registration(secret=secret)
    assert result.confirmed == [workshops[0], workshops[2]]
    ticket_mail = next(m for m in mail.outbox if m.subject == "Votre billet : Jobs day")
    assert result.registration.ticket_code in str(ticket_mail.body)
    assert "/evenements/billet/" in str(ticket_mail.body)
    assert has_verified_email(person)
    with pytest.raises(ValidationError, match="déjà servi"):
        actions.confirm_registration(secret=secret)
    assert Enrolment.objects.filter(learner=person).count() == 2


def test_light_registration_only_where_the_event_allows_it(
    event: Event, workshops: list[Workshop]
) -> None:
    event.allows_light_registration = False
    event.save()
    with pytest.raises(PermissionDenied):
        actions.request_registration(
            event=event,
            data=actions.VisitorData("nora@example.test", "Nora", "Lemaire"),
            session_ids=ids(workshops[0]),
        )


def test_light_registration_bad_input(event: Event, workshops: list[Workshop]) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.request_registration(
            event=event,
            data=actions.VisitorData("pas-un-email", "", "Le\x00maire"),
            session_ids=ids(workshops[0]),
        )
    assert set(refused.value.message_dict) == {"email", "first_name", "last_name"}
    assert not User.objects.filter(last_name__startswith="Le").exists()


# --- Check-in -------------------------------------------------------------------------------


def test_check_in_by_ticket_code_is_idempotent(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User, day: dt.date
) -> None:
    person = visitor(org, 1)
    registration = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0])
    ).registration
    staff = Actor.of(coordinator)
    at = local(day, 9, 5)
    code = registration.ticket_code.lower()
    first = actions.check_in(actor=staff, event=event, workshop=workshops[0], code=code, now=at)
    assert first.outcome == "ok"
    assert "V1 Test" in first.message
    again = actions.check_in(
        actor=staff,
        event=event,
        workshop=workshops[0],
        code=registration.ticket_code,
        now=at + dt.timedelta(minutes=3),
    )
    assert again.outcome == "already"
    assert "Déjà enregistré à 09:05" in again.message
    assert Attendance.objects.filter(present=True).count() == 1
    elsewhere = actions.check_in(actor=staff, event=event, workshop=workshops[2], code=code, now=at)
    assert elsewhere.outcome == "not_registered"


def test_check_in_shows_wrong_event_cancelled_and_unknown_tickets(
    org: Organisation,
    event: Event,
    workshops: list[Workshop],
    coordinator: User,
    day: dt.date,
) -> None:
    staff = Actor.of(coordinator)
    other = actions.create_event(
        actor=staff,
        organisation=org,
        data=actions.EventData(
            title="Semaine du jeu", slug="jeu", starts_on=day, ends_on=day, is_public=True
        ),
    )
    person = visitor(org, 1)
    registration = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0])
    ).registration
    at = local(day, 9, 5)
    outcome = actions.check_in(
        actor=staff,
        event=other,
        workshop=_other_workshop(other, staff, day),
        code=registration.ticket_code,
        now=at,
    )
    assert outcome.outcome == "wrong_event"
    assert "Jobs day" in outcome.message
    assert (
        actions.check_in(
            actor=staff, event=event, workshop=workshops[0], code="ZZZ", now=at
        ).outcome
        == "unknown"
    )
    registration.status = Registration.Status.CANCELLED
    registration.save()
    assert (
        actions.check_in(
            actor=staff, event=event, workshop=workshops[0], code=registration.ticket_code, now=at
        ).outcome
        == "cancelled"
    )


def _other_workshop(event: Event, staff: Actor, day: dt.date) -> Workshop:
    event.default_module = Event.objects.get(slug="jobs-day").default_module
    event.save()
    site = Event.objects.get(slug="jobs-day").sites.first()
    assert site is not None
    event.sites.set([site])
    return actions.create_workshops(
        actor=staff, event=event, rows=[row(1, day, "09:00", "10:00", "", "Jeu")]
    )[0]


def test_learners_cannot_check_people_in(
    org: Organisation, event: Event, workshops: list[Workshop], learner: User
) -> None:
    with pytest.raises(PermissionDenied):
        actions.check_in(actor=Actor.of(learner), event=event, workshop=workshops[0], code="X")


def test_cancelling_a_workshop_cancels_its_registrations(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User
) -> None:
    person = visitor(org, 1)
    actions.register(actor=Actor.of(person), event=event, session_ids=ids(workshops[0]))
    actions.cancel_workshop(actor=Actor.of(coordinator), workshop=workshops[0])
    assert Enrolment.objects.get(learner=person).status == S.CANCELLED
    assert not Booking.objects.open().filter(source_id=str(workshops[0].session_id)).exists()


# --- Pure rules -----------------------------------------------------------------------------

BASE = dt.datetime(2026, 3, 12, 8, tzinfo=dt.UTC)
slot = st.tuples(st.integers(0, 40), st.integers(1, 8)).map(
    lambda t: (
        BASE + dt.timedelta(minutes=15 * t[0]),
        BASE + dt.timedelta(minutes=15 * (t[0] + t[1])),
    )
)


@given(st.dictionaries(st.integers(1, 8), st.lists(slot, min_size=1, max_size=2), max_size=6))
def test_overlapping_pair_matches_brute_force(ranges: dict) -> None:
    def clash(a: int, b: int) -> bool:
        return any(s1 < e2 and s2 < e1 for s1, e1 in ranges[a] for s2, e2 in ranges[b])

    keys = sorted(ranges)
    expected = any(clash(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    pair = actions.overlapping_pair(ranges)
    assert (pair is not None) == expected
    if pair is not None:
        assert pair[0] != pair[1] and clash(*pair)


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_visitors_never_exceed_capacity(
    org: Organisation, event: Event, workshops: list[Workshop], run_concurrently
) -> None:
    people = [visitor(org, n) for n in range(8)]
    choice = ids(workshops[0], workshops[2])
    run = run_concurrently.each(
        [
            partial(actions.register, actor=Actor.of(p), event=event, session_ids=choice)
            for p in people
        ]
    )
    run.raise_first()
    for workshop in (workshops[0], workshops[2]):
        session = Session.objects.get(pk=workshop.session_id)
        held = Enrolment.objects.filter(session=session, status=S.CONFIRMED).count()
        assert session.seats_taken == held == 2
        assert Enrolment.objects.filter(session=session, status=S.WAITLISTED).count() == 6


# --- Figures and personal data --------------------------------------------------------------


def test_figures_for_reports_and_the_staff_page(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User, day: dt.date
) -> None:
    from parcours.events import figures, personal_data, querysets

    people = [visitor(org, n) for n in range(3)]
    for person in people:
        actions.register(actor=Actor.of(person), event=event, session_ids=ids(workshops[0]))
    code = Registration.objects.get(person=people[0]).ticket_code
    actions.check_in(
        actor=Actor.of(coordinator),
        event=event,
        workshop=workshops[0],
        code=code,
        now=local(day, 9, 1),
    )
    rows = querysets.workshop_figures(event)
    cv = rows[0]
    assert (cv.registered, cv.waitlisted, cv.checked_in, cv.no_shows) == (2, 1, 1, 1)
    assert str(cv.fill_rate) == "100.0"
    totals = querysets.event_figures(event, rows)
    assert (totals.workshops, totals.visitors, totals.registered) == (3, 2, 2)
    got = {f.key: f.value for f in figures.provide([org.pk], day, day).figures}
    assert got == {
        "events.events": 1,
        "events.workshops": 3,
        "events.registrations": 2,
        "events.check_ins": 1,
    }
    assert figures.provide([org.pk + 1000], day, day).figures[0].value == 0

    exported = personal_data.export(people[0])
    assert exported[0]["ticket_code"] == code
    assert personal_data.erase(people[0]) == 1
    assert not Registration.objects.filter(person=people[0]).exists()


def test_one_registration_sends_each_workshops_message_after_commit(
    org: Organisation, event: Event, workshops: list[Workshop], django_capture_on_commit_callbacks
) -> None:
    for n in (1, 2):
        actions.register(
            actor=Actor.of(visitor(org, n)), event=event, session_ids=ids(workshops[0])
        )
    person = visitor(org, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.register(
            actor=Actor.of(person), event=event, session_ids=ids(workshops[0], workshops[2])
        )
    # One after-commit callback for both workshops' events, one for the ticket's e-mail.
    assert len(callbacks) == 2
    subjects = [m.subject for m in mail.outbox if person.email in m.to]
    assert len(subjects) == 3, subjects
    assert "Votre billet : Jobs day" in subjects


def test_registrants_are_told_when_a_workshop_is_cancelled(
    org: Organisation,
    event: Event,
    workshops: list[Workshop],
    coordinator: User,
    django_capture_on_commit_callbacks,
) -> None:
    person = visitor(org, 1)
    actions.register(actor=Actor.of(person), event=event, session_ids=ids(workshops[0]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_workshop(actor=Actor.of(coordinator), workshop=workshops[0])
    assert [m for m in mail.outbox if person.email in m.to]


def test_the_ticket_e_mail_goes_out_once(
    org: Organisation, event: Event, workshops: list[Workshop]
) -> None:
    from parcours.events import tasks

    registration = actions.register(
        actor=Actor.of(visitor(org, 1)), event=event, session_ids=ids(workshops[0])
    ).registration
    mail.outbox.clear()
    tasks.send_ticket.call(registration.pk)
    tasks.send_ticket.call(registration.pk)  # a task run twice (a worker that died) sends once
    assert [m.subject for m in mail.outbox] == ["Votre billet : Jobs day"]
