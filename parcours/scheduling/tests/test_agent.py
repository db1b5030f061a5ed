"""The read-only agent (issue #10): sees the occupancy portal and the plannings of their
organisation, requests nothing, changes nothing — no links into bookings, no buttons, 403 on
every write — and sees nothing of another organisation (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_person
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.models import Booking, Resource

from .conftest import FUTURE_DAY, at


@pytest.fixture
def agent(org: Organisation) -> User:
    return make_person(org, Role.AGENT, "agent@province.test", "Aline", "Gérard")


@pytest.fixture
def other_agent(other_org: Organisation) -> User:
    return make_person(other_org, Role.AGENT, "agent@ailleurs.test", "Paul", "Dubois")


@pytest.fixture
def booked(lea: Actor, room: Resource) -> Booking:
    return actions.book(
        actor=lea,
        resources=[room],
        start=at(FUTURE_DAY, "09:00"),
        end=at(FUTURE_DAY, "11:00"),
        title="Conseil provincial",
    )


def test_an_agent_sees_occupancy_and_plannings_without_any_action(
    as_user, agent: User, liege: Site, booked: Booking
) -> None:
    client = as_user(agent)
    pages = [
        reverse("scheduling:hub"),
        reverse("scheduling:occupancy") + f"?site={liege.pk}&date={FUTURE_DAY}",
        reverse("scheduling:planning_day", args=[liege.pk]) + f"?date={FUTURE_DAY}",
        reverse("scheduling:planning_week", args=[liege.pk]) + f"?date={FUTURE_DAY}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "cell-add" not in html and "hx-post" not in html, url
        assert "Demander une salle" not in html and "Mes demandes" not in html, url
        assert reverse("scheduling:booking", args=[booked.pk]) not in html, url
        assert "Prêts de matériel" not in html and "Demandes à traiter" not in html, url
    grid = client.get(pages[2]).content.decode()
    assert "Conseil provincial" in grid  # the planning shows what is booked


def test_an_agent_is_refused_every_write(
    as_user, agent: User, liege: Site, room: Resource, booked: Booking
) -> None:
    client = as_user(agent)
    slot = {
        "resource": room.pk,
        "title": "X",
        "day": str(FUTURE_DAY),
        "start_time": "14:00",
        "end_time": "15:00",
    }
    writes = [
        (reverse("scheduling:booking_create", args=[liege.pk]), slot),
        (reverse("scheduling:request"), slot),
        (reverse("scheduling:loan_create"), {}),
        (reverse("scheduling:outreach_request"), {}),
        (reverse("scheduling:resource_create"), {}),
        (reverse("scheduling:site_settings", args=[liege.pk]), {"form": "policy"}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    for name in ("booking_cancel", "booking_approve", "booking_move", "booking_lobby"):
        status = client.post(reverse(f"scheduling:{name}", args=[booked.pk])).status_code
        assert status in (403, 404), name  # a booking they may not even open
    assert client.get(reverse("scheduling:request")).status_code == 403
    assert Booking.objects.count() == 1
    booked.refresh_from_db()
    assert booked.status == "approved"


def test_an_agent_sees_nothing_of_another_organisation(
    as_user, other_agent: User, liege: Site, booked: Booking
) -> None:
    client = as_user(other_agent)
    for name in ("planning_day", "planning_week"):
        assert client.get(reverse(f"scheduling:{name}", args=[liege.pk])).status_code == 404
    occupancy = client.get(reverse("scheduling:occupancy"), {"site": liege.pk})
    assert "Conseil provincial" not in occupancy.content.decode()
