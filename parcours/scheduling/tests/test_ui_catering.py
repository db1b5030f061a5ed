"""The daily catering list: what, where, when, how many; printable page, CSV and PDF; it
follows the current orders and participant numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse

from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.lib.tests.pdf_checks import assert_tagged
from parcours.scheduling import actions, catering, core, planning
from parcours.scheduling.actions import CateringRequest
from parcours.scheduling.models import Booking, Resource

DAY = dt.date(2031, 3, 12)


def at(day: dt.date, time: str) -> dt.datetime:
    return core.local_datetime(day, dt.time.fromisoformat(time), planning.TZ)


@pytest.fixture
def menu(lea: Actor, org: Organisation) -> None:
    actions.create_catering_item(actor=lea, organisation=org, slug="cafe", label_fr="Café")
    actions.create_catering_item(actor=lea, organisation=org, slug="sandwich", label_fr="Sandwichs")


@pytest.fixture
def day_bookings(lea: Actor, menu: None, room: Resource, other_room: Resource) -> list[Booking]:
    return [
        actions.book(
            actor=lea,
            resources=[room],
            start=at(DAY, "09:00"),
            end=at(DAY, "16:00"),
            title="Atelier IA",
            participants=18,
            catering=[CateringRequest("cafe", 18), CateringRequest("sandwich", 18, dt.time(12))],
        ),
        actions.book(
            actor=lea,
            resources=[other_room],
            start=at(DAY, "08:30"),
            end=at(DAY, "10:00"),
            title="Jury",
            participants=4,
            catering=[CateringRequest("cafe", 4)],
        ),
        actions.book(  # another day: not on the list
            actor=lea,
            resources=[other_room],
            start=at(DAY + dt.timedelta(days=1), "09:00"),
            end=at(DAY + dt.timedelta(days=1), "10:00"),
            title="Demain",
            catering=[CateringRequest("cafe", 50)],
        ),
    ]


def test_daily_list_by_time_with_totals(liege: Site, day_bookings: list[Booking]) -> None:
    data = catering.daily_list(liege, DAY)
    assert [
        (r.serve_at.strftime("%H:%M"), r.place, r.title, r.item, r.count) for r in data.rows
    ] == [
        ("08:30", "Salle Vesdre", "Jury", "Café", 4),
        ("09:00", "Salle Meuse", "Atelier IA", "Café", 18),
        ("12:00", "Salle Meuse", "Atelier IA", "Sandwichs", 18),
    ]
    assert data.totals == [("Café", 22), ("Sandwichs", 18)]


def test_pending_and_cancelled_bookings_are_not_served(
    liege: Site,
    day_bookings: list[Booking],
    lea: Actor,
    school_contact: User,
    room: Resource,
) -> None:
    actions.cancel_booking(actor=lea, booking=day_bookings[1])
    actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=at(DAY, "17:00"),
        end=at(DAY, "18:00"),
        title="Demande",
        catering=[CateringRequest("cafe", 30)],
    )
    assert catering.daily_list(liege, DAY).totals == [("Café", 18), ("Sandwichs", 18)]


def test_list_follows_changed_counts(
    as_user,
    logistics: User,
    liege: Site,
    day_bookings: list[Booking],
    lea: Actor,
) -> None:
    url = reverse("scheduling:catering", args=[liege.pk]) + "?date=2031-03-12"
    client = as_user(logistics)
    assert '<td class="num">18</td>' in client.get(url).content.decode()
    actions.set_catering(
        actor=lea,
        booking=day_bookings[0],
        lines=[CateringRequest("cafe", 25), CateringRequest("sandwich", 25, dt.time(12))],
    )
    html = client.get(url).content.decode()
    assert '<td class="num">25</td>' in html
    assert '<td class="num">18</td>' not in html.split("Totaux du jour")[1]


def test_printable_page_and_query_count(
    as_user,
    django_assert_max_num_queries,
    logistics: User,
    liege: Site,
    day_bookings: list[Booking],
    lea: Actor,
    room: Resource,
) -> None:
    client = as_user(logistics)
    url = reverse("scheduling:catering", args=[liege.pk])
    client.get(url, {"date": "2031-03-12"})
    with django_assert_max_num_queries(12) as before:
        response = client.get(url, {"date": "2031-03-12"})
    html = response.content.decode()
    assert "Totaux du jour" in html and "data-print" in html
    for h in (17, 18, 19):
        actions.book(
            actor=lea,
            resources=[room],
            start=at(DAY, f"{h}:00"),
            end=at(DAY, f"{h}:45"),
            title=f"Soir {h}",
            catering=[CateringRequest("cafe", h)],
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert "Soir 19" in client.get(url, {"date": "2031-03-12"}).content.decode()


def test_csv_for_belgian_excel(
    as_user, logistics: User, liege: Site, day_bookings: list[Booking]
) -> None:
    response = as_user(logistics).get(
        reverse("scheduling:catering_csv", args=[liege.pk]), {"date": "2031-03-12"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="catering-liege-2031-03-12.csv"' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Heure;Lieu;Réservation;Article;Quantité;Participants;Remarque"
    assert lines[1] == "08:30;Salle Vesdre;Jury;Café;4;4;"
    assert lines[3] == "12:00;Salle Meuse;Atelier IA;Sandwichs;18;18;"


def test_pdf_holds_the_list(
    as_user, logistics: User, liege: Site, day_bookings: list[Booking]
) -> None:
    response = as_user(logistics).get(
        reverse("scheduling:catering_pdf", args=[liege.pk]), {"date": "2031-03-12"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Catering de Liège" in text
    assert "Atelier IA" in text and "Sandwichs" in text and "22" in text
    # Tagged for screen readers (PDF/UA), with its language, like every PDF of the platform.
    assert_tagged(response.content, lang="fr", title="Catering")


def test_catering_list_is_for_the_organisation_logistics(
    as_user,
    school_contact: User,
    outsider: User,
    liege: Site,
    day_bookings: list[Booking],
) -> None:
    url = reverse("scheduling:catering", args=[liege.pk])
    assert as_user(school_contact).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404
    assert (
        as_user(outsider).get(reverse("scheduling:catering_csv", args=[liege.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("typed", ['=HYPERLINK("https://x")', "+1+1", "-2", "@SUM(A1)", "\tTab"])
def test_csv_cells_are_never_formulas(
    as_user, logistics: User, lea: Actor, liege: Site, menu: None, room: Resource, typed: str
) -> None:
    """Issue #9: a title or a catering note starting with =, +, -, @ or a tab is written as text
    (a leading apostrophe), so opening the list in a spreadsheet runs nothing."""
    actions.book(
        actor=lea,
        resources=[room],
        start=at(DAY, "09:00"),
        end=at(DAY, "10:00"),
        title=typed,
        participants=3,
        catering=[CateringRequest("cafe", 3, note=typed)],
    )
    body = as_user(logistics).get(
        reverse("scheduling:catering_csv", args=[liege.pk]), {"date": "2031-03-12"}
    )
    texts = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig")), delimiter=";"))[1]
    for cell in texts:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), texts
    assert texts.count("'" + typed.strip()) + texts.count("'" + typed) >= 1
