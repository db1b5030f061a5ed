"""Availability search ("free rooms first, then near misses"), the grids, the state diagram."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, planning, states
from parcours.scheduling.models import Resource

from .conftest import FUTURE_DAY, at

DAY = dt.date.fromisoformat(FUTURE_DAY)


def search(actor: Actor, **kw):
    kw.setdefault("day", DAY)
    kw.setdefault("start_time", dt.time(9, 0))
    kw.setdefault("end_time", dt.time(16, 30))
    return planning.search_availability(actor=actor, **kw)


def test_a_room_for_20_with_a_projector_at_liege(
    lea: Actor, room: Resource, small_room: Resource, other_room: Resource, far_room: Resource
) -> None:
    actions.book(
        actor=lea,
        resources=[room],
        start=at(DAY, "09:00"),
        end=at(DAY, "10:00"),
        title="Matinale",
    )
    result = search(lea, site=room.site, capacity=20, features=["projector"])
    assert [o.resource.name for o in result.free] == ["Salle Vesdre"]
    # Near misses: the same site at another time that day, then the other site nearby.
    assert [(o.resource.name, o.start) for o in result.other_times] == [
        ("Salle Meuse", at(DAY, "10:00"))
    ]
    assert [(o.resource.name, round(o.distance_km or 0)) for o in result.other_sites] == [
        ("Salle Sambre", 84)
    ]
    # Features are all required; the small room never fits 20.
    assert [o.resource.name for o in search(lea, features=["projector", "pcs"]).free] == [
        "Salle Vesdre"
    ]


def test_search_anywhere_lists_every_visible_free_room(
    lea: Actor, outsider: User, room: Resource, far_room: Resource
) -> None:
    names = {o.resource.name for o in search(lea).free}
    assert names == {"Salle Meuse", "Salle Sambre"}
    # Another organisation's staff see nothing unless the site accepts external requests.
    assert search(Actor.of(outsider)).free == []
    actions.update_site_policy(actor=lea, site=room.site, accepts_external_requests=True)
    assert [o.resource.name for o in search(Actor.of(outsider)).free] == ["Salle Meuse"]


def test_closed_days_have_no_free_room(lea: Actor, room: Resource) -> None:
    actions.add_closure(actor=lea, site=room.site, start=DAY, end=DAY, kind="closed")
    assert search(lea, site=room.site).free == []


def test_week_grid_shows_confirmed_and_pending_bookings_per_day(
    lea: Actor,
    school_contact: User,
    room: Resource,
    small_room: Resource,
    django_assert_max_num_queries,
) -> None:
    actions.book(
        actor=lea, resources=[room], start=at(DAY, "09:00"), end=at(DAY, "12:00"), title="IA"
    )
    actions.book(
        actor=Actor.of(school_contact),
        resources=[small_room],
        start=at(DAY + dt.timedelta(days=1), "13:00"),
        end=at(DAY + dt.timedelta(days=1), "15:00"),
        title="Conseil",
    )
    with django_assert_max_num_queries(5):
        grid = planning.week_grid(room.site, DAY)
    assert grid.days[0].weekday() == 0 and len(grid.days) == 7
    rows = {row.resource.name: row for row in grid.rows}
    wed = grid.days.index(DAY)
    assert [e.title for e in rows["Salle Meuse"].days[wed]] == ["IA"]
    pending = rows["Salle Ourthe"].days[wed + 1][0]
    assert pending.is_pending and pending.requester_name == "Sam Lejeune"
    assert grid.windows[5] == []  # Saturday: closed
    assert grid.windows[wed][0][0] == at(DAY, "08:00")
    day = planning.day_grid(room.site, DAY)
    assert [len(r.days[0]) for r in day.rows] == [1, 0]


def test_the_state_diagram_in_the_docs_matches_the_transitions() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "scheduling.md"
    assert states.mermaid() in doc.read_text(encoding="utf-8")
    assert states.can_transition("requested", "approved")
    assert not states.can_transition("refused", "approved")
