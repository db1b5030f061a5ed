# ruff: noqa: RUF001 - the pages write time spans with an en dash
"""Issue #9 (missing pages): recurring bookings, catering items, catering changed after booking
and outreach activities each have a page and an API endpoint in the logistics area, with the
same rights and organisation isolation as the rest (403 for other roles, 404 elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.actions import CateringRequest
from parcours.scheduling.models import (
    Booking,
    BookingSeries,
    CateringItem,
    OutreachActivity,
    Resource,
)

from .conftest import FUTURE_DAY, at
from .test_api import bearer

MONDAY = dt.date(2031, 3, 10)


@pytest.fixture
def coffee(lea: Actor, org: Organisation) -> CateringItem:
    return actions.create_catering_item(actor=lea, organisation=org, slug="cafe", label_fr="Café")


@pytest.fixture
def truck(lea: Actor, liege: Site) -> Resource:
    return actions.create_resource(
        actor=lea, site=liege, name="Camion", code="TRUCK", kind="mobile_unit"
    )


def series_form(room: Resource, **extra: object) -> dict[str, object]:
    return {
        "resource": room.pk,
        "title": "Atelier du mardi",
        "weekdays": ["1"],
        "start_time": "09:00",
        "end_time": "12:00",
        "first_date": str(MONDAY),
        "until": str(MONDAY + dt.timedelta(weeks=3)),
        "interval_weeks": "1",
        "skip_holidays": "on",
        **extra,
    }


def test_a_recurring_booking_from_the_planning_then_cancelled(
    as_user, logistics: User, liege: Site, room: Resource
) -> None:
    client = as_user(logistics)
    week = client.get(reverse("scheduling:planning_week", args=[liege.pk])).content.decode()
    assert reverse("scheduling:series_create", args=[liege.pk]) in week
    response = client.post(reverse("scheduling:series_create", args=[liege.pk]), series_form(room))
    series = BookingSeries.objects.get()
    assert response["Location"] == reverse("scheduling:series", args=[series.pk])
    assert Booking.objects.filter(series=series, status="approved").count() == 3  # 11, 18, 25
    page = client.get(response["Location"]).content.decode()
    assert "Atelier du mardi" in page and "mardi 11 mars 2031, 09:00–12:00" in page
    client.post(reverse("scheduling:series_cancel", args=[series.pk]), {"reason": "Fin"})
    assert not Booking.objects.filter(series=series).open().exists()


def test_a_recurring_booking_with_bad_input_or_too_many_dates_fails_in_place(
    as_user, logistics: User, liege: Site, room: Resource
) -> None:
    client = as_user(logistics)
    url = reverse("scheduling:series_create", args=[liege.pk])
    cases: list[dict[str, object]] = [
        {"end_time": "08:00"},
        {"weekdays": []},
        {"until": "2099-12-31", "weekdays": ["0", "1", "2", "3", "4"]},  # > 400 dates
        {"interval_weeks": "0"},
        {"first_date": "0001-01-01"},
    ]
    for bad in cases:
        response = client.post(url, series_form(room, **bad))
        assert response.status_code == 400, bad
        assert 'class="error-summary"' in response.content.decode(), bad
    assert not Booking.objects.exists()


def test_series_pages_are_refused_or_hidden_elsewhere(
    as_user, lea: Actor, school_contact: User, outsider: User, liege: Site, room: Resource
) -> None:
    result = actions.book_series(
        actor=lea,
        resources=[room],
        first_date=MONDAY,
        until=MONDAY + dt.timedelta(weeks=1),
        weekdays=[1],
        start_time=dt.time(9),
        end_time=dt.time(10),
        title="Série",
    )
    url = reverse("scheduling:series_create", args=[liege.pk])
    assert as_user(school_contact).post(url, series_form(room)).status_code == 403
    client = as_user(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("scheduling:series", args=[result.series.pk])).status_code == 404
    cancel = client.post(reverse("scheduling:series_cancel", args=[result.series.pk]))
    assert cancel.status_code == 404
    assert Booking.objects.filter(series=result.series).open().count() == 1


def test_catering_items_page_adds_and_withdraws(
    as_user, logistics: User, coordinator: User, outsider: User, coffee: CateringItem
) -> None:
    client = as_user(logistics)
    page = client.get(reverse("scheduling:catering_items"))
    assert "Café" in page.content.decode()
    client.post(reverse("scheduling:catering_items"), {"label_fr": "Jus d'orange"})
    assert CateringItem.objects.filter(label_fr="Jus d'orange", is_active=True).exists()
    assert client.post(reverse("scheduling:catering_items"), {"label_fr": " "}).status_code == 400
    client.post(reverse("scheduling:catering_item_toggle", args=[coffee.pk]))
    coffee.refresh_from_db()
    assert not coffee.is_active
    assert as_user(coordinator).get(reverse("scheduling:catering_items")).status_code == 403
    toggle = as_user(outsider).post(reverse("scheduling:catering_item_toggle", args=[coffee.pk]))
    assert toggle.status_code in (403, 404)
    coffee.refresh_from_db()
    assert not coffee.is_active


def test_catering_is_changed_after_booking_until_the_cutoff(
    as_user, lea: Actor, coordinator: User, outsider: User, room: Resource, coffee: CateringItem
) -> None:
    booking = actions.book(
        actor=Actor.of(coordinator),
        resources=[room],
        start=at(FUTURE_DAY, "09:00"),
        end=at(FUTURE_DAY, "11:00"),
        title="Jury",
        participants=6,
        catering=[CateringRequest("cafe", 6)],
    )
    client = as_user(coordinator)
    panel = client.get(reverse("scheduling:booking", args=[booking.pk])).content.decode()
    assert reverse("scheduling:booking_catering", args=[booking.pk]) in panel
    url = reverse("scheduling:booking_catering", args=[booking.pk])
    assert client.post(url, {f"catering_{coffee.pk}": "8", "serve_at": "10:00"}).status_code == 302
    line = booking.catering_lines.get()
    assert (line.count, line.serve_at) == (8, dt.time(10))
    bad = client.post(url, {f"catering_{coffee.pk}": "-3"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and bad["HX-Retarget"] == "#panneau-contenu"
    assert as_user(outsider).post(url, {f"catering_{coffee.pk}": "1"}).status_code == 404
    assert booking.catering_lines.get().count == 8


def test_outreach_activities_page(
    as_user, logistics: User, school_contact: User, outsider: User, truck: Resource
) -> None:
    client = as_user(logistics)
    url = reverse("scheduling:outreach_activity_list")
    response = client.post(
        url,
        {
            "unit": truck.pk,
            "title_fr": "Robots et capteurs",
            "audience": "5e et 6e primaire",
            "max_pupils_per_day": "50",
            "description_fr": "Apporter des piles.",
        },
    )
    assert response.status_code == 302
    activity = OutreachActivity.objects.get()
    assert (activity.title_fr, activity.unit_id, activity.max_pupils_per_day) == (
        "Robots et capteurs",
        truck.pk,
        50,
    )
    assert "Robots et capteurs" in client.get(url).content.decode()
    assert client.post(url, {"unit": truck.pk, "title_fr": ""}).status_code == 400
    assert as_user(school_contact).get(url).status_code == 403
    # Another organisation's unit cannot be chosen (not in the list): a form error, no write.
    foreign = as_user(outsider)
    assert foreign.get(url).status_code == 403
    assert OutreachActivity.objects.count() == 1


def test_the_api_for_series_catering_and_activities(
    client: Client,
    lea: Actor,
    logistics: User,
    coordinator: User,
    outsider: User,
    room: Resource,
    truck: Resource,
    coffee: CateringItem,
    org: Organisation,
) -> None:
    headers = bearer(logistics)
    created = client.post(
        "/api/v1/series",
        {
            "resources": [room.pk],
            "title": "Cours",
            "first_date": str(MONDAY),
            "until": str(MONDAY + dt.timedelta(weeks=1)),
            "weekdays": [1, 3],
            "start_time": "13:00",
            "end_time": "15:00",
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["bookings"]) == 2  # Tuesday 11 and Thursday 13
    assert client.get(f"/api/v1/series/{body['id']}", headers=bearer(outsider)).status_code == 404
    cancelled = client.post(
        f"/api/v1/series/{body['id']}/cancel",
        {},
        content_type="application/json",
        headers=headers,
    )
    assert cancelled.status_code == 200
    assert not Booking.objects.filter(series_id=body["id"]).open().exists()
    too_many = client.post(
        "/api/v1/series",
        {
            "resources": [room.pk],
            "title": "X",
            "first_date": "2031-01-01",
            "until": "2099-12-31",
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": "13:00",
            "end_time": "15:00",
        },
        content_type="application/json",
        headers=headers,
    )
    assert too_many.status_code == 422
    # Catering items and a change of catering after booking.
    item = client.post(
        "/api/v1/catering-items",
        {"organisation": org.slug, "label_fr": "Thé"},
        content_type="application/json",
        headers=headers,
    )
    assert item.status_code == 201 and item.json()["slug"] == "the"
    refused = client.post(
        "/api/v1/catering-items",
        {"organisation": org.slug, "label_fr": "Thé"},
        content_type="application/json",
        headers=bearer(coordinator),
    )
    assert refused.status_code == 403
    booking = actions.book(
        actor=lea,
        resources=[room],
        start=at(FUTURE_DAY, "09:00"),
        end=at(FUTURE_DAY, "10:00"),
        title="Jury",
    )
    changed = client.put(
        f"/api/v1/bookings/{booking.pk}/catering",
        {"catering": [{"item": "cafe", "count": 4}]},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["catering"][0]["count"] == 4
    hidden = client.put(
        f"/api/v1/bookings/{booking.pk}/catering",
        {"catering": []},
        content_type="application/json",
        headers=bearer(outsider),
    )
    assert hidden.status_code == 404
    # Outreach activities.
    activity = client.post(
        "/api/v1/outreach-activities",
        {"unit": truck.pk, "title_fr": "Robots"},
        content_type="application/json",
        headers=headers,
    )
    assert activity.status_code == 201
    listed = client.get("/api/v1/outreach-activities", headers=bearer(coordinator)).json()
    assert [a["title"] for a in listed] == ["Robots"]
    assert client.get("/api/v1/outreach-activities", headers=bearer(outsider)).json() == []
    foreign = client.post(
        "/api/v1/outreach-activities",
        {"unit": truck.pk, "title_fr": "Pris"},
        content_type="application/json",
        headers=bearer(outsider),
    )
    assert foreign.status_code == 403
