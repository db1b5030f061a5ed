"""The pages: request form with inline conflicts, approvals queue, my requests, search,
resource management, calendar feeds. Isolation: 404/403 for other tenants."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.models import Booking, OpeningHours, Resource, SitePolicy

from .conftest import FUTURE_DAY, at


def request_data(room: Resource, start: str = "09:00", end: str = "12:00", **kw) -> dict:
    return {
        "resource": room.pk,
        "day": FUTURE_DAY,
        "start_time": start,
        "end_time": end,
        "title": kw.pop("title", "Réunion de parents"),
        "participants": kw.pop("participants", 15),
        **kw,
    }


def test_school_contact_requests_a_room(as_user, school_contact: User, room: Resource) -> None:
    client = as_user(school_contact)
    page = client.get("/logistique/demander/")
    assert page.status_code == 200
    assert "Salle Meuse" in page.content.decode()
    response = client.post("/logistique/demander/", request_data(room))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.status, booking.requester) == ("requested", school_contact)
    mine = client.get(response["Location"]).content.decode()
    assert "Réunion de parents" in mine and "Demandée" in mine


def test_a_conflict_is_shown_inline_with_suggestions(
    as_user, lea: Actor, school_contact: User, room: Resource, other_room: Resource
) -> None:
    actions.book(
        actor=lea,
        resources=[room],
        start=at(FUTURE_DAY, "10:00"),
        end=at(FUTURE_DAY, "11:00"),
        title="Jury",
    )
    actions.update_resource(actor=lea, resource=room, requires_approval=False)
    client = as_user(school_contact)
    response = client.post(
        "/logistique/demander/", request_data(room), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    # A request holds no slot, so it is not checked against confirmed bookings: it is sent.
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/logistique/mes-demandes/"
    # Logistics (who book directly) do get the conflict, with suggestions.
    response = as_user(lea.user).post(
        "/logistique/demander/", request_data(room), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Salle Meuse" in html and "Jury" in html
    assert "Salle Vesdre" in html  # another free room
    assert "11:00" in html  # the nearest free time
    assert Booking.objects.count() == 2  # Jury and the request; the refused one is not written


def test_approvals_queue(
    as_user,
    logistics: User,
    school_contact: User,
    outsider: User,
    room: Resource,
    django_assert_max_num_queries,
) -> None:
    sam = Actor.of(school_contact)
    requests = [
        actions.book(
            actor=sam,
            resources=[room],
            start=at(FUTURE_DAY, f"{9 + i:02d}:00"),
            end=at(FUTURE_DAY, f"{10 + i:02d}:00"),
            title=f"Demande {i}",
        )
        for i in range(6)
    ]
    client = as_user(logistics)
    with django_assert_max_num_queries(12):
        page = client.get("/logistique/demandes/")
    html = page.content.decode()
    assert all(f"Demande {i}" in html for i in range(6))
    assert client.post(f"/logistique/demandes/{requests[0].pk}/approuver/").status_code == 302
    client.post(f"/logistique/demandes/{requests[1].pk}/refuser/", {"reason": "Salle fermée"})
    requests[0].refresh_from_db()
    requests[1].refresh_from_db()
    assert (requests[0].status, requests[1].status) == ("approved", "refused")
    assert requests[1].refusal_reason == "Salle fermée"
    # Not logistics: refused; another organisation: the booking does not exist for them.
    assert as_user(school_contact).get("/logistique/demandes/").status_code == 403
    other = Client()
    other.force_login(outsider)
    assert other.post(f"/logistique/demandes/{requests[2].pk}/approuver/").status_code == 404
    requests[2].refresh_from_db()
    assert requests[2].status == "requested"


def test_my_requests_and_cancel(
    as_user, school_contact: User, trainer: User, room: Resource, django_assert_max_num_queries
) -> None:
    sam = Actor.of(school_contact)
    for i in range(5):
        actions.book(
            actor=sam,
            resources=[room],
            start=at(FUTURE_DAY, f"{9 + i:02d}:00"),
            end=at(FUTURE_DAY, f"{10 + i:02d}:00"),
            title=f"Demande {i}",
        )
    client = as_user(school_contact)
    with django_assert_max_num_queries(10):
        page = client.get("/logistique/mes-demandes/")
    assert page.content.decode().count("Annuler «") == 5
    first = Booking.objects.order_by("start").first()
    assert first is not None
    client.post(f"/logistique/demandes/{first.pk}/annuler/")
    first.refresh_from_db()
    assert first.status == "cancelled"
    # Someone else of the organisation cannot cancel it (not theirs, not logistics).
    second = Booking.objects.order_by("start")[1]
    as_user(trainer).post(f"/logistique/demandes/{second.pk}/annuler/")
    second.refresh_from_db()
    assert second.status == "requested"


def test_availability_page(as_user, school_contact: User, room: Resource, far_room) -> None:
    client = as_user(school_contact)
    page = client.get(
        "/logistique/disponibilites/",
        {
            "site": room.site_id,
            "day": FUTURE_DAY,
            "start_time": "09:00",
            "end_time": "16:30",
            "capacity": 20,
            "features": ["projector"],
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Salle Meuse" in html and "Salle Sambre" in html
    assert html.index("Salle Meuse") < html.index("Salle Sambre")  # free here first


def test_logistics_manage_resources_hours_and_closures(
    as_user, logistics: User, school_contact: User, liege, features
) -> None:
    client = as_user(logistics)
    assert client.get("/logistique/gestion/").status_code == 200
    response = client.post(
        "/logistique/gestion/ressources/nouvelle/",
        {
            "site": liege.pk,
            "kind": "room",
            "name": "Salle Ourthe",
            "code": "LG-O",
            "capacity": 16,
            "features": [features["projector"].pk, features["pcs"].pk],
            "setup_minutes": 15,
            "cleanup_minutes": 15,
            "requires_approval": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    created = Resource.objects.get(code="LG-O")
    assert sorted(f.slug for f in created.features.all()) == ["pcs", "projector"]
    hours = {f"opens_{d}": "08:30" for d in range(5)} | {f"closes_{d}": "17:00" for d in range(5)}
    client.post(f"/logistique/gestion/sites/{liege.pk}/", {"form": "hours", **hours})
    assert OpeningHours.objects.filter(site=liege).count() == 5
    client.post(
        f"/logistique/gestion/sites/{liege.pk}/",
        {
            "form": "closure",
            "kind": "holiday",
            "start": "2031-04-07",
            "end": "2031-04-18",
            "reason": "Vacances de printemps",
        },
    )
    assert (
        "Vacances de printemps"
        in client.get(f"/logistique/gestion/sites/{liege.pk}/").content.decode()
    )
    assert as_user(school_contact).get("/logistique/gestion/").status_code == 403


def test_calendar_feeds(client: Client, lea: Actor, room: Resource) -> None:
    actions.book(
        actor=lea,
        resources=[room],
        start=at(timezone.localdate() + dt.timedelta(days=3), "09:00"),
        end=at(timezone.localdate() + dt.timedelta(days=3), "12:00"),
        title="Formation <IA>",
    )
    response = client.get(f"/logistique/ical/ressource/{room.feed_token}.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "SUMMARY:Formation <IA>" in body
    assert "STATUS:CONFIRMED" in body
    policy = SitePolicy.objects.get(site=room.site)
    assert (
        "Formation <IA>"
        in client.get(f"/logistique/ical/site/{policy.feed_token}.ics").content.decode()
    )
    assert client.get("/logistique/ical/site/nope.ics").status_code == 404


def test_one_logistics_area_old_addresses_redirect(as_user, lea: Actor) -> None:
    """The former /reservations/ door leads to the same page under /logistique/, a POST stays a
    POST (308), and the query string is kept; the pages name one menu."""
    client = as_user(lea.user)
    moved = client.get("/reservations/demander/?resource=3")
    assert moved.status_code == 308
    assert moved["Location"] == "/logistique/demander/?resource=3"
    decision = client.post("/reservations/12/approuver/")
    assert (decision.status_code, decision["Location"]) == (
        308,
        "/logistique/demandes/12/approuver/",
    )
    page = client.get("/logistique/demander/").content.decode()
    assert page.count('class="sched-nav"') == 1
    assert 'href="/logistique/prets/"' in page  # loans and requests share the one menu
