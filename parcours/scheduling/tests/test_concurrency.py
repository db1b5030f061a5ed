"""No double booking, ever: 32 real concurrent writers hammer overlapping slots of the same rooms
(SQLite: serialised writers; PostgreSQL: the exclusion constraint). Afterwards a SQL self-join
finds zero overlapping active reservations, and every refused writer got a BookingConflict.

``SCHEDULING_SOAK_SECONDS`` sets how long the writers run (default 10; the benchmark runs a
full minute).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import time
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import Booking, Reservation, Resource

from .conftest import at

WRITERS = 32
SOAK_SECONDS = float(os.environ.get("SCHEDULING_SOAK_SECONDS", "10"))

OVERLAPS_SQL = """
SELECT COUNT(*) FROM scheduling_reservation a
JOIN scheduling_reservation b
  ON a.resource_id = b.resource_id AND a.id < b.id
 AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
WHERE a.active AND b.active
"""


def count_overlaps() -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return int(cursor.fetchone()[0])


def writer(actor: Actor, room_ids: list[int], seed: int, seconds: float) -> dict[str, int]:
    """Book random overlapping slots of a few rooms until the time is up."""
    rng = random.Random(seed)
    outcome = {"booked": 0, "conflicts": 0}
    deadline = time.monotonic() + seconds
    day = dt.date(2031, 3, 12)
    while time.monotonic() < deadline:
        start = at(day + dt.timedelta(days=rng.randrange(3)), "08:00") + dt.timedelta(
            minutes=15 * rng.randrange(36)
        )
        end = start + dt.timedelta(minutes=15 * rng.randrange(2, 9))
        rooms = rng.sample(room_ids, rng.choice([1, 1, 2]))
        try:
            actions.book(
                actor=actor,
                resources=rooms,
                start=start,
                end=end,
                title=f"Charge {seed}",
                cleanup_minutes=rng.choice([0, 15]),
            )
            outcome["booked"] += 1
        except BookingConflict as exc:
            assert exc.conflicts, "a refusal names the booking in the way"
            outcome["conflicts"] += 1
    return outcome


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_double_book(run_concurrently, org: Organisation) -> None:
    lea = account_actions.create_user(email="lea@charge.test", password=None)
    account_actions.grant_role(user=lea, organisation=org, role=Role.LOGISTICS, actor=None)
    actor = Actor.of(lea)
    site = account_actions.create_site(organisation=org, name="Liège", city="Liège", actor=lea)
    rooms = [
        actions.create_resource(
            actor=actor, site=site, name=f"Salle {i}", code=f"S{i}", capacity=20
        )
        for i in range(4)
    ]
    ids = [r.pk for r in rooms]
    run = run_concurrently.each(
        [(lambda seed=seed: writer(actor, ids, seed, SOAK_SECONDS)) for seed in range(WRITERS)]
    )
    # Every writer ended normally: each attempt either booked or got a BookingConflict.
    assert run.errors == []
    booked = sum(r["booked"] for r in run.results)
    refused = sum(r["conflicts"] for r in run.results)
    assert booked > 0 and refused > 0
    assert count_overlaps() == 0
    assert Booking.objects.filter(status="approved").count() == booked
    assert Reservation.objects.active().values("booking").distinct().count() == booked


@pytest.mark.django_db(transaction=True)
def test_the_same_slot_goes_to_exactly_one_writer(run_concurrently, org: Organisation) -> None:
    lea = account_actions.create_user(email="lea@duel.test", password=None)
    account_actions.grant_role(user=lea, organisation=org, role=Role.LOGISTICS, actor=None)
    actor = Actor.of(lea)
    site = account_actions.create_site(organisation=org, name="Mons", city="Mons", actor=lea)
    room = actions.create_resource(actor=actor, site=site, name="Salle", code="M1", capacity=20)

    def attempt() -> int:
        return actions.book(
            actor=actor,
            resources=[room.pk],
            start=at("2031-03-12", "09:00"),
            end=at("2031-03-12", "12:00"),
            title="Duel",
        ).pk

    run = run_concurrently(attempt, WRITERS)
    assert len(run.successes) == 1
    assert len(run.errors) == WRITERS - 1
    assert all(isinstance(e, BookingConflict) for e in run.errors)
    assert all(e.conflicts[0].booking_id == run.successes[0] for e in run.errors)
    assert count_overlaps() == 0


def _in_process(target: Any, results: Any, index: int) -> None:
    """Child process body: report ("ok", value) or ("error", exception class name, message)."""
    from django.db import connections

    try:
        results.put((index, "ok", target()))
    except BaseException as exc:  # reported to the parent, which asserts on it
        results.put((index, "error", type(exc).__name__, str(exc)[:300]))
    finally:
        connections.close_all()


def run_in_processes(targets: list[Any], timeout: float) -> list[tuple[Any, ...]]:
    """Run each callable in its own forked process (its own database connection, as separate
    web workers have) and return their outcomes in order."""
    from django.db import connections

    connections.close_all()  # no connection may cross the fork
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_in_process, args=(t, results, i), daemon=True)
        for i, t in enumerate(targets)
    ]
    for p in procs:
        p.start()
    outcomes: dict[int, tuple[Any, ...]] = {}
    for _ in procs:
        index, *rest = results.get(timeout=timeout)
        outcomes[index] = tuple(rest)
    for p in procs:
        p.join(10)
    return [outcomes[i] for i in range(len(targets))]


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (POSIX)"
)
@pytest.mark.django_db(transaction=True)
def test_writers_in_separate_processes_never_double_book(org: Organisation) -> None:
    """Several worker processes (not threads of one): on SQLite they queue on the writer lock
    file, on PostgreSQL the exclusion constraint decides; one slot still goes to exactly one of
    them, and a minute-like hammering leaves no overlap."""
    lea = account_actions.create_user(email="lea@workers.test", password=None)
    account_actions.grant_role(user=lea, organisation=org, role=Role.LOGISTICS, actor=None)
    actor = Actor.of(lea)
    site = account_actions.create_site(organisation=org, name="Namur", city="Namur", actor=lea)
    rooms = [
        actions.create_resource(
            actor=actor, site=site, name=f"Salle {i}", code=f"N{i}", capacity=20
        )
        for i in range(3)
    ]
    barrier = multiprocessing.get_context("fork").Barrier(6)

    def duel() -> int:
        barrier.wait(30)
        try:
            return actions.book(
                actor=actor,
                resources=[rooms[0].pk],
                start=at("2031-03-12", "09:00"),
                end=at("2031-03-12", "12:00"),
                title="Duel",
            ).pk
        except BookingConflict as exc:
            return -exc.conflicts[0].booking_id  # negative: refused, naming the winner

    outcomes = run_in_processes([duel] * 6, timeout=60)
    assert all(o[0] == "ok" for o in outcomes), outcomes
    values = [o[1] for o in outcomes]
    winners = [v for v in values if v > 0]
    assert len(winners) == 1
    assert sorted(values) == sorted([winners[0]] + [-winners[0]] * 5)

    ids = [r.pk for r in rooms]
    outcomes = run_in_processes(
        [(lambda seed=seed: writer(actor, ids, seed, 2.0)) for seed in range(6)], timeout=120
    )
    assert all(o[0] == "ok" for o in outcomes), outcomes
    booked = sum(o[1]["booked"] for o in outcomes)
    assert booked > 0 and sum(o[1]["conflicts"] for o in outcomes) > 0
    assert count_overlaps() == 0
    assert Booking.objects.filter(status="approved").count() == booked + 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_overlaps_even_behind_the_actions_back(lea: Actor, room: Resource) -> None:
    booking = actions.book(
        actor=lea,
        resources=[room],
        start=at("2031-03-12", "09:00"),
        end=at("2031-03-12", "10:00"),
        title="A",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(
            booking=booking,
            resource=Resource.objects.create(
                organisation=room.organisation, site=room.site, name="x", code="x", capacity=1
            ),
            blocked_start=at("2031-03-12", "09:00"),
            blocked_end=at("2031-03-12", "10:00"),
            active=True,
        )  # a different resource is fine...
        Reservation.objects.filter(booking=booking, resource=room).update(active=True)
        other = Booking.objects.create(
            organisation=room.organisation,
            site=room.site,
            title="B",
            requester=booking.requester,
            start=at("2031-03-12", "09:30"),
            end=at("2031-03-12", "10:30"),
        )
        Reservation.objects.create(
            booking=other,
            resource=room,
            blocked_start=other.start,
            blocked_end=other.end,
            active=True,
        )  # ...the same resource is not
    # Back-to-back and inactive rows are allowed by the constraint.
    other = Booking.objects.create(
        organisation=room.organisation,
        site=room.site,
        title="C",
        requester=booking.requester,
        start=at("2031-03-12", "10:00"),
        end=at("2031-03-12", "11:00"),
    )
    Reservation.objects.create(
        booking=other, resource=room, blocked_start=other.start, blocked_end=other.end, active=True
    )
    pending = Booking.objects.create(
        organisation=room.organisation,
        site=room.site,
        title="D",
        requester=booking.requester,
        start=at("2031-03-12", "09:00"),
        end=at("2031-03-12", "11:00"),
    )
    Reservation.objects.create(
        booking=pending,
        resource=room,
        blocked_start=pending.start,
        blocked_end=pending.end,
        active=False,
    )
    assert count_overlaps() == 0


def test_the_overlap_query_sees_overlaps(
    db: None, lea: Actor, room: Resource, logistics: User
) -> None:
    """The checker itself works (an overlap written without the actions is counted)."""
    b = actions.book(
        actor=lea,
        resources=[room],
        start=at("2031-03-12", "09:00"),
        end=at("2031-03-12", "10:00"),
        title="A",
    )
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses to store the overlap at all")
    other = Booking.objects.create(
        organisation=room.organisation,
        site=room.site,
        title="B",
        requester=logistics,
        start=b.start,
        end=b.end,
    )
    Reservation.objects.create(
        booking=other, resource=room, blocked_start=b.start, blocked_end=b.end, active=True
    )
    assert count_overlaps() == 1
