"""Cancelling (a workshop or the whole registration, by the visitor or by staff) and the
expiry of registrations whose e-mail is never confirmed: seats are freed through the
enrolment app, the waitlist is promoted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_person
from parcours.accounts.models import AuditEntry, Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment, Session
from parcours.events import actions, querysets
from parcours.events.models import Event, Registration, Workshop


def visitor(org: Organisation, n: int) -> User:
    return make_person(org, Role.LEARNER, f"visiteur{n}@example.test", f"V{n}", "Test")


def ids(*workshops: Workshop) -> list[int]:
    return [w.session_id for w in workshops]


def status_of(person: User, workshop: Workshop) -> str:
    return (
        Enrolment.objects.filter(learner=person, session_id=workshop.session_id)
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
        or ""
    )


def light_request(event: Event, workshops: list[Workshop], email: str = "nora@example.test"):
    return actions.request_registration(
        event=event,
        data=actions.VisitorData(email, "Nora", "Lemaire"),
        session_ids=ids(*workshops),
    )


# --- Cancelling ---------------------------------------------------------------------------


def test_visitor_cancels_one_workshop_then_everything_idempotently(
    org: Organisation, event: Event, workshops: list[Workshop], django_capture_on_commit_callbacks
) -> None:
    first, second, waiting = visitor(org, 1), visitor(org, 2), visitor(org, 3)
    for person in (first, second, waiting):
        actions.register(actor=Actor.of(person), event=event, session_ids=ids(workshops[0]))
    registration = actions.register(
        actor=Actor.of(first), event=event, session_ids=ids(workshops[2])
    ).registration
    assert status_of(waiting, workshops[0]) == "waitlisted"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.cancel_by_visitor(
            registration=registration, session_id=workshops[0].session_id
        )
    assert done.workshops == [workshops[0]] and not done.already
    # The seat went to the first on the waitlist, who is told.
    assert status_of(first, workshops[0]) == "cancelled"
    assert status_of(waiting, workshops[0]) == "confirmed"
    assert any(waiting.email in m.to for m in mail.outbox)
    assert status_of(first, workshops[2]) == "confirmed"
    again = actions.cancel_by_visitor(registration=registration, session_id=workshops[0].session_id)
    assert again.already
    whole = actions.cancel_by_visitor(registration=registration)
    assert whole.registration.status == Registration.Status.CANCELLED
    assert status_of(first, workshops[2]) == "cancelled"
    assert actions.cancel_by_visitor(registration=registration).already
    assert Session.objects.get(pk=workshops[2].session_id).seats_taken == 0
    # The ticket no longer lets anyone in.
    check = actions.check_in(
        actor=Actor.of(make_person(org, Role.COORDINATOR, "c2@example.test", "C", "D")),
        event=event,
        workshop=workshops[2],
        code=registration.ticket_code,
    )
    assert check.outcome == "cancelled"


def test_staff_cancel_a_ticket_with_a_reason_audited(
    org: Organisation, event: Event, workshops: list[Workshop], coordinator: User
) -> None:
    person = visitor(org, 1)
    registration = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0], workshops[2])
    ).registration
    with pytest.raises(PermissionDenied):
        actions.cancel_ticket(actor=Actor.of(person), registration=registration, reason="x")
    with pytest.raises(ValidationError) as refused:
        actions.cancel_ticket(actor=Actor.of(coordinator), registration=registration, reason=" ")
    assert "motif" in str(refused.value)
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    done = actions.cancel_ticket(
        actor=Actor.of(coordinator), registration=registration, reason="Doublon"
    )
    assert done.registration.status == Registration.Status.CANCELLED
    assert {status_of(person, w) for w in (workshops[0], workshops[2])} == {"cancelled"}
    entry = AuditEntry.objects.get(action="event.ticket.cancel")
    assert entry.actor == coordinator and entry.changes["reason"] == "Doublon"
    # The person may register again afterwards.
    again = actions.register(actor=Actor.of(person), event=event, session_ids=ids(workshops[0]))
    assert again.registration.pk != registration.pk


# --- Pending registrations hold a seat, then expire -----------------------------------------


def test_pending_seats_are_held_then_released_with_the_waitlist_promoted(
    org: Organisation, event: Event, workshops: list[Workshop], django_capture_on_commit_callbacks
) -> None:
    first = visitor(org, 1)
    actions.register(actor=Actor.of(first), event=event, session_ids=ids(workshops[0]))
    registration = light_request(event, [workshops[0]])
    # Both places taken (one pending): the next visitor waits.
    rows = querysets.workshop_figures(event)
    assert (rows[0].registered, rows[0].pending) == (2, 1)
    waiting = visitor(org, 2)
    actions.register(actor=Actor.of(waiting), event=event, session_ids=ids(workshops[0]))
    assert status_of(waiting, workshops[0]) == "waitlisted"
    created = Registration.objects.get(pk=registration.pk).created_at
    hours = actions.pending_hours()
    assert actions.expire_pending(now=created + dt.timedelta(hours=hours - 1)) == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        expired = actions.expire_pending(now=created + dt.timedelta(hours=hours, minutes=1))
    assert expired == [registration.pk]
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
    assert status_of(registration.person, workshops[0]) == "cancelled"
    assert status_of(waiting, workshops[0]) == "confirmed"
    # The unconfirmed address is not written to; the promoted visitor is.
    assert not any(registration.person.email in m.to for m in mail.outbox)
    assert any(waiting.email in m.to for m in mail.outbox)
    # Idempotent, and the old link no longer works.
    assert actions.expire_pending(now=created + dt.timedelta(days=5)) == []
    assert querysets.workshop_figures(event)[0].pending == 0


def test_a_new_request_replaces_the_held_choices(event: Event, workshops: list[Workshop]) -> None:
    registration = light_request(event, [workshops[0]])
    light_request(event, [workshops[2]])
    person = registration.person
    assert status_of(person, workshops[0]) == "cancelled"
    assert status_of(person, workshops[2]) == "confirmed"
    assert Session.objects.get(pk=workshops[0].session_id).seats_taken == 0
    assert Registration.objects.filter(person=person).count() == 1


def test_the_management_command_releases_what_is_due(
    event: Event, workshops: list[Workshop], capsys: pytest.CaptureFixture[str]
) -> None:
    registration = light_request(event, [workshops[0]])
    Registration.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=49)
    )
    call_command("expire_event_registrations", "--dry-run")
    assert "1 pending registration(s) past their deadline" in capsys.readouterr().out
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.PENDING
    call_command("expire_event_registrations")
    assert "1 pending registration(s) released" in capsys.readouterr().out
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED


@given(
    created=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2027, 1, 1),  # noqa: DTZ001
    ),
    start_after=st.one_of(st.none(), st.integers(min_value=-500, max_value=500)),
    hours=st.integers(min_value=1, max_value=200),
)
def test_pending_deadline_is_the_sooner_of_the_delay_and_the_event_start(
    created: dt.datetime, start_after: int | None, hours: int
) -> None:
    created = created.replace(tzinfo=dt.UTC)
    start = None if start_after is None else created + dt.timedelta(hours=start_after)
    deadline = actions.pending_deadline(created, start, hours)
    assert created < deadline <= created + dt.timedelta(hours=hours)
    if start is not None and start > created:
        assert deadline <= start or deadline == created + dt.timedelta(hours=hours) <= start


# --- Pages ----------------------------------------------------------------------------------


def test_ticket_page_cancels_one_workshop_after_a_confirmation_step(
    client: Client, org: Organisation, event: Event, workshops: list[Workshop]
) -> None:
    person = visitor(org, 1)
    registration = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0], workshops[2])
    ).registration
    token = actions.ticket_token(registration)
    ticket = client.get(reverse("events:ticket", args=[token])).content.decode()
    link = re.search(rf'href="([^"]+annuler/\?atelier={workshops[0].session_id})"', ticket)
    assert link, ticket
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert "Oui, annuler cet atelier" in page.content.decode()
    assert status_of(person, workshops[0]) == "confirmed"  # the link alone changes nothing
    url = reverse("events:ticket_cancel", args=[token])
    done = client.post(url, {"atelier": str(workshops[0].session_id)}, follow=True)
    assert "Atelier annulé : Rédiger son CV" in done.content.decode()
    assert status_of(person, workshops[0]) == "cancelled"
    again = client.post(url, {"atelier": str(workshops[0].session_id)}, follow=True)
    assert "déjà fait" in again.content.decode()
    whole = client.post(url, follow=True)
    assert "Votre inscription est annulée" in whole.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
    assert client.get(reverse("events:ticket_cancel", args=["pas-un-billet"])).status_code == 404


def test_staff_cancel_page_needs_a_reason_and_a_coordinator(
    client: Client,
    org: Organisation,
    other_org: Organisation,
    event: Event,
    workshops: list[Workshop],
    coordinator: User,
    outsider: User,
) -> None:
    person = visitor(org, 1)
    registration = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0])
    ).registration
    url = reverse("events:staff_cancel", args=[event.pk, registration.pk])
    client.force_login(outsider)
    assert client.post(url, {"reason": "x"}).status_code in (403, 404)
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and 'for="id_reason"' in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 422
    assert "Indiquez le motif" in refused.content.decode()
    done = client.post(url, {"reason": "Inscrit deux fois"}, follow=True)
    assert f"Billet {registration.ticket_code} annulé" in done.content.decode()
    assert status_of(person, workshops[0]) == "cancelled"


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_registrations_never_exceed_capacity(
    org: Organisation, event: Event, workshops: list[Workshop], run_concurrently
) -> None:
    """Visitors cancel while others register for the same workshops (in another order of
    choices, and a pending visitor replaces their choices): every lock is taken in session
    order, nobody deadlocks, and the seat counters match the seats held."""
    from functools import partial

    holders = [visitor(org, n) for n in range(2)]
    registrations = [
        actions.register(
            actor=Actor.of(p), event=event, session_ids=ids(workshops[2], workshops[0])
        ).registration
        for p in holders
    ]
    pending = light_request(event, [workshops[2]])
    newcomers = [visitor(org, 10 + n) for n in range(5)]
    calls: list[Callable[[], object]] = [
        partial(actions.cancel_by_visitor, registration=r) for r in registrations
    ]
    calls += [
        partial(
            actions.register,
            actor=Actor.of(p),
            event=event,
            session_ids=ids(workshops[0], workshops[2]),
        )
        for p in newcomers
    ]
    calls.append(partial(light_request, event, [workshops[0]]))
    run = run_concurrently.each(calls)
    run.raise_first()
    for workshop in (workshops[0], workshops[2]):
        session = Session.objects.get(pk=workshop.session_id)
        held = Enrolment.objects.filter(
            session=session, status__in=("confirmed", "attended", "completed", "no_show")
        ).count()
        assert session.seats_taken == held == session.capacity == 2
    assert Registration.objects.get(pk=pending.pk).status == Registration.Status.PENDING


def test_signing_in_confirms_the_seats_held_by_an_earlier_request(
    org: Organisation, event: Event, workshops: list[Workshop]
) -> None:
    person = visitor(org, 1)
    registration = light_request(event, [workshops[0]], email=person.email)
    result = actions.register(
        actor=Actor.of(person), event=event, session_ids=ids(workshops[0], workshops[2])
    )
    assert result.registration.pk == registration.pk
    assert result.registration.status == Registration.Status.CONFIRMED
    assert sorted(w.pk for w in result.confirmed) == sorted([workshops[0].pk, workshops[2].pk])
    assert Enrolment.objects.filter(learner=person, status="confirmed").count() == 2
    assert actions.expire_pending(now=timezone.now() + dt.timedelta(days=30)) == []
