"""Lobby screens (no login, now / next per room on a controllable clock, Wi-Fi) and the
read-only occupancy portal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from parcours.accounts.models import Site, User
from parcours.accounts.permissions import Actor
from parcours.lib import clock
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Booking, Resource, SitePolicy

DAY = dt.date(2031, 3, 12)


def at(day: dt.date, time: str) -> dt.datetime:
    return core.local_datetime(day, dt.time.fromisoformat(time), planning.TZ)


@pytest.fixture
def screen(lea: Actor, liege: Site, room: Resource, other_room: Resource) -> str:
    actions.update_site_policy(
        actor=lea,
        site=liege,
        wifi_name="Province-Invites",
        wifi_password="Bienvenue2031",
        lobby_message="Accueil au rez-de-chaussée",
    )
    actions.book(
        actor=lea,
        resources=[room],
        start=at(DAY, "09:00"),
        end=at(DAY, "12:00"),
        title="Atelier IA",
    )
    actions.book(
        actor=lea, resources=[room], start=at(DAY, "13:30"), end=at(DAY, "16:00"), title="Robotique"
    )
    actions.book(
        actor=lea,
        resources=[other_room],
        start=at(DAY, "14:00"),
        end=at(DAY, "15:00"),
        title="Jury",
    )
    return reverse("scheduling:lobby", args=[SitePolicy.objects.get(site=liege).display_token])


def rooms(client: Client, url: str, moment: str, **params: str) -> dict[str, str]:
    html = client.get(url, {"at": moment, **params}).content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    out = {}
    for row in rows:
        name = row.split('<th scope="row">', 1)[1].split("<", 1)[0]
        text = " ".join(row.replace("<", " <").split())
        out[name] = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return out


def test_lobby_shows_now_and_next_per_room(client: Client, screen: str) -> None:
    morning = rooms(client, screen, "2031-03-12T10:05")
    assert (
        morning["Salle Meuse"] == "Salle Meuse Atelier IA jusqu'à 12:00 Robotique à partir de 13:30"
    )
    assert morning["Salle Vesdre"] == "Salle Vesdre Libre Jury à partir de 14:00"
    afternoon = rooms(client, screen, "2031-03-12T14:30")
    assert afternoon["Salle Meuse"] == "Salle Meuse Robotique jusqu'à 16:00 —"
    assert afternoon["Salle Vesdre"] == "Salle Vesdre Jury jusqu'à 15:00 —"
    evening = rooms(client, screen, "2031-03-12T16:00")  # the end is free again
    assert evening["Salle Meuse"] == "Salle Meuse Libre —"


def test_lobby_is_public_large_refreshing_and_shows_wifi(client: Client, screen: str) -> None:
    response = client.get(screen, {"at": "2031-03-12T10:05"})
    assert response.status_code == 200
    html = response.content.decode()
    # No meta refresh (axe: critical); a static script polls the same address every minute.
    assert 'http-equiv="refresh"' not in html
    assert refresh_target(html)[0] == "60"
    assert "at=2031-03-12T10%3A05" in refresh_target(html)[1]  # the test clock survives
    assert "<script>" not in html and "scheduling/logistics.js" in html
    assert "Province-Invites" in html and "Bienvenue2031" in html
    assert "Accueil au rez-de-chaussée" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_lobby_shows_neither_requests_nor_names(
    client: Client,
    screen: str,
    school_contact: User,
    room: Resource,
) -> None:
    actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "12:00"),
        end=at(DAY, "13:00"),
        title="Demande secrète",
    )
    html = client.get(screen, {"at": "2031-03-12T12:10"}).content.decode()
    assert "Demande secrète" not in html
    assert "Léa" not in html and "Martin" not in html


def test_unknown_screen_token_is_404(client: Client, screen: str) -> None:
    assert client.get(reverse("scheduling:lobby", args=["nope"])).status_code == 404


@override_settings(PARCOURS_FAKE_NOW="2031-03-12T14:10:00+01:00")
def test_the_clock_setting_pins_now(client: Client, screen: str) -> None:
    assert rooms(client, screen, "")["Salle Vesdre"].startswith("Salle Vesdre Jury")
    assert clock.now() == at(DAY, "14:10")


@override_settings(TESTING=False, DEBUG=False)
def test_the_clock_cannot_be_faked_in_production(rf) -> None:
    request = rf.get("/", {"at": "2031-03-12T14:10"})
    assert abs((clock.now(request) - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_occupancy_portal_is_read_only_for_every_staff_member(
    as_user,
    school_contact: User,
    trainer: User,
    screen: str,
    liege: Site,
) -> None:
    for person in (school_contact, trainer):
        response = as_user(person).get(
            reverse("scheduling:occupancy"), {"site": liege.pk, "date": "2031-03-12"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Atelier IA" in html and "Jury" in html
        assert "Réserver Salle" not in html
        assert 'hx-get="/logistique/reservations/' not in html


def test_occupancy_portal_is_not_for_learners_or_the_public(
    client: Client,
    as_user,
    learner: User,
    screen: str,
) -> None:
    url = reverse("scheduling:occupancy")
    assert client.get(url).status_code == 302
    assert as_user(learner).get(url).status_code == 403


def test_occupancy_portal_query_count_is_constant(
    as_user,
    django_assert_max_num_queries,
    trainer: User,
    screen: str,
    liege: Site,
    lea: Actor,
    room: Resource,
) -> None:
    client = as_user(trainer)
    url = reverse("scheduling:occupancy")
    client.get(url, {"date": "2031-03-12"})
    with django_assert_max_num_queries(12) as before:
        client.get(url, {"date": "2031-03-12"})
    for h in range(17, 21):
        actions.book(
            actor=lea,
            resources=[room],
            start=at(DAY, f"{h}:00"),
            end=at(DAY, f"{h}:30"),
            title=f"Soirée {h}",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url, {"date": "2031-03-12"}).content.decode()
    assert "Soirée 20" in html


def test_lobby_in_english(client: Client, screen: str) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(screen, {"at": "2031-03-12T10:05"}).content.decode()
    assert "Now" in html and "Next" in html and "until 12:00" in html
    assert "Public Wi-Fi" in html


# --- Bookings hidden from the lobby ------------------------------------------------------------


def test_a_booking_hidden_from_the_lobby_shows_the_room_busy_without_its_title(
    client: Client,
    as_user,
    coordinator: User,
    trainer: User,
    lea: Actor,
    screen: str,
    liege: Site,
    other_room: Resource,
) -> None:
    booker = as_user(coordinator)
    response = booker.post(
        reverse("scheduling:booking_create", args=[liege.pk]),
        {
            "resource": other_room.pk,
            "title": "Conseil de direction",
            "day": "2031-03-12",
            "start_time": "09:30",
            "end_time": "11:00",
            "hide_from_lobby": "on",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get(title="Conseil de direction")
    assert booking.hide_from_lobby
    assert "Conseil" not in rooms(client, screen, "2031-03-12T10:00")["Salle Vesdre"]  # a request
    actions.approve_booking(actor=lea, booking=booking)  # Salle Vesdre needs approval

    before = rooms(client, screen, "2031-03-12T08:00")
    assert before["Salle Vesdre"] == "Salle Vesdre Libre Occupée à partir de 09:30"
    during = rooms(client, screen, "2031-03-12T10:00")
    assert during["Salle Vesdre"] == "Salle Vesdre Occupée jusqu'à 11:00 Jury à partir de 14:00"
    html = client.get(screen, {"at": "2031-03-12T10:00"}).content.decode()
    assert "Conseil de direction" not in html
    assert html.count('class="lobby-busy"') == 2  # never shown as free

    # Someone else (not the booker, not logistics) cannot show it again.
    url = reverse("scheduling:booking_lobby", args=[booking.pk])
    assert as_user(trainer).post(url, {"hidden": ""}).status_code == 403
    # The booker can, from the booking's page.
    booker = as_user(coordinator)
    page = booker.get(reverse("scheduling:booking", args=[booking.pk])).content.decode()
    assert "Afficher sur l'écran d'accueil" in page
    assert booker.post(url, {"hidden": ""}).status_code == 302
    during = rooms(client, screen, "2031-03-12T10:00")
    assert during["Salle Vesdre"].startswith("Salle Vesdre Conseil de direction jusqu'à 11:00")


def test_logistics_hide_an_existing_booking(
    client: Client, as_user, logistics: User, screen: str
) -> None:
    booking = Booking.objects.get(title="Atelier IA")
    response = as_user(logistics).post(
        reverse("scheduling:booking_lobby", args=[booking.pk]), {"hidden": "on"}
    )
    assert response.status_code == 302
    morning = rooms(client, screen, "2031-03-12T10:05")
    assert morning["Salle Meuse"] == "Salle Meuse Occupée jusqu'à 12:00 Robotique à partir de 13:30"


def test_a_cancelled_booking_cannot_be_hidden(lea: Actor, screen: str) -> None:
    booking = actions.cancel_booking(actor=lea, booking=Booking.objects.get(title="Jury"))
    with pytest.raises(ValidationError):
        actions.set_lobby_visibility(actor=lea, booking=booking, hidden=True)


# --- Paging for big sites ------------------------------------------------------------------------


@pytest.fixture
def big_site(screen: str, lea: Actor, liege: Site) -> str:
    """The Liège screen with 30 rooms in all (Salle Meuse, Salle Vesdre and 28 more)."""
    for i in range(1, 29):
        actions.create_resource(
            actor=lea, site=liege, name=f"Local {i:02d}", code=f"LG-{i:02d}", capacity=12
        )
    return screen


def test_a_big_site_is_split_into_pages_of_twelve_rooms(client: Client, big_site: str) -> None:
    first = rooms(client, big_site, "2031-03-12T10:05")
    assert len(first) == 12
    assert list(first)[:2] == ["Local 01", "Local 02"]
    third = rooms(client, big_site, "2031-03-12T10:05", page="3")
    assert list(third) == [f"Local {i:02d}" for i in range(25, 29)] + [
        "Salle Meuse",
        "Salle Vesdre",
    ]
    assert third["Salle Meuse"].startswith("Salle Meuse Atelier IA")
    html = client.get(big_site, {"page": "3", "at": "2031-03-12T10:05"}).content.decode()
    assert "salles 25 à 30 sur 30 · page 3 sur 3" in html
    assert '<nav class="lobby-pages" aria-label="Pages des salles">' in html
    assert '<span aria-current="page"><span class="visually-hidden">Page </span>3</span>' in html
    # Without rotation the page refreshes itself every minute.
    assert refresh_target(html)[0] == "60"
    assert "page=3" in refresh_target(html)[1]
    # A page past the end (a screen left on while rooms were removed) shows the last one.
    assert list(rooms(client, big_site, "2031-03-12T10:05", page="9")) == list(third)
    assert len(rooms(client, big_site, "2031-03-12T10:05", page="abc")) == 12


def refresh_target(html: str) -> tuple[str, str]:
    """(seconds, address) the lobby screen's script polls (data-refresh-* attributes)."""
    url = html.split('data-refresh-url="', 1)[1].split('"', 1)[0]
    seconds = html.split('data-refresh-seconds="', 1)[1].split('"', 1)[0]
    return seconds, url.replace("&amp;", "&")


def test_rotation_moves_to_the_next_page_every_20_seconds_and_wraps(
    client: Client, big_site: str
) -> None:
    html = client.get(big_site, {"rotate": "1", "at": "2031-03-12T10:05"}).content.decode()
    seconds, url = refresh_target(html)
    assert seconds == "20"
    assert "page=2" in url and "rotate=1" in url and "at=2031-03-12T10%3A05" in url
    html = client.get(url).content.decode()
    assert "page 2 sur 3" in html
    _, url = refresh_target(html)
    assert "page=3" in url
    _, url = refresh_target(client.get(url).content.decode())
    assert "page=1" in url and "rotate=1" in url  # wraps round


def test_a_page_size_can_be_chosen(client: Client, big_site: str) -> None:
    assert len(rooms(client, big_site, "2031-03-12T10:05", par_page="20")) == 20
    html = client.get(big_site, {"par_page": "20", "rotate": "1"}).content.decode()
    assert "par_page=20" in refresh_target(html)[1]


def test_a_small_site_shows_every_room_without_paging_or_rotation(
    client: Client, screen: str
) -> None:
    html = client.get(screen, {"rotate": "1", "at": "2031-03-12T10:05"}).content.decode()
    assert "lobby-pages" not in html and "sur 1" not in html
    assert refresh_target(html)[0] == "60"
    assert len(rooms(client, screen, "2031-03-12T10:05")) == 2
