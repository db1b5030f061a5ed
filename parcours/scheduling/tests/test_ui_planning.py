"""The planning grid: day and week views, creating from a free cell, approving, moving with
conflict checking, who may do what, and constant query counts."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from parcours.accounts.models import Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Booking, Resource
from parcours.scheduling.views.grid import assign_lanes, lane_cells

DAY = dt.date(2031, 3, 12)  # a Wednesday, in the future


def at(day: dt.date, time: str) -> dt.datetime:
    return core.local_datetime(day, dt.time.fromisoformat(time), planning.TZ)


def day_url(site: Site, day: dt.date = DAY) -> str:
    return reverse("scheduling:planning_day", args=[site.pk]) + f"?date={day.isoformat()}"


def week_url(site: Site, day: dt.date = DAY) -> str:
    return reverse("scheduling:planning_week", args=[site.pk]) + f"?date={day.isoformat()}"


def blocks(html: str) -> list[str]:
    """The text of every booking block of a grid page, whitespace collapsed."""
    found = re.findall(r'class="block status-[a-z]+"[^>]*>(.*?)</(?:a|span)>\s*</td>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in found]


# --- Pure layout --------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(st.integers(0, 29), st.integers(1, 8)).map(
            lambda t: (t[0], min(30, t[0] + t[1]))
        ),
        max_size=12,
    )
)
def test_lanes_cover_each_row_exactly_and_never_overlap(spans: list[tuple[int, int]]) -> None:
    lanes = assign_lanes(spans)
    placed = sorted(i for lane in lanes for i in lane)
    assert placed == list(range(len(spans)))
    for lane in lanes:
        for a, b in itertools.pairwise(lane):
            assert spans[a][1] <= spans[b][0]
        cells = lane_cells(spans, lane, 30)
        assert sum(colspan for _col, colspan, _i in cells) == 30
        columns = [c for col, colspan, _i in cells for c in range(col, col + colspan)]
        assert columns == list(range(30))
        assert sorted(i for _c, _s, i in cells if i is not None) == sorted(lane)


def test_no_bookings_is_one_free_lane() -> None:
    assert assign_lanes([]) == [[]]
    assert lane_cells([], [], 3) == [(0, 1, None), (1, 1, None), (2, 1, None)]


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def week_of_bookings(lea: Actor, room: Resource, other_room: Resource) -> list[Booking]:
    return [
        actions.book(
            actor=lea,
            resources=[room],
            start=at(DAY, "09:00"),
            end=at(DAY, "10:30"),
            title="Atelier IA",
        ),
        actions.book(
            actor=lea,
            resources=[other_room],
            start=at(DAY + dt.timedelta(days=1), "13:00"),
            end=at(DAY + dt.timedelta(days=1), "16:00"),
            title="Conseil de classe",
        ),
    ]


def test_day_grid_puts_each_booking_in_its_row_and_columns(
    as_user,
    logistics: User,
    liege: Site,
    room: Resource,
    other_room: Resource,
    week_of_bookings: list[Booking],
) -> None:
    html = as_user(logistics).get(day_url(liege)).content.decode()
    # Opening hours 08:00 to 18:00: 20 half-hour columns; 09:00\u201310:30 spans 3 of them.
    assert html.count('class="slot-head"') == 20
    meuse_row = html.split("Salle Meuse", 1)[1].split("</tr>", 1)[0]
    assert 'colspan="3"' in meuse_row and "Atelier IA" in meuse_row
    assert "09:00\u201310:30" in meuse_row
    # Two free cells before 09:00 are buttons to book that room at 08:00 and 08:30.
    assert "Réserver Salle Meuse à 08:00" in meuse_row
    assert "Réserver Salle Meuse à 08:30" in meuse_row
    assert "Réserver Salle Meuse à 09:00" not in meuse_row
    vesdre_row = html.split("Salle Vesdre", 1)[1].split("</tr>", 1)[0]
    assert "Conseil de classe" not in vesdre_row  # that is tomorrow


def test_week_grid_shows_bookings_by_day_with_status_in_words(
    as_user,
    logistics: User,
    school_contact: User,
    liege: Site,
    room: Resource,
    other_room: Resource,
    week_of_bookings: list[Booking],
) -> None:
    pending = actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "14:00"),
        end=at(DAY, "15:00"),
        title="Réunion des parents",
    )
    assert pending.status == "requested"
    html = as_user(logistics).get(week_url(liege)).content.decode()
    texts = blocks(html)
    assert any("Confirmée 09:00\u201310:30 Atelier IA" in t for t in texts)
    assert any("Demandée" in t and "Réunion des parents" in t for t in texts)
    assert "Légende" in html
    # Monday to Sunday columns; Wednesday 12 March holds the booking.
    assert "lundi 10 mars" in html and "dimanche 16 mars" in html  # whole words, no "lun 10/03"


def test_grid_query_count_does_not_grow_with_bookings(
    as_user,
    django_assert_max_num_queries,
    logistics: User,
    lea: Actor,
    liege: Site,
    room: Resource,
    other_room: Resource,
) -> None:
    client = as_user(logistics)
    client.get(week_url(liege))  # warm the session and caches
    with django_assert_max_num_queries(12) as small:
        client.get(week_url(liege))
    for i in range(12):
        day = DAY + dt.timedelta(days=i % 5 - 2)
        for r in (room, other_room):
            actions.book(
                actor=lea,
                resources=[r],
                start=at(day, f"{8 + i % 9:02d}:00"),
                end=at(day, f"{8 + i % 9:02d}:45"),
                title=f"Réunion {i}",
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(week_url(liege))
    assert response.content.decode().count("Réunion ") >= 12
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(day_url(liege))


def test_free_cell_opens_a_prefilled_form_and_books(
    as_user,
    logistics: User,
    liege: Site,
    room: Resource,
) -> None:
    client = as_user(logistics)
    html = client.get(day_url(liege)).content.decode()
    link = re.search(r'href="([^"]+)"[^>]*aria-label="Réserver Salle Meuse à 11:00"', html)
    assert link is not None
    form_page = client.get(link.group(1).replace("&amp;", "&"))
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert form["resource"].value() == str(room.pk)
    assert form["start_time"].value() == "11:00" and form["end_time"].value() == "12:00"
    response = client.post(
        reverse("scheduling:booking_create", args=[liege.pk]),
        {
            "resource": room.pk,
            "title": "Jury",
            "day": "2031-03-12",
            "start_time": "11:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get(title="Jury")
    assert booking.status == "approved"  # logistics books directly
    assert "Jury" in client.get(response["Location"]).content.decode()


def test_booking_a_taken_slot_explains_the_conflict(
    as_user,
    logistics: User,
    liege: Site,
    room: Resource,
    week_of_bookings: list[Booking],
) -> None:
    response = as_user(logistics).post(
        reverse("scheduling:booking_create", args=[liege.pk]),
        {
            "resource": room.pk,
            "title": "Doublon",
            "day": "2031-03-12",
            "start_time": "10:00",
            "end_time": "11:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Ce créneau n'est pas libre" in html
    assert "Atelier IA" in html
    assert "<html" not in html  # an htmx fragment for the dialog
    assert not Booking.objects.filter(title="Doublon").exists()


def test_logistics_approves_a_request_from_the_grid(
    as_user,
    logistics: User,
    school_contact: User,
    liege: Site,
    room: Resource,
) -> None:
    request = actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "14:00"),
        end=at(DAY, "15:00"),
        title="Réunion des parents",
    )
    client = as_user(logistics)
    detail = client.get(reverse("scheduling:booking", args=[request.pk]), HTTP_HX_REQUEST="true")
    assert "Approuver" in detail.content.decode()
    response = client.post(
        reverse("scheduling:booking_approve", args=[request.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("scheduling:planning_day", args=[liege.pk]))
    request.refresh_from_db()
    assert request.status == "approved"


def test_refusing_needs_a_reason(
    as_user,
    logistics: User,
    school_contact: User,
    room: Resource,
) -> None:
    request = actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "14:00"),
        end=at(DAY, "15:00"),
        title="Réunion des parents",
    )
    client = as_user(logistics)
    url = reverse("scheduling:booking_refuse", args=[request.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Salle en travaux"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "refused" and request.refusal_reason == "Salle en travaux"


def test_move_and_resize_with_conflict_check(
    as_user,
    logistics: User,
    liege: Site,
    room: Resource,
    other_room: Resource,
    week_of_bookings: list[Booking],
) -> None:
    booking = week_of_bookings[0]
    client = as_user(logistics)
    url = reverse("scheduling:booking_move", args=[booking.pk])
    # Resize to 12:00 and move to another room.
    response = client.post(
        url,
        {
            "resource": other_room.pk,
            "day": "2031-03-12",
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.end == at(DAY, "12:00")
    assert list(booking.resources.all()) == [other_room]
    # Moving onto a confirmed booking is refused with the conflict named.
    blocker = actions.book(
        actor=Actor.of(logistics),
        resources=[room],
        start=at(DAY, "14:00"),
        end=at(DAY, "16:00"),
        title="Formation sécurité",
    )
    response = client.post(
        url,
        {"resource": room.pk, "day": "2031-03-12", "start_time": "15:00", "end_time": "17:00"},
    )
    assert response.status_code == 409
    assert "Formation sécurité" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start == at(DAY, "09:00")
    assert blocker.pk != booking.pk


def test_read_only_staff_see_the_grid_without_booking_buttons(
    as_user,
    trainer: User,
    liege: Site,
    room: Resource,
    week_of_bookings: list[Booking],
) -> None:
    html = as_user(trainer).get(day_url(liege)).content.decode()
    assert "Atelier IA" in html
    assert "Réserver Salle Meuse" not in html
    assert (
        as_user(trainer).get(reverse("scheduling:booking_create", args=[liege.pk])).status_code
        == 403
    )


def test_only_logistics_may_approve(
    client: Client,
    as_user,
    coordinator: User,
    school_contact: User,
    room: Resource,
) -> None:
    request = actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "14:00"),
        end=at(DAY, "15:00"),
        title="Réunion des parents",
    )
    c = as_user(coordinator)
    assert (
        "Approuver" not in c.get(reverse("scheduling:booking", args=[request.pk])).content.decode()
    )
    response = c.post(reverse("scheduling:booking_approve", args=[request.pk]))
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "requested"


def test_other_organisations_get_404(
    as_user,
    outsider: User,
    liege: Site,
    week_of_bookings: list[Booking],
) -> None:
    c = as_user(outsider)
    assert c.get(day_url(liege)).status_code == 404
    assert c.get(week_url(liege)).status_code == 404
    assert c.get(reverse("scheduling:booking", args=[week_of_bookings[0].pk])).status_code == 404
    assert (
        c.post(reverse("scheduling:booking_approve", args=[week_of_bookings[0].pk])).status_code
        == 404
    )


def test_school_contact_cannot_open_the_planning(
    as_user,
    school_contact: User,
    liege: Site,
) -> None:
    assert as_user(school_contact).get(day_url(liege)).status_code == 403


def test_anonymous_is_sent_to_login(client: Client, liege: Site) -> None:
    response = client.get(day_url(liege))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_overlapping_requests_get_their_own_lane(
    as_user,
    logistics: User,
    school_contact: User,
    trainer: User,
    liege: Site,
    room: Resource,
) -> None:
    for who, title in ((school_contact, "Demande A"), (trainer, "Demande B")):
        actions.book(
            actor=Actor.of(who),
            resources=[room],
            start=at(DAY, "10:00"),
            end=at(DAY, "11:00"),
            title=title,
        )
    html = as_user(logistics).get(day_url(liege)).content.decode()
    assert 'rowspan="2"' in html
    assert "Demande A" in html and "Demande B" in html


def test_hub_lists_sites_with_their_pages(
    as_user, logistics: User, school_contact: User, liege: Site, room: Resource
) -> None:
    html = as_user(logistics).get(reverse("scheduling:hub")).content.decode()
    assert reverse("scheduling:planning_week", args=[liege.pk]) in html
    assert reverse("scheduling:catering", args=[liege.pk]) in html
    assert "/logistique/ecran/" in html  # the lobby screen's secret address, for logistics
    html = as_user(school_contact).get(reverse("scheduling:hub")).content.decode()
    assert "/logistique/ecran/" not in html
    assert reverse("scheduling:planning_week", args=[liege.pk]) not in html
    assert reverse("scheduling:occupancy") in html


def test_titles_are_escaped_in_the_grid(
    as_user, logistics: User, lea: Actor, liege: Site, room: Resource
) -> None:
    actions.book(
        actor=lea,
        resources=[room],
        start=at(DAY, "09:00"),
        end=at(DAY, "10:00"),
        title='<script>alert("x")</script>',
    )
    for url in (day_url(liege), week_url(liege)):
        html = as_user(logistics).get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
