"""Issue #9, as classes: every ``next`` stays on this site; every number, date and duration a
page or the API accepts is bounded (a clear 4xx, never a 500); lists a person can grow are
capped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.models import Booking, Resource

from .conftest import FUTURE_DAY, at

EVIL = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]


def _request(actor: Actor, room: Resource, title: str, hour: int = 9) -> Booking:
    return actions.book(
        actor=actor,
        resources=[room],
        start=at(FUTURE_DAY, f"{hour:02}:00"),
        end=at(FUTURE_DAY, f"{hour + 1:02}:00"),
        title=title,
    )


@pytest.mark.parametrize("target", EVIL)
def test_no_next_leads_off_the_site(
    as_user, logistics: User, school_contact: User, room: Resource, target: str
) -> None:
    requester = Actor.of(school_contact)
    lea = Actor.of(logistics)
    posts = []
    for hour, name in enumerate(
        ("cancel", "booking_cancel", "booking_approve", "booking_refuse", "booking_lobby"), start=8
    ):
        booking = _request(requester if name != "booking_lobby" else lea, room, name, hour)
        posts.append((logistics if name != "cancel" else school_contact, name, booking.pk))
    for user, name, pk in posts:
        client = as_user(user)
        response = client.post(
            reverse(f"scheduling:{name}", args=[pk]),
            {"next": target, "reason": "Salle fermée", "hidden": "on"},
        )
        assert response.status_code == 302, (name, response.status_code)
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//"), (name, location)
        assert "evil" not in location, (name, location)


def test_a_local_next_is_still_followed(as_user, school_contact: User, room: Resource) -> None:
    booking = _request(Actor.of(school_contact), room, "Réunion")
    response = as_user(school_contact).post(
        reverse("scheduling:cancel", args=[booking.pk]), {"next": "/logistique/disponibilites/"}
    )
    assert response["Location"] == "/logistique/disponibilites/"


HUGE = "99999999999999999999"  # above 2^63
ABSURD_DATES = ["0001-01-01", "9999-12-31", "10000-01-01"]


@pytest.fixture
def everything(lea: Actor, room: Resource, liege, logistics: User) -> dict[str, object]:
    """A site with a room, a laptop, a catering item, a mobile unit and its activity."""
    laptop = actions.create_resource(
        actor=lea, site=liege, name="Portable 9", code="PC-9", kind="equipment"
    )
    actions.create_catering_item(
        actor=lea, organisation=liege.organisation, slug="cafe", label_fr="Café"
    )
    truck = actions.create_resource(
        actor=lea, site=liege, name="Camion", code="TRUCK", kind="mobile_unit"
    )
    activity = actions.create_outreach_activity(
        actor=lea, unit=truck, slug="robots", title_fr="Robots"
    )
    booking = _request(lea, room, "Réunion", 14)
    return {"laptop": laptop, "truck": truck, "activity": activity, "booking": booking}


def test_pages_bound_every_query_string_number_and_date(
    as_user, logistics: User, liege, room: Resource, everything
) -> None:
    client = as_user(logistics)
    site = liege.pk
    urls = [
        f"/logistique/reservations/{HUGE}/",
        f"/logistique/planning/{HUGE}/",
        f"/logistique/prets/materiel/{HUGE}/",
        f"/logistique/animations/{HUGE}/",
        f"/logistique/gestion/ressources/{HUGE}/",
        f"/logistique/catering/{HUGE}/",
    ]
    for day in [*ABSURD_DATES, HUGE, "2031-02-30"]:
        urls += [
            f"/logistique/planning/{site}/?date={day}",
            f"/logistique/planning/{site}/semaine/?date={day}",
            f"/logistique/occupation/?site={HUGE}&date={day}",
            f"/logistique/planning/{site}/nouvelle/?resource={HUGE}&day={day}",
            f"/logistique/disponibilites/?day={day}&start_time=09:00&end_time=10:00"
            f"&capacity={HUGE}&site={HUGE}",
            f"/logistique/catering/{site}/?date={day}",
            f"/logistique/catering/{site}/liste.csv?date={day}",
            f"/logistique/prets/nouveau/?resource={HUGE}",
            f"/logistique/animations/demande/?unit={HUGE}",
            f"/logistique/animations/demande/activites/?unit={HUGE}",
            f"/logistique/gestion/ressources/nouvelle/?site={HUGE}",
            f"/logistique/demander/?resource={HUGE}&day={day}&participants={HUGE}",
        ]
    for url in urls:
        status = client.get(url).status_code
        assert status < 500, (url, status)
        if HUGE in url.split("?")[0]:
            assert status == 404, (url, status)


def test_forms_bound_every_number_date_and_duration(
    as_user, logistics: User, liege, room: Resource, everything
) -> None:
    client = as_user(logistics)
    site = liege.pk
    before = Booking.objects.count()
    posts = []
    for bad in [*ABSURD_DATES, HUGE, "-5"]:
        posts += [
            (
                f"/logistique/planning/{site}/nouvelle/",
                {
                    "resource": room.pk,
                    "title": "X",
                    "day": bad,
                    "start_time": "09:00",
                    "end_time": "10:00",
                    "participants": 2,
                },
            ),
            (
                f"/logistique/planning/{site}/nouvelle/",
                {
                    "resource": HUGE,
                    "title": "X",
                    "day": "2031-03-12",
                    "start_time": "09:00",
                    "end_time": "10:00",
                    "participants": bad,
                },
            ),
            (
                "/logistique/demander/",
                {
                    "resource": room.pk,
                    "title": "X",
                    "day": bad,
                    "start_time": "09:00",
                    "end_time": "10:00",
                    "participants": HUGE,
                },
            ),
            (
                "/logistique/prets/nouveau/",
                {
                    "resource": HUGE,
                    "borrower_email": "a@b.test",
                    "borrower_first_name": "A",
                    "borrower_last_name": "B",
                    "start": bad,
                    "due": bad,
                },
            ),
            (
                "/logistique/prets/nouveau/",
                {
                    "resource": everything["laptop"].pk,
                    "borrower_email": "a@b.test",
                    "borrower_first_name": "A",
                    "borrower_last_name": "B",
                    "start": bad,
                    "due": "2031-03-19",
                },
            ),
            (
                "/logistique/gestion/ressources/nouvelle/",
                {
                    "site": site,
                    "kind": "room",
                    "name": "S",
                    "code": f"S{bad}",
                    "capacity": bad,
                    "setup_minutes": bad,
                    "cleanup_minutes": bad,
                },
            ),
            (
                f"/logistique/gestion/sites/{site}/",
                {"form": "closure", "start": bad, "end": bad, "kind": "closed"},
            ),
            (
                f"/logistique/gestion/sites/{site}/",
                {"form": "policy", "catering_cutoff_days": bad, "catering_cutoff_time": "10:00"},
            ),
            (
                f"/logistique/reservations/{everything['booking'].pk}/deplacer/",
                {"resource": room.pk, "day": bad, "start_time": "09:00", "end_time": "10:00"},
            ),
            (
                "/logistique/animations/demande/",
                {
                    "unit": everything["truck"].pk,
                    "activity": HUGE,
                    "first_day": bad,
                    "last_day": bad,
                    "school_name": "E",
                    "school_city": "L",
                    "grade_P5": bad,
                },
            ),
        ]
    for url, data in posts:
        status = client.post(url, data).status_code
        assert status < 500, (url, data, status)
    assert Booking.objects.count() == before
    assert not Resource.objects.filter(code__startswith="S").exists()


def test_api_bounds_every_number_and_date(
    client, logistics: User, room: Resource, everything
) -> None:
    from .test_api import bearer

    headers = bearer(logistics)
    gets = [
        f"/api/v1/resources?site={HUGE}",
        f"/api/v1/resources?capacity={HUGE}",
        f"/api/v1/resources/{HUGE}",
        f"/api/v1/bookings?site={HUGE}",
        f"/api/v1/bookings/{HUGE}",
        "/api/v1/bookings?start=0001-01-01T00:00:00Z&end=9999-12-31T23:59:59Z",
        f"/api/v1/availability?day=0001-01-01&start=09:00&end=10:00&site={HUGE}",
        f"/api/v1/availability?day=9999-12-31&start=09:00&end=10:00&capacity={HUGE}",
    ]
    for url in gets:
        status = client.get(url, headers=headers).status_code
        assert 400 <= status < 500 or url.startswith("/api/v1/bookings?start"), (url, status)
        assert status < 500, (url, status)
    start, end = "2031-03-12T09:00:00+01:00", "2031-03-12T10:00:00+01:00"
    bodies = [
        ("/api/v1/bookings", {"resources": [int(HUGE)], "start": start, "end": end, "title": "X"}),
        (
            "/api/v1/bookings",
            {"resources": [room.pk], "start": "0001-01-01T00:00:00Z", "end": end, "title": "X"},
        ),
        (
            "/api/v1/bookings",
            {"resources": [room.pk], "start": start, "end": "9999-12-31T23:59:59Z", "title": "X"},
        ),
        (
            "/api/v1/bookings",
            {
                "resources": [room.pk],
                "start": start,
                "end": end,
                "title": "X",
                "setup_minutes": -10,
            },
        ),
        (
            "/api/v1/bookings",
            {
                "resources": [room.pk],
                "start": start,
                "end": end,
                "title": "X",
                "cleanup_minutes": 10**9,
            },
        ),
        (
            "/api/v1/bookings",
            {
                "resources": [room.pk],
                "start": start,
                "end": end,
                "title": "X",
                "participants": int(HUGE),
            },
        ),
        (
            "/api/v1/bookings",
            {
                "resources": [room.pk],
                "start": start,
                "end": end,
                "title": "X",
                "catering": [{"item": "cafe", "count": int(HUGE)}],
            },
        ),
        (f"/api/v1/bookings/{HUGE}/cancel", {}),
        (
            "/api/v1/loans",
            {"resource": int(HUGE), "borrower": logistics.email, "start": start, "due": end},
        ),
        (
            "/api/v1/loans",
            {
                "resource": everything["laptop"].pk,
                "borrower": logistics.email,
                "start": "0001-01-01T00:00:00Z",
                "due": end,
            },
        ),
        (f"/api/v1/loans/{HUGE}/return", {}),
    ]
    before = Booking.objects.count()
    for url, body in bodies:
        status = client.post(url, body, content_type="application/json", headers=headers)
        assert 400 <= status.status_code < 500, (url, body, status.status_code)
    assert Booking.objects.count() == before


def test_the_approvals_queue_is_paged(
    as_user, logistics: User, school_contact: User, liege, lea: Actor
) -> None:
    """A list a person can grow is shown 50 rows at a time, with links to the other pages."""
    rooms = [
        actions.create_resource(
            actor=lea,
            site=liege,
            name=f"Salle {i}",
            code=f"R{i}",
            kind="room",
            capacity=10,
            requires_approval=True,
        )
        for i in range(8)
    ]
    contact = Actor.of(school_contact)
    for n in range(55):
        hour = 9 + n // 8
        actions.book(
            actor=contact,
            resources=[rooms[n % 8]],
            start=at(FUTURE_DAY, f"{hour:02}:00"),
            end=at(FUTURE_DAY, f"{hour:02}:30"),
            title=f"Demande {n:02}",
        )
    client = as_user(logistics)
    first = client.get(reverse("scheduling:approvals")).content.decode()
    assert "Demande 00" in first and "Demande 54" not in first
    assert "Page 1 sur 2" in first and 'rel="next"' in first
    second = client.get(reverse("scheduling:approvals"), {"page": "2"}).content.decode()
    assert "Demande 54" in second and "Demande 00" not in second
    assert client.get(reverse("scheduling:approvals"), {"page": HUGE}).status_code == 200


def test_htmx_forms_fail_in_place_with_422_and_the_fragment(
    as_user, logistics: User, school_contact: User, liege, room: Resource
) -> None:
    """Every htmx form of logistics answers a validation error with 422, the form fragment (not
    a page) and HX-Retarget to where the form lives, so the dialog or the area stays."""
    requested = _request(Actor.of(school_contact), room, "Conseil", 9)
    htmx = {"HX-Request": "true"}
    client = as_user(logistics)
    cases = [
        (
            reverse("scheduling:booking_create", args=[liege.pk]),
            {
                "resource": room.pk,
                "title": "X",
                "day": str(FUTURE_DAY),
                "start_time": "11:00",
                "end_time": "10:00",
            },
            "#panneau-contenu",
        ),
        (
            reverse("scheduling:booking_create", args=[liege.pk]),
            {
                "resource": room.pk,
                "title": "",
                "day": str(FUTURE_DAY),
                "start_time": "09:00",
                "end_time": "10:00",
            },
            "#panneau-contenu",
        ),
        (
            reverse("scheduling:booking_move", args=[requested.pk]),
            {
                "resource": room.pk,
                "day": str(FUTURE_DAY),
                "start_time": "12:00",
                "end_time": "11:00",
            },
            "#panneau-contenu",
        ),
        (
            reverse("scheduling:booking_refuse", args=[requested.pk]),
            {"reason": ""},
            "#panneau-contenu",
        ),
        (
            reverse("scheduling:request"),
            {
                "resource": room.pk,
                "title": "X",
                "day": str(FUTURE_DAY),
                "start_time": "11:00",
                "end_time": "10:00",
            },
            "#request-area",
        ),
    ]
    for url, data, target in cases:
        response = client.post(url, data, headers=htmx)
        html = response.content.decode()
        assert response.status_code == 422, (url, response.status_code)
        assert response["HX-Retarget"] == target
        assert 'class="error-summary"' in html and "<html" not in html, url
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_api_lists_are_paged_and_bounded(
    client, logistics: User, lea: Actor, room: Resource
) -> None:
    from .test_api import bearer

    for hour in (9, 11, 13):
        _request(lea, room, f"Réunion {hour}", hour)
    headers = bearer(logistics)
    start = "&start=2031-01-01T00:00:00Z"
    first = client.get(f"/api/v1/bookings?limit=2{start}", headers=headers).json()
    rest = client.get(f"/api/v1/bookings?limit=2&offset=2{start}", headers=headers).json()
    assert [b["title"] for b in first + rest] == ["Réunion 9", "Réunion 11", "Réunion 13"]
    for bad in ("limit=0", "limit=501", f"offset={HUGE}", "offset=-1"):
        for url in (
            "/api/v1/bookings",
            "/api/v1/loans",
            "/api/v1/approvals",
            "/api/v1/resources",
            "/api/v1/catering-items",
            "/api/v1/outreach-activities",
        ):
            assert client.get(f"{url}?{bad}", headers=headers).status_code == 422, (url, bad)
