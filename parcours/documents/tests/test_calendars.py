"""Calendars: the pure iCalendar core, subscribable feeds behind secret tokens, their page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.accounts.models import Site, User
from parcours.accounts.permissions import Actor
from parcours.documents import actions, ical
from parcours.documents.models import CalendarFeed, hash_token
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session

from .conftest import BRUSSELS, day_slots, in_days, local


def fetch(client: Client, token: str) -> Any:
    return client.get(reverse("documents:feed", args=[token]))


class TestIcalCore:
    def test_a_9_oclock_session_after_the_dst_change_starts_at_8_utc(self) -> None:
        start = dt.datetime(2026, 10, 26, 9, 0, tzinfo=BRUSSELS)  # winter time since 25/10
        event = ical.Event(
            uid=ical.slot_uid(7, 0, "parcours.test"),
            start=start,
            end=start + dt.timedelta(hours=3, minutes=30),
            summary="Introduction à l'IA",
        )
        data = ical.build([event], stamp=start)
        assert b"DTSTART:20261026T080000Z" in data
        assert b"DTEND:20261026T113000Z" in data
        summer = dt.datetime(2026, 10, 23, 9, 0, tzinfo=BRUSSELS)
        data = ical.build(
            [ical.Event(uid="x", start=summer, end=summer, summary="s")], stamp=summer
        )
        assert b"DTSTART:20261023T070000Z" in data

    def test_methods_and_status(self) -> None:
        start = dt.datetime(2026, 3, 10, 9, tzinfo=BRUSSELS)
        event = ical.Event(uid="u@h", start=start, end=start + dt.timedelta(hours=1), summary="s")
        person = ical.Person("chloe@exemple.test", "Chloé Renard")
        cancel = ical.build([event], stamp=start, method="CANCEL", organizer=person)
        assert ical.method_of(cancel) == "CANCEL"
        assert ical.parse(cancel)[0].cancelled
        assert b"ORGANIZER;CN=" in cancel
        with pytest.raises(ValueError):
            ical.build([event], stamp=start, method="PUBLISH")
        with pytest.raises(ValueError):
            ical.build([ical.Event("u", start.replace(tzinfo=None), start, "s")], stamp=start)

    @settings(max_examples=200, deadline=None)
    @given(
        moment=st.datetimes(
            min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
            max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
            timezones=st.just(BRUSSELS),
        ),
        minutes=st.integers(min_value=1, max_value=24 * 60),
        summary=st.text(min_size=1, max_size=80).filter(
            lambda s: s.strip() == s and s.isprintable()
        ),
        sequence=st.integers(min_value=0, max_value=10_000),
    )
    def test_every_instant_survives_a_round_trip(
        self, moment: dt.datetime, minutes: int, summary: str, sequence: int
    ) -> None:
        moment = moment.replace(microsecond=0, second=0)
        end = moment + dt.timedelta(minutes=minutes)
        event = ical.Event(
            uid="parcours-session-1-0@h", start=moment, end=end, summary=summary, sequence=sequence
        )
        (back,) = ical.parse(ical.build([event], stamp=moment))
        # The same instants (written in UTC). Compared in UTC: Python's == between zones is
        # False for a wall-clock time that occurs twice (PEP 495), e.g. 2:30 on DST's last day.
        assert back.start == moment.astimezone(dt.UTC) and back.end == end.astimezone(dt.UTC)
        assert back.summary == summary and back.sequence == sequence and back.uid == event.uid


@pytest.fixture
def learner_feed(learner: User) -> str:
    _feed, token = actions.create_calendar_feed(
        actor=Actor.of(learner), kind=CalendarFeed.Kind.LEARNER
    )
    return token


class TestFeeds:
    def test_the_learners_feed_has_their_sessions_only(
        self,
        client: Client,
        learner: User,
        learner_feed: str,
        make_session: Callable[..., Session],
        make_learner: Callable[..., User],
        enrol: Callable[..., Enrolment],
    ) -> None:
        mine = make_session(day_slots(in_days(10), in_days(11)))
        theirs = make_session(day_slots(in_days(12)))
        enrol(mine, learner)
        enrol(theirs, make_learner(2))
        response = fetch(client, learner_feed)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        events = ical.parse(response.content)
        assert len(events) == 4
        assert {e.uid for e in events} == {
            f"parcours-session-{mine.pk}-{i}@127.0.0.1" for i in range(4)
        }
        first = min(events, key=lambda e: e.start)
        assert first.start == local(in_days(10), 9)
        assert first.summary == "Introduction à l'intelligence artificielle"
        assert "Technofutur TIC Gosselies" in first.location
        assert "Avenue Jean Mermoz 18" in first.location
        assert not first.cancelled
        assert b"X-WR-CALNAME:Parcours" in response.content

    def test_a_token_is_needed_and_a_wrong_one_finds_nothing(
        self, client: Client, learner_feed: str
    ) -> None:
        assert (
            fetch(client, learner_feed[:-1] + ("A" if learner_feed[-1] != "A" else "B")).status_code
            == 404
        )
        assert client.get("/agenda/flux/.ics").status_code == 404
        assert not CalendarFeed.objects.filter(token_hash=learner_feed).exists()  # stored hashed
        assert CalendarFeed.objects.filter(token_hash=hash_token(learner_feed)).exists()

    def test_a_new_address_retires_the_old_one_and_revoking_stops_it(
        self, client: Client, learner: User, learner_feed: str
    ) -> None:
        feed, token = actions.create_calendar_feed(
            actor=Actor.of(learner), kind=CalendarFeed.Kind.LEARNER
        )
        assert fetch(client, learner_feed).status_code == 404
        assert fetch(client, token).status_code == 200
        actions.revoke_calendar_feed(actor=Actor.of(learner), feed=feed)
        assert fetch(client, token).status_code == 404

    def test_a_cancelled_session_stays_in_the_feed_as_cancelled(
        self,
        client: Client,
        learner: User,
        learner_feed: str,
        coordinator: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
    ) -> None:
        session = make_session()
        enrol(session, learner)
        enrolment_actions.set_session_status(
            actor=Actor.of(coordinator), session=session, status=Session.Status.CANCELLED
        )
        events = ical.parse(fetch(client, learner_feed).content)
        assert len(events) == 2 and all(e.cancelled for e in events)
        assert b"STATUS:CANCELLED" in fetch(client, learner_feed).content

    def test_a_place_the_learner_cancelled_leaves_the_feed(
        self,
        client: Client,
        learner: User,
        learner_feed: str,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
    ) -> None:
        enrolment = enrol(make_session(), learner)
        enrolment_actions.cancel(actor=Actor.of(learner), enrolment=enrolment)
        assert ical.parse(fetch(client, learner_feed).content) == []

    def test_the_trainers_feed_has_the_sessions_they_teach(
        self,
        client: Client,
        trainer: User,
        coordinator: User,
        make_session: Callable[..., Session],
    ) -> None:
        taught = make_session(day_slots(in_days(5)))
        make_session(day_slots(in_days(6)), trainers=[coordinator])
        make_session(day_slots(in_days(7)), publish=False)  # a draft: not yet
        _feed, token = actions.create_calendar_feed(
            actor=Actor.of(trainer), kind=CalendarFeed.Kind.TRAINER
        )
        events = ical.parse(fetch(client, token).content)
        assert {e.uid.split("-")[2] for e in events} == {str(taught.pk)}

    def test_only_trainers_have_a_trainer_feed(self, learner: User) -> None:
        with pytest.raises(PermissionDenied):
            actions.create_calendar_feed(actor=Actor.of(learner), kind=CalendarFeed.Kind.TRAINER)

    def test_the_sites_feed_has_its_published_sessions(
        self,
        client: Client,
        logistics: User,
        site: Site,
        make_session: Callable[..., Session],
    ) -> None:
        here = make_session(day_slots(in_days(3)))
        make_session(day_slots(in_days(4)), online=True)
        make_session(day_slots(in_days(5)), publish=False)
        _feed, token = actions.create_calendar_feed(
            actor=Actor.of(logistics), kind=CalendarFeed.Kind.SITE, site=site
        )
        events = ical.parse(fetch(client, token).content)
        assert {e.uid.split("-")[2] for e in events} == {str(here.pk)}
        assert (
            b"X-WR-CALNAME:Parcours \xe2\x80\x94 Technofutur TIC Gosselies"
            in fetch(client, token).content
        )

    def test_site_feeds_are_for_that_organisations_staff(
        self, site: Site, learner: User, outsider: User, trainer: User
    ) -> None:
        for person in (learner, outsider, trainer):
            with pytest.raises(PermissionDenied):
                actions.create_calendar_feed(
                    actor=Actor.of(person), kind=CalendarFeed.Kind.SITE, site=site
                )

    def test_the_feed_costs_a_few_queries_whatever_its_size(
        self,
        client: Client,
        learner: User,
        learner_feed: str,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        django_assert_max_num_queries: Any,
    ) -> None:
        for n in range(6):
            enrol(make_session(day_slots(in_days(20 + 2 * n))), learner)
        with django_assert_max_num_queries(5):
            response = fetch(client, learner_feed)
        assert len(ical.parse(response.content)) == 12


class TestCalendarPage:
    def test_the_address_is_shown_once_then_only_its_date(
        self, as_user: Callable[[User], Client], learner: User
    ) -> None:
        client = as_user(learner)
        page = client.get(reverse("documents:calendar")).content.decode()
        assert "S'abonner à mon agenda" in page
        assert "Pas encore d'adresse d'abonnement." in page
        response = client.post(
            reverse("documents:calendar_generate"), {"kind": "learner"}, follow=True
        )
        page = response.content.decode()
        assert "Copiez-la maintenant" in page
        url = page.split('data-testid="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
        assert "/agenda/flux/" in url and url.endswith(".ics")
        assert Client().get(url.replace("http://127.0.0.1:8000", "")).status_code == 200
        again = client.get(reverse("documents:calendar")).content.decode()
        assert url not in again and "Adresse active" in again
        feed = CalendarFeed.objects.active().get(user=learner)
        client.post(reverse("documents:calendar_revoke", args=[feed.pk]))
        assert not CalendarFeed.objects.active().filter(user=learner).exists()

    def test_staff_see_their_sites_and_nobody_revokes_anothers_feed(
        self,
        as_user: Callable[[User], Client],
        logistics: User,
        learner: User,
        learner_feed: str,
        site: Site,
    ) -> None:
        client = as_user(logistics)
        page = client.get(reverse("documents:calendar")).content.decode()
        assert "Technofutur TIC Gosselies" in page
        feed = CalendarFeed.objects.active().get(user=learner)
        assert client.post(reverse("documents:calendar_revoke", args=[feed.pk])).status_code == 404
        assert CalendarFeed.objects.active().filter(pk=feed.pk).exists()

    def test_a_learner_cannot_publish_a_sites_agenda(
        self, as_user: Callable[[User], Client], learner: User, site: Site
    ) -> None:
        response = as_user(learner).post(
            reverse("documents:calendar_generate"), {"kind": "site", "site": site.pk}
        )
        assert response.status_code == 404
        assert not CalendarFeed.objects.exists()
