"""Logistics figures on bookings, catering and loans made with the scheduling actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcours.accounts.permissions import Actor
from parcours.reporting.figures import build_report
from parcours.reporting.periods import Filters, Period
from parcours.reporting.tests.conftest import local
from parcours.scheduling import actions
from parcours.scheduling.models import Resource

pytestmark = pytest.mark.django_db
WEEK = Period.between(dt.date(2025, 3, 24), dt.date(2025, 3, 30))  # Monday to Sunday


def test_room_occupancy_counts_booked_hours_within_opening_hours(org, site, logistics) -> None:
    actor = Actor.of(logistics)
    actions.set_opening_hours(
        actor=actor,
        site=site,
        hours={d: (dt.time(8), dt.time(18)) for d in range(5)} | {5: None, 6: None},
    )
    room = actions.create_resource(actor=actor, site=site, name="Salle A", code="A", capacity=12)
    actions.create_resource(actor=actor, site=site, name="Salle B", code="B", capacity=12)
    parking = actions.create_resource(
        actor=actor, site=site, name="P1", code="P1", kind=Resource.Kind.PARKING
    )
    actions.create_catering_item(actor=actor, organisation=org, slug="cafe", label_fr="Café")
    # Monday 9:00-11:00 with coffee and a parking place; Tuesday 17:00-19:00 (one hour after
    # closing, which does not count); a cancelled booking on Wednesday counts for nothing.
    actions.book(
        actor=actor,
        resources=[room, parking],
        start=local(2025, 3, 24, 9),
        end=local(2025, 3, 24, 11),
        title="Réunion",
        catering=[actions.CateringRequest(item="cafe", count=12)],
    )
    actions.book(
        actor=actor,
        resources=[room],
        start=local(2025, 3, 25, 17),
        end=local(2025, 3, 25, 19),
        title="Soirée",
    )
    cancelled = actions.book(
        actor=actor,
        resources=[room],
        start=local(2025, 3, 26, 9),
        end=local(2025, 3, 26, 12),
        title="Annulée",
    )
    actions.cancel_booking(actor=actor, booking=cancelled)

    report = build_report([org.pk], WEEK, Filters())
    rooms = {row[1]: row for row in report.table("logistics.rooms").rows}  # type: ignore[union-attr]
    assert rooms["Salle A"][2:] == (Decimal("3.00"), Decimal("50.00"), Decimal("6.0"))
    assert rooms["Salle B"][2:] == (Decimal("0.00"), Decimal("50.00"), Decimal("0.0"))
    assert report.value("logistics.room_occupancy") == Decimal("3.0")  # 3 h of 100 h
    assert report.value("logistics.parking") == 1
    assert report.value("logistics.catering") == 12
    assert report.table("logistics.catering").rows == (("2025-03", "Café", 12),)  # type: ignore[union-attr]


def test_loans_overdue_and_average_length(org, site, logistics, learner) -> None:
    actor = Actor.of(logistics)
    kit = actions.create_resource(
        actor=actor, site=site, name="Kit", code="K", kind=Resource.Kind.EQUIPMENT
    )
    pc = actions.create_resource(
        actor=actor, site=site, name="PC", code="PC", kind=Resource.Kind.EQUIPMENT
    )
    on_time = actions.lend(
        actor=actor, resource=kit, borrower=learner, start=local(2025, 3, 3), due=local(2025, 3, 10)
    )
    actions.return_loan(actor=actor, loan=on_time, returned_at=local(2025, 3, 7))
    late = actions.lend(
        actor=actor, resource=pc, borrower=learner, start=local(2025, 3, 3), due=local(2025, 3, 10)
    )
    actions.return_loan(actor=actor, loan=late, returned_at=local(2025, 3, 15))
    report = build_report([org.pk], Period.calendar_year(2025), Filters())
    assert report.value("logistics.loans") == 2
    assert report.value("logistics.loans_overdue") == 1
    assert report.value("logistics.loan_days") == Decimal("8.0")  # (4 + 12) / 2
    assert report.previous_value("logistics.loans") == 0


def test_the_cached_occupancy_follows_bookings_cancellations_and_opening_hours(
    org, site, logistics
) -> None:
    actor = Actor.of(logistics)
    actions.set_opening_hours(
        actor=actor, site=site, hours={d: (dt.time(8), dt.time(18)) for d in range(7)}
    )
    room = actions.create_resource(actor=actor, site=site, name="Salle A", code="A", capacity=12)

    def hours() -> object:
        return build_report([org.pk], WEEK, Filters()).value("logistics.room_hours")

    assert hours() == Decimal("0.00")
    booking = actions.book(
        actor=actor,
        resources=[room],
        start=local(2025, 3, 24, 9),
        end=local(2025, 3, 24, 11),
        title="Réunion",
    )
    assert hours() == Decimal("2.00")  # not the cached 0
    assert hours() == Decimal("2.00")  # from the cache now
    actions.set_opening_hours(
        actor=actor, site=site, hours={d: (dt.time(10), dt.time(18)) for d in range(7)}
    )
    assert hours() == Decimal("1.00")  # 9:00-10:00 is now outside opening hours
    actions.cancel_booking(actor=actor, booking=booking)
    assert hours() == Decimal("0.00")
    # Catering and parking are cached the same way: a new order shows at once.
    assert build_report([org.pk], WEEK, Filters()).value("logistics.catering") == 0
    actions.create_catering_item(actor=actor, organisation=org, slug="cafe", label_fr="Café")
    actions.book(
        actor=actor,
        resources=[room],
        start=local(2025, 3, 25, 10),
        end=local(2025, 3, 25, 11),
        title="Café",
        catering=[actions.CateringRequest(item="cafe", count=9)],
    )
    assert build_report([org.pk], WEEK, Filters()).value("logistics.catering") == 9
