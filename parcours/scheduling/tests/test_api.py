"""The scheduling API: same actions as the pages; 409 problem+json on a taken slot."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from parcours.accounts.actions import create_api_token
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.models import Booking, Loan, Resource

from .conftest import FUTURE_DAY, at


def bearer(user: User) -> dict[str, str]:
    _, secret = create_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def payload(room: Resource, start: str, end: str, **kw) -> dict:
    return {
        "resources": [room.pk],
        "start": at(FUTURE_DAY, start).isoformat(),
        "end": at(FUTURE_DAY, end).isoformat(),
        "title": kw.pop("title", "Réunion"),
        **kw,
    }


def test_book_then_conflict_409_with_the_booking_and_suggestions(
    client: Client, logistics: User, room: Resource, other_room: Resource
) -> None:
    headers = bearer(logistics)
    created = client.post(
        "/api/v1/bookings",
        payload(room, "09:00", "12:00", title="Formation IA"),
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["status"] == "approved"
    taken = client.post(
        "/api/v1/bookings",
        payload(room, "11:00", "13:00"),
        content_type="application/json",
        headers=headers,
    )
    assert taken.status_code == 409
    assert taken["Content-Type"] == "application/problem+json"
    body = taken.json()
    assert "Formation IA" in body["detail"]
    assert body["conflicts"][0]["booking_id"] == created.json()["id"]
    assert body["conflicts"][0]["title"] == "Formation IA"
    kinds = [(s["kind"], s["resource"]) for s in body["suggestions"]]
    assert ("resource", "Salle Vesdre") in kinds
    assert body["suggestions"][0]["kind"] == "time"


def test_bad_input_is_422_and_other_tenants_get_404(
    client: Client, logistics: User, outsider: User, room: Resource
) -> None:
    bad = client.post(
        "/api/v1/bookings",
        payload(room, "12:00", "09:00"),
        content_type="application/json",
        headers=bearer(logistics),
    )
    assert bad.status_code == 422
    assert "fin" in bad.json()["detail"]
    hidden = client.post(
        "/api/v1/bookings",
        payload(room, "09:00", "10:00"),
        content_type="application/json",
        headers=bearer(outsider),
    )
    assert hidden.status_code == 404
    assert client.get(f"/api/v1/resources/{room.pk}", headers=bearer(outsider)).status_code == 404
    assert client.get("/api/v1/resources").status_code == 401


def test_request_then_approval_through_the_api(
    client: Client, school_contact: User, logistics: User, room: Resource
) -> None:
    request = client.post(
        "/api/v1/bookings",
        payload(room, "09:00", "10:00", participants=12),
        content_type="application/json",
        headers=bearer(school_contact),
    ).json()
    assert request["status"] == "requested"
    sam = bearer(school_contact)
    assert client.post(f"/api/v1/bookings/{request['id']}/approve", headers=sam).status_code == 403
    lea = bearer(logistics)
    queue = client.get("/api/v1/approvals", headers=lea).json()
    assert [b["id"] for b in queue] == [request["id"]]
    approved = client.post(f"/api/v1/bookings/{request['id']}/approve", headers=lea)
    assert approved.json()["status"] == "approved"
    mine = client.get("/api/v1/bookings?mine=true", headers=sam).json()
    assert [b["status"] for b in mine] == ["approved"]


def test_listing_bookings_has_a_bounded_number_of_queries(
    client: Client, lea: Actor, logistics: User, room: Resource, django_assert_max_num_queries
) -> None:
    for i in range(8):
        actions.book(
            actor=lea,
            resources=[room],
            start=at(FUTURE_DAY, f"{8 + i:02d}:00"),
            end=at(FUTURE_DAY, f"{9 + i:02d}:00"),
            title=f"B{i}",
        )
    headers = bearer(logistics)
    with django_assert_max_num_queries(10):
        listing = client.get(f"/api/v1/bookings?site={room.site_id}", headers=headers).json()
    assert len(listing) == 8
    with django_assert_max_num_queries(8):
        resources = client.get("/api/v1/resources?features=projector", headers=headers).json()
    assert [r["code"] for r in resources] == ["LG-MEUSE"]


def test_availability_endpoint(client: Client, logistics: User, room: Resource, far_room) -> None:
    body = client.get(
        f"/api/v1/availability?day={FUTURE_DAY}&start=09:00&end=16:30&site={room.site_id}"
        "&capacity=20&features=projector",
        headers=bearer(logistics),
    ).json()
    assert [o["resource"]["code"] for o in body["free"]] == ["LG-MEUSE"]
    assert [o["resource"]["code"] for o in body["other_sites"]] == ["CH-SAMBRE"]


def test_loans_through_the_api(
    client: Client, lea: Actor, logistics: User, learner: User, liege
) -> None:
    laptop = actions.create_resource(
        actor=lea,
        site=liege,
        name="Portable 3",
        code="PC-3",
        kind="equipment",
        inventory_number="INV-3",
    )
    headers = bearer(logistics)
    loan = client.post(
        "/api/v1/loans",
        {
            "resource": laptop.pk,
            "borrower": learner.email,
            "start": at(FUTURE_DAY, "09:00").isoformat(),
            "due": at("2031-03-20", "17:00").isoformat(),
        },
        content_type="application/json",
        headers=headers,
    )
    assert loan.status_code == 201
    again = client.post(
        "/api/v1/loans",
        {
            "resource": laptop.pk,
            "borrower": learner.email,
            "start": at("2031-03-15", "09:00").isoformat(),
            "due": at("2031-03-22", "17:00").isoformat(),
        },
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409
    returned = client.post(
        f"/api/v1/loans/{loan.json()['id']}/return",
        {},
        content_type="application/json",
        headers=headers,
    )
    assert returned.json()["returned_at"] is not None
    assert [
        item["resource"] for item in client.get("/api/v1/loans", headers=bearer(learner)).json()
    ] == ["Portable 3"]
    assert Booking.objects.filter(purpose="loan").count() == 1


def test_a_booking_kept_off_the_lobby_through_the_api(
    client: Client, logistics: User, room: Resource
) -> None:
    created = client.post(
        "/api/v1/bookings",
        payload(room, "14:00", "16:00", title="Jury confidentiel", hide_from_lobby=True),
        content_type="application/json",
        headers=bearer(logistics),
    )
    assert created.status_code == 201
    assert created.json()["hide_from_lobby"] is True
    assert Booking.objects.get(pk=created.json()["id"]).hide_from_lobby


def test_lending_answers_the_same_whatever_exists_in_another_organisation(
    client: Client, lea: Actor, logistics: User, coordinator: User, outsider: User, liege
) -> None:
    """Issue #9 (oracle): rights are checked first, then look-ups stay inside the actor's scope,
    so a borrower of another organisation and an unknown address get the same answer."""
    laptop = actions.create_resource(
        actor=lea, site=liege, name="Portable 4", code="PC-4", kind="equipment"
    )

    def lend(user: User, borrower: str, resource: int = laptop.pk):
        body = {
            "resource": resource,
            "borrower": borrower,
            "start": at(FUTURE_DAY, "09:00").isoformat(),
            "due": at("2031-03-20", "17:00").isoformat(),
        }
        return client.post(
            "/api/v1/loans", body, content_type="application/json", headers=bearer(user)
        )

    # A coordinator (not logistics): 403 whoever the borrower is, whatever the resource id.
    answers = {
        (r.status_code, r.json()["title"])
        for r in (
            lend(coordinator, outsider.email),
            lend(coordinator, "personne@nulle-part.test"),
            lend(coordinator, logistics.email),
            lend(coordinator, logistics.email, resource=laptop.pk + 999),
        )
    }
    assert len(answers) == 1 and next(iter(answers))[0] == 403
    # Logistics: a person of another organisation is "not found here", like an unknown address.
    elsewhere, nowhere = lend(logistics, outsider.email), lend(logistics, "x@nulle-part.test")
    assert elsewhere.status_code == nowhere.status_code == 404
    assert elsewhere.json() == nowhere.json()
    # Staff of another organisation without the logistics role: refused the same way.
    assert lend(outsider, logistics.email).status_code == 403  # a coordinator there
    assert not Loan.objects.exists()


def test_the_loan_form_does_not_reveal_who_has_an_account_elsewhere(
    as_user, logistics: User, outsider: User, lea: Actor, liege
) -> None:
    laptop = actions.create_resource(
        actor=lea, site=liege, name="Portable 5", code="PC-5", kind="equipment"
    )
    client = as_user(logistics)

    def post(email: str):
        return client.post(
            reverse("scheduling:loan_create"),
            {
                "resource": laptop.pk,
                "borrower_email": email,
                "start": "2031-03-12",
                "due": "2031-03-19",
            },
        )

    elsewhere, nowhere = post(outsider.email), post("inconnu@nulle-part.test")
    assert elsewhere.status_code == nowhere.status_code == 400
    assert (
        elsewhere.context["form"].errors.as_data().keys()
        == nowhere.context["form"].errors.as_data().keys()
    )
    assert not Loan.objects.exists()
