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
