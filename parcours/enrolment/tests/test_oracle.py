"""What a page or the API says back shows only what the actor typed or may see (issue #9,
items 5 and 7): no stored name of a stranger, no other organisation's session, the same
answer whether an e-mail has an account or not; roll call labels name the person and state."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, importing
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S
from parcours.enrolment.tests.conftest import make_module


@pytest.fixture
def stranger(other_org):
    """A learner of another organisation, with a real name the coordinator must not learn."""
    return make_person(other_org, Role.LEARNER, "secret@province.test", "Gisèle", "Confidentielle")


def _messages(response) -> str:
    """The flash messages of a page."""
    html = unescape(response.content.decode())
    return " | ".join(re.findall(r'<p class="message[^"]*">(.*?)</p>', html, re.S))


class TestEnrolByEmail:
    def test_the_message_shows_what_was_typed_not_the_stored_name(
        self, as_user, coordinator, make_session, stranger
    ) -> None:
        session = make_session()
        response = as_user(coordinator).post(
            reverse("enrolment:manage_enrol", args=[session.pk]),
            {"email": stranger.email, "first_name": "G", "last_name": "C"},
            follow=True,
        )
        shown = _messages(response)
        assert shown == "secret@province.test : Confirmée."

    def test_known_and_unknown_emails_get_the_same_answer_without_names(
        self, as_user, coordinator, make_session, stranger
    ) -> None:
        session = make_session()
        c = as_user(coordinator)
        answers = []
        for email in (stranger.email, "personne@nulle-part.test"):
            response = c.post(
                reverse("enrolment:manage_enrol", args=[session.pk]), {"email": email}, follow=True
            )
            answers.append(_messages(response))
        assert answers[0] == answers[1] and answers[0]
        with pytest.raises(ValidationError) as known:
            actions.enrol_person(actor=Actor.of(coordinator), session=session, email=stranger.email)
        with pytest.raises(ValidationError) as unknown:
            actions.enrol_person(actor=Actor.of(coordinator), session=session, email="n@x.test")
        assert known.value.messages == unknown.value.messages

    def test_the_api_answers_the_same_for_known_and_unknown(
        self, client, coordinator, make_session, stranger
    ) -> None:
        from parcours.accounts import actions as account_actions

        _token, secret = account_actions.create_api_token(user=coordinator, name="t")
        session = make_session()
        bodies = [
            client.post(
                f"/api/v1/sessions/{session.pk}/enrolments",
                {"learner_email": email},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
            )
            for email in (stranger.email, "n@x.test")
        ]
        assert [b.status_code for b in bodies] == [422, 422]
        assert bodies[0].json() == bodies[1].json()


class TestTheRosterNamesOnlyWhomTheOrganisationKnows:
    def test_a_strangers_name_stays_hidden_until_they_attend(
        self, as_user, coordinator, trainer, make_session, stranger, learner
    ) -> None:
        session = make_session()
        c = as_user(coordinator)
        c.post(
            reverse("enrolment:manage_enrol", args=[session.pk]),
            {"email": stranger.email, "first_name": "G", "last_name": "C"},
        )
        actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        roster = unescape(
            c.get(reverse("enrolment:manage_detail", args=[session.pk])).content.decode()
        )
        assert "Confidentielle" not in roster and "secret@province.test" in roster
        assert "Chloé Renard" in roster  # a member of the organisation
        mine = Enrolment.objects.get(learner=stranger)
        confirm = unescape(c.get(reverse("enrolment:cancel", args=[mine.pk])).content.decode())
        assert "Annuler l'inscription de secret@province.test ?" in confirm
        # Once they came to one of the organisation's sessions, staff know who they are.
        slots = list(session.slots.order_by("start"))
        for slot in slots:
            actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, now=slots[-1].end + dt.timedelta(minutes=1)
            )
        roster = unescape(
            c.get(reverse("enrolment:manage_detail", args=[session.pk])).content.decode()
        )
        assert "Gisèle Confidentielle" in roster


class TestOtherOrganisationsSessions:
    def test_an_overlap_elsewhere_does_not_name_the_other_session(
        self, coordinator, outsider, other_org, make_session, stranger
    ) -> None:
        from parcours.accounts.models import Site

        theirs_module = make_module(other_org, "P1", title_fr="Leur module")
        site = Site.objects.create(organisation=other_org, name="Mons", city="Mons")
        mine = make_session(days=(9,))
        theirs_data = actions.SessionData(
            module_id=theirs_module.pk,
            code="SECRET-CODE",
            capacity=5,
            slots=list(mine.slots.values_list("start", "end")),
            site_id=site.pk,
        )
        theirs = actions.create_session(
            actor=Actor.of(outsider), organisation=other_org, data=theirs_data
        )
        actions.set_session_status(actor=Actor.of(outsider), session=theirs, status="published")
        actions.enrol(actor=Actor.of(stranger), session=theirs, learner=stranger)
        with pytest.raises(ValidationError) as refused:
            actions.enrol(
                actor=Actor.of(coordinator), session=mine, learner=stranger, source="coordinator"
            )
        assert "SECRET-CODE" not in " ".join(refused.value.messages)
        parsed = importing.parse_file("l.csv", f"email;prenom;nom\n{stranger.email};G;C\n".encode())
        report = actions.import_enrolments(
            actor=Actor.of(coordinator), session=mine, rows=parsed.rows
        )
        assert report.errors and "SECRET-CODE" not in report.errors[0].message
        # The learner themselves may be told which of their sessions clashes.
        with pytest.raises(ValidationError) as own:
            actions.enrol(actor=Actor.of(stranger), session=mine, learner=stranger)
        assert "SECRET-CODE" in " ".join(own.value.messages)


class TestRollCallLabels:
    def test_each_checkbox_is_named_by_the_person_and_the_state(
        self, as_user, trainer, make_session, make_learner
    ) -> None:
        start = timezone.now() - dt.timedelta(minutes=30)
        session = make_session(slots=[(start, start + dt.timedelta(hours=3))])
        people = [make_learner(i) for i in range(2)]
        enrolments = [
            Enrolment.objects.create(
                session=session, learner=p, status=S.CONFIRMED, source="coordinator"
            )
            for p in people
        ]
        Session.objects.filter(pk=session.pk).update(seats_taken=2)
        slot = session.slots.get()
        c = as_user(trainer)
        url = reverse("enrolment:roll_call", args=[slot.pk])
        c.post(url, {"absent": [enrolments[1].pk]})
        html = unescape(c.get(url).content.decode())
        labels = {
            int(pk): " ".join(re.sub(r"<[^>]+>", " ", text).split())
            for pk, text in re.findall(r'<label for="absent-(\d+)">(.*?)</label>', html, re.S)
        }
        assert labels == {
            enrolments[0].pk: "L0 Apprenant0 est absent·e (noté·e présent·e)",
            enrolments[1].pk: "L1 Apprenant1 est absent·e (noté·e absent·e)",
        }
