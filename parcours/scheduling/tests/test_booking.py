"""The booking rules a user notices: overlaps (buffers included) are refused with the booking
named and alternatives proposed; back-to-back is fine; requests hold nothing until approved."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import Booking, Reservation, Resource

from .conftest import FUTURE_DAY, at


def book(actor: Actor, resources: list[Resource], start: str, end: str, **kw) -> Booking:
    return actions.book(
        actor=actor,
        resources=resources,
        start=at(FUTURE_DAY, start),
        end=at(FUTURE_DAY, end),
        title=kw.pop("title", "Réunion"),
        **kw,
    )


def test_logistics_books_directly_and_an_overlap_is_refused_naming_the_booking(
    lea: Actor, room: Resource, other_room: Resource, far_room: Resource
) -> None:
    first = book(lea, [room], "09:00", "12:00", title="Formation IA")
    assert first.status == "approved"
    with pytest.raises(BookingConflict) as info:
        book(lea, [room], "11:00", "13:00")
    conflict = info.value
    assert "Salle Meuse" in conflict.message
    assert "Formation IA" in conflict.message
    assert [c.booking_id for c in conflict.conflicts] == [first.pk]
    times = [s for s in conflict.suggestions if s.kind == "time"]
    assert times and times[0].start == at(FUTURE_DAY, "12:00")  # nearest free slot
    rooms = [s.resource_name for s in conflict.suggestions if s.kind == "resource"]
    assert rooms[0] == "Salle Vesdre"  # same site first, then the nearby site
    assert rooms[-1] == "Salle Sambre"
    assert Booking.objects.count() == 1


def test_back_to_back_bookings_do_not_conflict(lea: Actor, room: Resource) -> None:
    book(lea, [room], "09:00", "10:00")
    book(lea, [room], "10:00", "11:00")
    assert Reservation.objects.active().count() == 2


def test_buffers_are_part_of_the_blocked_time(lea: Actor, room: Resource) -> None:
    book(lea, [room], "09:00", "10:00", cleanup_minutes=30)
    with pytest.raises(BookingConflict):
        book(lea, [room], "10:15", "11:00")
    with pytest.raises(BookingConflict):
        book(lea, [room], "11:00", "12:00", setup_minutes=70)
    book(lea, [room], "10:30", "11:00")


def test_a_request_holds_no_slot_and_approval_rechecks(
    lea: Actor,
    school_contact: User,
    logistics: User,
    room: Resource,
    django_capture_on_commit_callbacks,
) -> None:
    sam = Actor.of(school_contact)
    with django_capture_on_commit_callbacks(execute=True):
        request = book(sam, [room], "09:00", "12:00", title="Conseil de classe")
    assert request.status == "requested"
    assert not Reservation.objects.filter(booking=request, active=True).exists()
    assert [m.to for m in mail.outbox] == [[logistics.email]]
    # The slot is still free for logistics, and then the request cannot be approved.
    book(lea, [room], "10:00", "11:00", title="Réunion logistique")
    with pytest.raises(BookingConflict) as info:
        actions.approve_booking(actor=lea, booking=request)
    assert "Réunion logistique" in info.value.message
    request.refresh_from_db()
    assert request.status == "requested"


def test_approval_and_refusal_are_mailed_in_the_requester_language(
    lea: Actor, school_contact: User, room: Resource, django_capture_on_commit_callbacks
) -> None:
    school_contact.language = "en"
    school_contact.save()
    sam = Actor.of(school_contact)
    first = book(sam, [room], "09:00", "10:00")
    second = book(sam, [room], "10:00", "11:00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve_booking(actor=lea, booking=first)
        actions.refuse_booking(actor=lea, booking=second, reason="Salle en travaux")
    first.refresh_from_db()
    assert first.status == "approved"
    assert Reservation.objects.get(booking=first).active
    assert [m.to for m in mail.outbox] == [[school_contact.email]] * 2
    assert mail.outbox[0].subject.startswith("Booking confirmed")
    assert "Salle en travaux" in mail.outbox[1].body
    with pytest.raises(ValidationError):
        actions.refuse_booking(actor=lea, booking=first, reason="")


def test_only_logistics_of_the_organisation_decide(
    school_contact: User, outsider: User, trainer: User, room: Resource
) -> None:
    request = book(Actor.of(school_contact), [room], "09:00", "10:00")
    for person in (school_contact, trainer, outsider):
        with pytest.raises(PermissionDenied):
            actions.approve_booking(actor=Actor.of(person), booking=request)


def test_outsiders_cannot_book_unless_the_site_accepts_external_requests(
    lea: Actor, outsider: User, learner: User, room: Resource
) -> None:
    with pytest.raises(PermissionDenied):
        book(Actor.of(outsider), [room], "09:00", "10:00")
    with pytest.raises(PermissionDenied):
        book(Actor.of(learner), [room], "09:00", "10:00")
    actions.update_site_policy(actor=lea, site=room.site, accepts_external_requests=True)
    request = book(Actor.of(outsider), [room], "09:00", "10:00")
    assert request.status == "requested"
    assert request.requester_organisation is not None
    assert request.requester_organisation.slug == "province-hainaut"
    with pytest.raises(PermissionDenied):
        book(Actor.of(learner), [room], "09:00", "10:00")


def test_trainers_book_directly_what_needs_no_approval(
    lea: Actor, trainer: User, room: Resource
) -> None:
    bruno = Actor.of(trainer)
    assert book(bruno, [room], "09:00", "10:00").status == "requested"
    actions.update_resource(actor=lea, resource=room, requires_approval=False)
    assert book(bruno, [room], "10:00", "11:00").status == "approved"


def test_requests_respect_opening_hours_capacity_and_closures(
    lea: Actor, school_contact: User, room: Resource
) -> None:
    sam = Actor.of(school_contact)
    with pytest.raises(ValidationError, match="heures d'ouverture"):
        book(sam, [room], "17:00", "19:00")
    with pytest.raises(ValidationError, match="24 personnes"):
        book(sam, [room], "09:00", "10:00", participants=30)
    actions.add_closure(
        actor=lea,
        site=room.site,
        start=at(FUTURE_DAY, "00:00").date(),
        end=at(FUTURE_DAY, "00:00").date(),
        kind="closed",
        reason="Inventaire",
    )
    with pytest.raises(ValidationError, match="Inventaire"):
        book(sam, [room], "09:00", "10:00")
    # Logistics may still book an evening or a closed day (they run the building).
    assert book(lea, [room], "19:00", "21:00").status == "approved"


def test_cancel_frees_the_slot_and_move_rechecks(
    lea: Actor, school_contact: User, room: Resource, other_room: Resource
) -> None:
    sam = Actor.of(school_contact)
    a = book(lea, [room], "09:00", "10:00")
    b = book(lea, [room], "10:00", "11:00")
    with pytest.raises(BookingConflict):
        actions.move_booking(
            actor=lea, booking=b, start=at(FUTURE_DAY, "09:30"), end=at(FUTURE_DAY, "10:30")
        )
    moved = actions.move_booking(
        actor=lea,
        booking=b,
        start=at(FUTURE_DAY, "09:30"),
        end=at(FUTURE_DAY, "10:30"),
        resources=[other_room],
    )
    assert list(moved.resources.all()) == [other_room]
    actions.cancel_booking(actor=lea, booking=a)
    book(lea, [room], "09:00", "10:00")
    with pytest.raises(PermissionDenied):
        actions.cancel_booking(actor=sam, booking=moved)


def test_catering_is_changeable_until_the_cutoff(
    lea: Actor, school_contact: User, org, room: Resource
) -> None:
    actions.create_catering_item(actor=lea, organisation=org, slug="cafe", label_fr="Café")
    actions.create_catering_item(
        actor=lea, organisation=org, slug="sandwichs", label_fr="Sandwichs"
    )
    sam = Actor.of(school_contact)
    booking = book(
        sam,
        [room],
        "09:00",
        "12:00",
        catering=[actions.CateringRequest("cafe", 20)],
    )
    assert [(line.item.slug, line.count) for line in booking.catering_lines.all()] == [("cafe", 20)]
    actions.set_catering(
        actor=sam,
        booking=booking,
        lines=[actions.CateringRequest("cafe", 18), actions.CateringRequest("sandwichs", 18)],
    )
    assert booking.catering_lines.count() == 2
    cutoff = actions.catering_cutoff(booking)
    assert cutoff == at("2031-03-11", "10:00")


def test_catering_is_refused_after_the_cutoff(
    lea: Actor, school_contact: User, org, room: Resource, monkeypatch
) -> None:
    import datetime as dt

    from django.utils import timezone

    actions.create_catering_item(actor=lea, organisation=org, slug="cafe", label_fr="Café")
    sam = Actor.of(school_contact)
    booking = book(sam, [room], "09:00", "12:00")
    late = at("2031-03-11", "10:01")
    monkeypatch.setattr(timezone, "now", lambda: late)
    with pytest.raises(ValidationError, match="ne peut plus"):
        actions.set_catering(actor=sam, booking=booking, lines=[actions.CateringRequest("cafe", 5)])
    actions.set_catering(actor=lea, booking=booking, lines=[actions.CateringRequest("cafe", 5)])
    assert dt.timedelta(0) < booking.end - late


def test_loans_hold_the_equipment(lea: Actor, learner: User, liege, features) -> None:
    laptop = actions.create_resource(
        actor=lea,
        site=liege,
        name="Portable 12",
        code="PC-12",
        kind="equipment",
        inventory_number="INV-2031-012",
    )
    loan = actions.lend(
        actor=lea,
        resource=laptop,
        borrower=learner,
        start=at(FUTURE_DAY, "09:00"),
        due=at("2031-03-19", "17:00"),
    )
    with pytest.raises(BookingConflict):
        actions.book(
            actor=lea,
            resources=[laptop],
            start=at("2031-03-14", "09:00"),
            end=at("2031-03-14", "12:00"),
            title="Démo",
        )
    actions.return_loan(actor=lea, loan=loan, returned_at=at("2031-03-13", "12:00"))
    actions.book(
        actor=lea,
        resources=[laptop],
        start=at("2031-03-14", "09:00"),
        end=at("2031-03-14", "12:00"),
        title="Démo",
    )


def test_session_reservations_replace_and_release(
    lea: Actor, coordinator: User, room: Resource
) -> None:
    slots = [
        (at(FUTURE_DAY, "09:00"), at(FUTURE_DAY, "16:30")),
        (at("2031-03-13", "09:00"), at("2031-03-13", "16:30")),
    ]
    bookings = actions.reserve_for_session(
        actor=lea,
        room=room,
        slots=slots,
        title="M1A Liège",
        source="enrolment.session",
        source_id="7",
    )
    assert [b.status for b in bookings] == ["approved", "approved"]
    # Editing the session: the new slots replace the old ones (no conflict with itself).
    again = actions.reserve_for_session(
        actor=lea,
        room=room,
        slots=[(at(FUTURE_DAY, "08:30"), at(FUTURE_DAY, "16:30"))],
        title="M1A Liège",
        source="enrolment.session",
        source_id="7",
    )
    assert Booking.objects.open().filter(source_id="7").get() == again[0]
    # Another session cannot take the room; nothing of it is written.
    with pytest.raises(BookingConflict):
        actions.reserve_for_session(
            actor=lea, room=room, slots=slots, title="O1", source="enrolment.session", source_id="8"
        )
    assert not Booking.objects.filter(source_id="8").exists()
    assert actions.release_for_session(actor=lea, source="enrolment.session", source_id="7") == 1
    assert not Reservation.objects.active().exists()
