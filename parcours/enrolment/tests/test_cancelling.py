"""Cancelling: a confirmation step (page without JS, dialog with htmx), one rule for the button,
the view and the action, and the promotion announced to whoever may see it (issue #9)."""

from __future__ import annotations

import datetime as dt
from html import unescape

from django.core import mail
from django.urls import reverse

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S


def _page(response) -> str:
    return unescape(response.content.decode())


class TestConfirmation:
    def test_the_button_opens_a_confirmation_and_nothing_is_cancelled_yet(
        self, as_user, learner, make_session
    ) -> None:
        session = make_session()
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        client = as_user(learner)
        html = _page(client.get(reverse("enrolment:my_sessions")))
        assert html.count("<dialog") == 1 and "<dialog" not in html.split("</title>")[0]
        confirm = reverse("enrolment:cancel", args=[enrolment.pk])
        assert f'href="{confirm}?next=' in html  # a link (works without JS) …
        assert f'hx-get="{confirm}?next=' in html  # … that htmx opens in a dialog
        page = client.get(confirm)
        assert page.status_code == 200
        assert "Oui, annuler l'inscription" in _page(page)
        assert Enrolment.objects.get(pk=enrolment.pk).status == S.CONFIRMED
        fragment = client.get(confirm, headers={"HX-Request": "true"})
        assert "<html" not in fragment.content.decode()
        assert "Non, garder l'inscription" in _page(fragment)

    def test_confirming_cancels(self, as_user, learner, make_session) -> None:
        session = make_session()
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        response = as_user(learner).post(
            reverse("enrolment:cancel", args=[enrolment.pk]), {"next": "/sessions/mes-sessions/"}
        )
        assert response.status_code == 302
        assert Enrolment.objects.get(pk=enrolment.pk).status == S.CANCELLED

    def test_an_outside_next_is_ignored(self, as_user, learner, make_session) -> None:
        session = make_session()
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        response = as_user(learner).post(
            reverse("enrolment:cancel", args=[enrolment.pk]), {"next": "//evil.test/"}
        )
        assert response["Location"] == reverse("enrolment:my_sessions")


class TestNoButtonWhenItCannotBeCancelled:
    def test_past_the_deadline_the_learner_has_no_button_and_the_page_says_why(
        self, as_user, learner, make_session
    ) -> None:
        session = make_session(days=(1, 2), cancellation_deadline_hours=24 * 5)
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        client = as_user(learner)
        confirm = reverse("enrolment:cancel", args=[enrolment.pk])
        assert confirm not in _page(client.get(reverse("enrolment:my_sessions")))
        assert confirm not in _page(client.get(reverse("enrolment:detail", args=[session.pk])))
        assert "Le délai d'annulation est dépassé" in _page(client.get(confirm))
        client.post(confirm)
        assert Enrolment.objects.get(pk=enrolment.pk).status == S.CONFIRMED

    def test_a_completed_enrolment_has_no_button_anywhere(
        self, as_user, learner, coordinator, trainer, make_session
    ) -> None:
        session = make_session()
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        slots = list(session.slots.order_by("start"))
        for slot in slots:
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, now=slots[-1].end + dt.timedelta(minutes=1)
            )
        assert Enrolment.objects.get(pk=enrolment.pk).status == S.COMPLETED
        confirm = reverse("enrolment:cancel", args=[enrolment.pk])
        assert confirm not in _page(as_user(learner).get(reverse("enrolment:my_sessions")))
        roster = as_user(coordinator).get(reverse("enrolment:manage_detail", args=[session.pk]))
        assert confirm not in _page(roster)


class TestPromotionIsAnnounced:
    def test_the_coordinator_is_told_who_got_the_seat_and_they_get_an_e_mail(
        self, as_user, coordinator, make_session, make_learner, django_capture_on_commit_callbacks
    ) -> None:
        session = make_session(capacity=1)
        first, second = make_learner(1), make_learner(2)
        seat = actions.enrol(actor=Actor.of(first), session=session, learner=first)
        actions.enrol(actor=Actor.of(second), session=session, learner=second)
        mail.outbox.clear()
        client = as_user(coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("enrolment:cancel", args=[seat.pk]),
                {"next": reverse("enrolment:manage_detail", args=[session.pk])},
                follow=True,
            )
        html = _page(response)
        assert "L2 Apprenant2 a obtenu la place libérée" in html
        assert Enrolment.objects.get(learner=second).status == S.CONFIRMED
        assert [m.to for m in mail.outbox if "place s'est libérée" in m.subject] == [[second.email]]

    def test_a_learner_who_cancels_is_not_told_who_got_their_seat(
        self, as_user, make_session, make_learner
    ) -> None:
        session = make_session(capacity=1)
        first, second = make_learner(1), make_learner(2)
        seat = actions.enrol(actor=Actor.of(first), session=session, learner=first)
        actions.enrol(actor=Actor.of(second), session=session, learner=second)
        html = _page(as_user(first).post(reverse("enrolment:cancel", args=[seat.pk]), follow=True))
        assert "Apprenant2" not in html
        assert "L'inscription est annulée" in html


class TestCancellingASession:
    def test_the_coordinator_confirms_before_everyone_is_told(
        self, as_user, coordinator, learner, make_session
    ) -> None:
        session = make_session()
        actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        c = as_user(coordinator)
        roster = _page(c.get(reverse("enrolment:manage_detail", args=[session.pk])))
        confirm = reverse("enrolment:manage_cancel", args=[session.pk])
        assert f'href="{confirm}"' in roster and f'hx-get="{confirm}"' in roster
        page = _page(c.get(confirm))
        assert "1 personne inscrite sera prévenue par e-mail" in page
        assert Session.objects.get(pk=session.pk).status == "published"
        c.post(confirm, {"status": "cancelled"})
        assert Session.objects.get(pk=session.pk).status == "cancelled"
        assert Enrolment.objects.get(learner=learner).status == S.CANCELLED

    def test_other_organisations_get_404(self, as_user, outsider, make_session) -> None:
        session = make_session()
        url = reverse("enrolment:manage_cancel", args=[session.pk])
        assert as_user(outsider).get(url).status_code == 404
        assert as_user(outsider).post(url, {"status": "cancelled"}).status_code == 404
        assert Session.objects.get(pk=session.pk).status == "published"
