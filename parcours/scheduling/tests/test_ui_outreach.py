"""Outreach units: a school requests the truck or a dome (activity of that unit, dates, pupil
counts by year group), the province team approves, the school sees its booking and the kit.
A unit is in one place at a time, with a set-up day before each visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parcours.accounts.models import Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import OutreachActivity, OutreachRequest, Resource

MONDAY = dt.date(2031, 3, 10)


@pytest.fixture
def truck(lea: Actor, charleroi: Site) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=charleroi,
        name="Camion des sciences",
        code="CAMION",
        kind=Resource.Kind.MOBILE_UNIT,
    )


@pytest.fixture
def dome(lea: Actor, charleroi: Site) -> Resource:
    return actions.create_resource(
        actor=lea, site=charleroi, name="Dôme 1", code="DOME-1", kind=Resource.Kind.MOBILE_UNIT
    )


@pytest.fixture
def robots(lea: Actor, truck: Resource) -> OutreachActivity:
    return actions.create_outreach_activity(
        actor=lea,
        unit=truck,
        slug="robots-sol-lunaire",
        title_fr="Robots sur sol lunaire",
        description_fr="Les élèves programment un robot pour explorer un sol lunaire.",
        audience="5e primaire à 2e secondaire",
    )


@pytest.fixture
def wind(lea: Actor, dome: Resource) -> OutreachActivity:
    return actions.create_outreach_activity(
        actor=lea,
        unit=dome,
        slug="parc-eolien",
        title_fr="Un parc éolien pour la ville",
        audience="3e à 6e secondaire",
    )


def form(activity: OutreachActivity, first: dt.date, last: dt.date, **extra: object) -> dict:
    data: dict[str, object] = {
        "unit": activity.unit_id,
        "activity": activity.pk,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "school_name": "École communale de Jumet",
        "school_city": "Jumet",
        "contact_email": "direction@jumet.test",
        "grade_P5": "22",
        "grade_P6": "19",
    }
    data.update(extra)
    return data


def test_school_requests_the_truck_with_pupil_counts(
    as_user,
    school_contact: User,
    robots: OutreachActivity,
    wind: OutreachActivity,
) -> None:
    client = as_user(school_contact)
    page = client.get(reverse("scheduling:outreach_request"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Robots sur sol lunaire" in html and "5e primaire" in html
    response = client.post(
        reverse("scheduling:outreach_request"), form(robots, MONDAY, MONDAY + dt.timedelta(1))
    )
    assert response.status_code == 302
    outreach = OutreachRequest.objects.get()
    assert {c.grade: c.count for c in outreach.pupil_counts.all()} == {"P5": 22, "P6": 19}
    assert outreach.booking.status == "requested"
    assert outreach.travel_days_before == 1
    detail = client.get(response["Location"]).content.decode()
    assert "Demandée" in detail and "Kit pédagogique" in detail
    assert "explorer un sol lunaire" in detail
    mine = client.get(reverse("scheduling:outreach_mine")).content.decode()
    assert "Robots sur sol lunaire" in mine and "41 élèves" in mine


def test_activity_must_belong_to_the_unit(
    as_user,
    school_contact: User,
    robots: OutreachActivity,
    wind: OutreachActivity,
) -> None:
    client = as_user(school_contact)
    response = client.post(
        reverse("scheduling:outreach_request"),
        form(robots, MONDAY, MONDAY, unit=wind.unit_id),
    )
    assert response.status_code == 400
    assert not OutreachRequest.objects.exists()
    fragment = client.get(
        reverse("scheduling:outreach_activities"), {"unit": wind.unit_id}
    ).content.decode()
    assert "parc éolien" in fragment and "Robots" not in fragment


def test_counts_are_required_names_never_asked(
    as_user,
    school_contact: User,
    robots: OutreachActivity,
) -> None:
    client = as_user(school_contact)
    response = client.post(
        reverse("scheduling:outreach_request"),
        form(robots, MONDAY, MONDAY, grade_P5="", grade_P6=""),
    )
    assert response.status_code == 400
    html = client.get(reverse("scheduling:outreach_request")).content.decode()
    assert "aucun nom" in html


def test_one_place_at_a_time_with_a_setup_day(
    as_user,
    school_contact: User,
    logistics: User,
    lea: Actor,
    robots: OutreachActivity,
) -> None:
    client = as_user(school_contact)
    client.post(reverse("scheduling:outreach_request"), form(robots, MONDAY, MONDAY))
    first = OutreachRequest.objects.get()
    actions.approve_booking(actor=lea, booking=first.booking)
    # The unit is set up on the Sunday before and busy on Monday.
    assert planning.local_day(first.booking.reservations.get().blocked_start) == dt.date(2031, 3, 9)
    # Tuesday would leave no day to travel and set up: refused up front.
    response = client.post(
        reverse("scheduling:outreach_request"),
        form(robots, MONDAY + dt.timedelta(1), MONDAY + dt.timedelta(1), school_name="Autre"),
    )
    assert response.status_code == 400
    assert "jour de trajet" in response.context["form"].errors["first_day"][0]
    # Wednesday is fine: Tuesday is its set-up day.
    response = client.post(
        reverse("scheduling:outreach_request"),
        form(robots, MONDAY + dt.timedelta(2), MONDAY + dt.timedelta(2), school_name="Autre"),
    )
    assert response.status_code == 302
    assert OutreachRequest.objects.count() == 2


def test_province_team_approves_and_sees_clashes(
    as_user,
    school_contact: User,
    coordinator: User,
    logistics: User,
    lea: Actor,
    robots: OutreachActivity,
) -> None:
    a = actions.request_outreach_checked(
        actor=Actor.of(school_contact),
        activity=robots,
        first_day=MONDAY,
        last_day=MONDAY,
        school_name="École A",
        school_city="Jumet",
        pupil_counts={"P5": 20},
    )
    b = actions.request_outreach_checked(
        actor=Actor.of(coordinator),
        activity=robots,
        first_day=MONDAY + dt.timedelta(1),
        last_day=MONDAY + dt.timedelta(1),
        school_name="École B",
        school_city="Gosselies",
        pupil_counts={"S1": 25},
    )
    client = as_user(logistics)
    queue = client.get(reverse("scheduling:outreach_queue")).content.decode()
    assert "École A" in queue and "École B" in queue and "Conflit" not in queue
    response = client.post(
        reverse("scheduling:booking_approve", args=[a.booking_id]),
        {"next": reverse("scheduling:outreach_queue")},
    )
    assert response.status_code == 302 and response["Location"].endswith("/animations/file/")
    queue = client.get(reverse("scheduling:outreach_queue")).content.decode()
    assert "Conflit" in queue
    response = client.post(reverse("scheduling:booking_approve", args=[b.booking_id]))
    assert response.status_code == 409
    b.booking.refresh_from_db()
    assert b.booking.status == "requested"
    with pytest.raises(BookingConflict):
        actions.approve_booking(actor=lea, booking=b.booking)


def test_school_sees_only_its_requests_and_downloads_the_kit(
    as_user,
    school_contact: User,
    trainer: User,
    outsider: User,
    robots: OutreachActivity,
) -> None:
    outreach = actions.request_outreach_checked(
        actor=Actor.of(school_contact),
        activity=robots,
        first_day=MONDAY,
        last_day=MONDAY,
        school_name="École A",
        school_city="Jumet",
        pupil_counts={"P5": 20},
    )
    kit = as_user(school_contact).get(reverse("scheduling:outreach_kit", args=[outreach.pk]))
    assert kit["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in kit["Content-Disposition"]
    text = kit.content.decode()
    assert "Robots sur sol lunaire" in text and "5e primaire : 20" in text
    assert "prise électrique" in text
    for other in (trainer, outsider):
        assert (
            as_user(other)
            .get(reverse("scheduling:outreach_detail", args=[outreach.pk]))
            .status_code
            == 404
        )


def test_queue_query_count(
    as_user,
    django_assert_max_num_queries,
    logistics: User,
    school_contact: User,
    robots: OutreachActivity,
) -> None:
    client = as_user(logistics)
    url = reverse("scheduling:outreach_queue")
    actions.request_outreach_checked(
        actor=Actor.of(school_contact),
        activity=robots,
        first_day=MONDAY,
        last_day=MONDAY,
        school_name="École 0",
        school_city="Jumet",
        pupil_counts={"P5": 20},
    )
    client.get(url)
    with django_assert_max_num_queries(14) as before:
        client.get(url)
    for i in range(1, 6):
        day = MONDAY + dt.timedelta(days=7 * i)
        actions.request_outreach_checked(
            actor=Actor.of(school_contact),
            activity=robots,
            first_day=day,
            last_day=day,
            school_name=f"École {i}",
            school_city="Jumet",
            pupil_counts={"P6": 10 + i},
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert "École 5" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_keep_the_unit_in_one_place(
    run_concurrently,
    lea: Actor,
    school_contact: User,
    coordinator: User,
    robots: OutreachActivity,
) -> None:
    requests_ = [
        actions.request_outreach_checked(
            actor=Actor.of(who),
            activity=robots,
            first_day=MONDAY,
            last_day=MONDAY,
            school_name=name,
            school_city="Jumet",
            pupil_counts={"P5": 20},
        )
        for who, name in ((school_contact, "École A"), (coordinator, "École B"))
    ]
    run = run_concurrently.each(
        [
            lambda r=r: actions.approve_booking(actor=Actor.of(lea.user), booking=r.booking_id)
            for r in requests_
        ]
    )
    assert len(run.successes) == 1
    assert all(isinstance(e, BookingConflict) for e in run.errors)
    assert OutreachRequest.objects.filter(booking__status="approved").count() == 1
