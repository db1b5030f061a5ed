"""Events API: the public programme; registrations for the organisation's coordinators only."""

from __future__ import annotations

from django.test import Client

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.events import actions
from parcours.events.models import Event, Workshop


def test_public_programme(client: Client, event: Event, workshops: list[Workshop]) -> None:
    response = client.get("/api/v1/events/technofutur-tic/jobs-day/programme")
    assert response.status_code == 200
    body = response.json()
    assert [w["title"] for w in body["workshops"]][:2] == [
        "Rédiger son CV",
        "Préparer un entretien",
    ]
    assert body["workshops"][0]["seats_left"] == 2
    assert client.get("/api/v1/events/technofutur-tic/nope/programme").status_code == 404


def test_registrations_for_coordinators_only(
    as_user,
    coordinator: User,
    learner: User,
    outsider: User,
    event: Event,
    workshops: list[Workshop],
) -> None:
    actions.register(actor=Actor.of(learner), event=event, session_ids=[workshops[0].session_id])
    url = f"/api/v1/events/{event.pk}/registrations"
    rows = as_user(coordinator).get(url).json()
    assert rows[0]["seats"] == [{"workshop": workshops[0].session_id, "status": "confirmed"}]
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(learner).get(url).status_code == 403
    assert (
        as_user(coordinator).get("/api/v1/events/99999999999999999999/registrations").status_code
        == 422
    )
