"""Equipment loans: check out to a person by e-mail, return with a condition note, overdue
list with reminder e-mails, history per item and per person; an item out cannot be booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.accounts.models import Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import Loan, Resource

DAY = dt.date(2031, 3, 12)


def at(day: dt.date, time: str) -> dt.datetime:
    return core.local_datetime(day, dt.time.fromisoformat(time), planning.TZ)


@pytest.fixture
def laptop(lea: Actor, liege: Site) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=liege,
        name="Portable 07",
        code="PC-07",
        kind=Resource.Kind.EQUIPMENT,
        inventory_number="INV-2031-007",
    )


def lend_form(laptop: Resource, **extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "resource": laptop.pk,
        "borrower_email": "prof.dupont@ecole.test",
        "borrower_first_name": "Marie",
        "borrower_last_name": "Dupont",
        "start": "2031-03-12",
        "due": "2031-03-19",
        "condition_out": "Bon état, chargeur",
    }
    data.update(extra)
    return data


def test_check_out_to_a_new_teacher_then_return(as_user, logistics: User, laptop: Resource) -> None:
    client = as_user(logistics)
    response = client.post(reverse("scheduling:loan_create"), lend_form(laptop))
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert loan.borrower.email == "prof.dupont@ecole.test"
    assert not loan.borrower.has_usable_password()
    assert loan.due == at(dt.date(2031, 3, 19), "17:00")
    page = client.get(reverse("scheduling:loans")).content.decode()
    assert "Portable 07" in page and "Marie Dupont" in page
    response = client.post(
        reverse("scheduling:loan_return", args=[loan.pk]), {"condition_in": "Écran rayé"}
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.returned_at is not None and loan.condition_in == "Écran rayé"
    history = client.get(reverse("scheduling:loan_item", args=[laptop.pk])).content.decode()
    assert "Écran rayé" in history and "Bon état, chargeur" in history
    person = client.get(reverse("scheduling:loan_person", args=[loan.borrower_id]))
    assert "Portable 07" in person.content.decode()


def test_unknown_borrower_needs_a_name(as_user, logistics: User, laptop: Resource) -> None:
    response = as_user(logistics).post(
        reverse("scheduling:loan_create"),
        lend_form(laptop, borrower_first_name="", borrower_last_name=""),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["borrower_first_name"]
    assert "pas encore connue de l'organisation" in errors[0]
    assert not Loan.objects.exists()


def test_an_item_on_loan_cannot_be_booked_or_lent_twice(
    as_user,
    logistics: User,
    coordinator: User,
    lea: Actor,
    laptop: Resource,
) -> None:
    actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=7), "17:00"),
    )
    with pytest.raises(BookingConflict):
        actions.book(
            actor=lea,
            resources=[laptop],
            start=at(DAY + dt.timedelta(days=2), "09:00"),
            end=at(DAY + dt.timedelta(days=2), "12:00"),
            title="Démo",
        )
    response = as_user(logistics).post(
        reverse("scheduling:loan_create"),
        lend_form(laptop, start="2031-03-14", due="2031-03-15"),
    )
    assert response.status_code == 409
    assert "Ce créneau n'est pas libre" in response.content.decode()
    assert Loan.objects.count() == 1


def test_overdue_list_and_reminders(
    as_user,
    django_capture_on_commit_callbacks,
    logistics: User,
    coordinator: User,
    trainer: User,
    lea: Actor,
    laptop: Resource,
    liege: Site,
) -> None:
    beamer = actions.create_resource(
        actor=lea, site=liege, name="Projecteur 2", code="PJ-2", kind=Resource.Kind.EQUIPMENT
    )
    actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    actions.checkout_loan(
        actor=lea,
        resource=beamer,
        borrower_email=trainer.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=30), "17:00"),
    )
    client = as_user(logistics)
    later = {"at": "2031-03-20T09:00"}  # the test clock: the laptop is 6 days late
    page = client.get(reverse("scheduling:loans"), later).content.decode()
    overdue = page.split("En retard", 1)[1].split("Prêts en cours", 1)[0]
    assert "Portable 07" in overdue and "Projecteur 2" not in overdue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:loan_reminders") + "?at=2031-03-20T09:00")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Portable 07" in mail.outbox[0].subject
    assert "INV" not in mail.outbox[0].subject and "INV-2031-007" in mail.outbox[0].body


def test_loans_are_for_logistics_of_the_organisation(
    as_user,
    coordinator: User,
    outsider: User,
    lea: Actor,
    laptop: Resource,
) -> None:
    loan = actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    assert as_user(coordinator).get(reverse("scheduling:loans")).status_code == 403
    assert as_user(coordinator).post(reverse("scheduling:loan_reminders")).status_code == 403
    c = as_user(outsider)
    assert c.get(reverse("scheduling:loan_return", args=[loan.pk])).status_code == 403
    with pytest.raises(Exception, match="logistique"):
        actions.checkout_loan(
            actor=Actor.of(coordinator),
            resource=laptop,
            borrower_email="x@y.test",
            start=at(DAY, "08:00"),
            due=at(DAY, "17:00"),
            first_name="X",
            last_name="Y",
        )


def test_loan_list_query_count(
    as_user,
    django_assert_max_num_queries,
    logistics: User,
    lea: Actor,
    liege: Site,
    coordinator: User,
) -> None:
    client = as_user(logistics)
    url = reverse("scheduling:loans")
    first = actions.create_resource(
        actor=lea, site=liege, name="Tablette A", code="TB-A", kind=Resource.Kind.EQUIPMENT
    )
    actions.checkout_loan(  # one loan first: the page (of 50) then counts and fetches once
        actor=lea,
        resource=first,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY, "17:00"),
    )
    client.get(url)
    with django_assert_max_num_queries(12) as before:
        client.get(url)
    for i in range(5):
        item = actions.create_resource(
            actor=lea,
            site=liege,
            name=f"Tablette {i}",
            code=f"TB-{i}",
            kind=Resource.Kind.EQUIPMENT,
        )
        actions.checkout_loan(
            actor=lea,
            resource=item,
            borrower_email=coordinator.email,
            start=at(DAY, "08:00"),
            due=at(DAY + dt.timedelta(days=i), "17:00"),
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert "Tablette 4" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_desks_lending_the_same_laptop_at_once(
    run_concurrently,
    lea: Actor,
    laptop: Resource,
    coordinator: User,
    trainer: User,
) -> None:
    calls = [
        lambda who=who: actions.checkout_loan(
            actor=Actor.of(lea.user),
            resource=laptop,
            borrower_email=who.email,
            start=at(DAY, "08:00"),
            due=at(DAY + dt.timedelta(days=3), "17:00"),
        )
        for who in (coordinator, trainer)
    ]
    run = run_concurrently.each(calls)
    assert len(run.successes) == 1
    assert all(isinstance(e, BookingConflict) for e in run.errors)
    assert Loan.objects.filter(resource=laptop).count() == 1


def test_a_loan_is_not_moved_from_the_grid(
    as_user, logistics: User, coordinator: User, lea: Actor, laptop: Resource
) -> None:
    loan = actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    client = as_user(logistics)
    detail = client.get(reverse("scheduling:booking", args=[loan.booking_id]))
    assert "Déplacer" not in detail.content.decode()
    response = client.post(
        reverse("scheduling:booking_move", args=[loan.booking_id]),
        {"resource": laptop.pk, "day": "2031-03-20", "start_time": "08:00", "end_time": "09:00"},
    )
    assert response.status_code == 400
    loan.booking.refresh_from_db()
    assert loan.booking.start == at(DAY, "08:00")


def test_remind_one_overdue_loan_at_most_once_a_day(
    as_user,
    django_capture_on_commit_callbacks,
    logistics: User,
    coordinator: User,
    lea: Actor,
    laptop: Resource,
) -> None:
    loan = actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    client = as_user(logistics)
    loans_url = reverse("scheduling:loans")
    remind_url = reverse("scheduling:loan_remind", args=[loan.pk])
    page = client.get(loans_url, {"at": "2031-03-20T09:00"}).content.decode()
    assert remind_url in page and "Rappel envoyé le" not in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url + "?at=2031-03-20T09:00")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    loan.refresh_from_db()
    assert loan.last_reminded == dt.date(2031, 3, 20)

    # The same day: the date is shown and no reminder is offered, neither one by one nor all.
    page = client.get(loans_url, {"at": "2031-03-20T16:00"}).content.decode()
    assert "Rappel envoyé le 20/03/2031" in page
    assert remind_url not in page
    assert reverse("scheduling:loan_reminders") not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url + "?at=2031-03-20T16:00")
        client.post(reverse("scheduling:loan_reminders") + "?at=2031-03-20T16:00")
    assert len(mail.outbox) == 1
    with pytest.raises(ValidationError):
        actions.remind_loan(actor=lea, loan=loan, now=at(dt.date(2031, 3, 20), "18:00"))

    # The next day the reminder is offered again, and the bulk button sends it.
    page = client.get(loans_url, {"at": "2031-03-21T09:00"}).content.decode()
    assert "Rappel envoyé le 20/03/2031" in page and remind_url in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scheduling:loan_reminders") + "?at=2031-03-21T09:00")
    assert len(mail.outbox) == 2
    loan.refresh_from_db()
    assert loan.last_reminded == dt.date(2031, 3, 21)


def test_a_loan_that_is_not_overdue_is_not_reminded(
    as_user,
    django_capture_on_commit_callbacks,
    logistics: User,
    coordinator: User,
    lea: Actor,
    laptop: Resource,
) -> None:
    loan = actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(logistics).post(
            reverse("scheduling:loan_remind", args=[loan.pk]) + "?at=2031-03-13T09:00"
        )
    assert response.status_code == 302
    assert mail.outbox == []
    loan.refresh_from_db()
    assert loan.last_reminded is None


def test_only_logistics_of_the_organisation_remind(
    as_user, coordinator: User, outsider: User, lea: Actor, laptop: Resource
) -> None:
    loan = actions.checkout_loan(
        actor=lea,
        resource=laptop,
        borrower_email=coordinator.email,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    url = reverse("scheduling:loan_remind", args=[loan.pk]) + "?at=2031-03-20T09:00"
    assert as_user(coordinator).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 403
    loan.refresh_from_db()
    assert loan.last_reminded is None


def test_an_item_still_out_is_not_lent_again_even_after_its_due_date(
    as_user, logistics: User, lea: Actor, laptop: Resource, coordinator: User, trainer: User
) -> None:
    """Issue #9: the loan's booking stops blocking the calendar at the due date, but the item is
    still with the first borrower until its return is recorded."""
    first = actions.lend(
        actor=lea,
        resource=laptop,
        borrower=coordinator,
        start=at(DAY, "08:00"),
        due=at(DAY + dt.timedelta(days=2), "17:00"),
    )
    later_start = at(DAY + dt.timedelta(days=5), "08:00")
    later = {"start": later_start, "due": later_start + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as refused:
        actions.lend(
            actor=lea, resource=laptop, borrower=trainer, start=later["start"], due=later["due"]
        )
    assert "déjà prêté" in str(refused.value)
    assert Loan.objects.filter(resource=laptop).count() == 1
    # The page says so in place, in French, without writing anything.
    page = as_user(logistics).post(
        reverse("scheduling:loan_create"),
        lend_form(laptop, start="2031-03-17", due="2031-03-18"),
    )
    assert page.status_code in (400, 422)
    assert "est déjà prêté et n&#x27;a pas été rendu" in page.content.decode()
    assert Loan.objects.filter(resource=laptop).count() == 1
    actions.return_loan(actor=lea, loan=first)
    assert (
        actions.lend(
            actor=lea, resource=laptop, borrower=trainer, start=later["start"], due=later["due"]
        ).borrower
        == trainer
    )


@pytest.mark.django_db(transaction=True)
def test_two_desks_lending_an_item_for_different_weeks_at_once(
    run_concurrently, lea: Actor, laptop: Resource, coordinator: User, trainer: User
) -> None:
    """The calendar does not collide (different weeks), the one-open-loan rule does: one
    writer wins, the other gets the clear message (SQLite: serialised writers; PostgreSQL:
    the partial unique constraint, its IntegrityError turned into the same message)."""
    calls = [
        lambda who=who, week=week: actions.lend(
            actor=Actor.of(lea.user),
            resource=laptop.pk,
            borrower=who,
            start=at(DAY + dt.timedelta(weeks=week), "08:00"),
            due=at(DAY + dt.timedelta(weeks=week, days=2), "17:00"),
        )
        for who, week in ((coordinator, 0), (trainer, 2))
    ]
    run = run_concurrently.each(calls)
    assert len(run.successes) == 1
    assert len(run.errors) == 1
    assert isinstance(run.errors[0], ValidationError), run.errors
    assert "déjà prêté" in str(run.errors[0])
    assert Loan.objects.filter(resource=laptop, returned_at=None).count() == 1
