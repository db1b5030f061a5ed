"""The API applies the same rules as the pages (it calls the same actions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, checkin
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S


def _auth(user) -> dict[str, str]:
    _token, secret = account_actions.create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class TestSessions:
    def test_public_list_and_detail(
        self, client, make_session, django_assert_max_num_queries
    ) -> None:
        for _ in range(4):
            make_session()
        make_session(publish=False)
        with django_assert_max_num_queries(6):
            data = client.get("/api/v1/sessions").json()
        assert len(data) == 4
        first = data[0]
        assert first["seats_left"] == 20 and first["place"]["city"] == "Gosselies"
        assert len(first["slots"]) == 4 and first["trainers"] == ["Bruno Lambert"]
        detail = client.get(f"/api/v1/sessions/{first['id']}").json()
        assert detail["code"] == first["code"]

    def test_drafts_are_404_for_the_public_and_other_tenants(
        self, client, make_session, outsider
    ) -> None:
        draft = make_session(publish=False)
        assert client.get(f"/api/v1/sessions/{draft.pk}").status_code == 404
        response = client.get(f"/api/v1/sessions/{draft.pk}", **_auth(outsider))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


class TestEnrolments:
    def test_enrol_list_mine_cancel(self, client, make_session, learner) -> None:
        session = make_session(capacity=1)
        auth = _auth(learner)
        response = client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json", **auth
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == S.CONFIRMED and body["learner_email"] == learner.email
        again = client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json", **auth
        )
        assert again.status_code == 409
        assert "déjà inscrite" in again.json()["title"]
        mine = client.get("/api/v1/enrolments/mine", **auth).json()
        assert [e["id"] for e in mine] == [body["id"]]
        cancelled = client.post(
            f"/api/v1/enrolments/{body['id']}/cancel",
            {"reason": "Empêché"},
            "application/json",
            **auth,
        )
        assert cancelled.json()["status"] == S.CANCELLED

    def test_waitlist_position_and_roster(
        self, client, make_session, make_learner, coordinator, django_assert_max_num_queries
    ) -> None:
        session = make_session(capacity=1)
        people = [make_learner(i) for i in range(3)]
        for p in people:
            client.post(
                f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json", **_auth(p)
            )
        auth = _auth(coordinator)
        with django_assert_max_num_queries(8):
            roster = client.get(f"/api/v1/sessions/{session.pk}/enrolments", **auth).json()
        assert [(e["status"], e["waitlist_position"]) for e in roster] == [
            (S.CONFIRMED, None),
            (S.WAITLISTED, 1),
            (S.WAITLISTED, 2),
        ]

    def test_staff_enrol_someone_by_email_learners_cannot(
        self, client, make_session, coordinator, learner
    ) -> None:
        session = make_session()
        body = {"learner_email": "nouveau@exemple.test", "first_name": "N", "last_name": "V"}
        url = f"/api/v1/sessions/{session.pk}/enrolments"
        assert client.post(url, body, "application/json", **_auth(learner)).status_code == 403
        response = client.post(url, body, "application/json", **_auth(coordinator))
        assert response.status_code == 201
        assert Enrolment.objects.get().source == "coordinator"

    def test_refusals_are_problem_json_in_french(self, client, make_session, learner) -> None:
        session = make_session(audience="school_heads")
        response = client.post(
            f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json", **_auth(learner)
        )
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert "réservée au public" in response.json()["title"]

    def test_cannot_cancel_someone_elses(self, client, make_session, learner, make_learner) -> None:
        session = make_session()
        other = make_learner(1)
        enrolment = actions.enrol(actor=Actor.of(other), session=session, learner=other)
        response = client.post(
            f"/api/v1/enrolments/{enrolment.pk}/cancel", {}, "application/json", **_auth(learner)
        )
        assert response.status_code == 404

    def test_needs_authentication(self, client, make_session) -> None:
        session = make_session()
        response = client.post(f"/api/v1/sessions/{session.pk}/enrolments", {}, "application/json")
        assert response.status_code == 401


class TestAttendance:
    @pytest.fixture
    def running(self, make_session, make_learner):
        start = timezone.now() - dt.timedelta(minutes=20)
        session = make_session(slots=[(start, start + dt.timedelta(hours=3))])
        people = [make_learner(i) for i in range(3)]
        enrolments = [
            Enrolment.objects.create(
                session=session, learner=p, status=S.CONFIRMED, source="coordinator"
            )
            for p in people
        ]
        Session.objects.filter(pk=session.pk).update(seats_taken=3)
        return session.slots.get(), people, enrolments

    def test_roll_call_by_the_trainer(self, client, running, trainer, learner) -> None:
        slot, _people, enrolments = running
        url = f"/api/v1/slots/{slot.pk}/attendance"
        assert client.get(url, **_auth(learner)).status_code == 404
        response = client.post(
            url, {"absent": [enrolments[0].pk]}, "application/json", **_auth(trainer)
        )
        assert response.json()["present"] == 2
        rows = client.get(url, **_auth(trainer)).json()
        assert sorted(r["present"] for r in rows) == [False, True, True]

    def test_roll_call_for_someone_not_enrolled_is_409(self, client, running, trainer) -> None:
        slot, _people, _enrolments = running
        response = client.post(
            f"/api/v1/slots/{slot.pk}/attendance", {"absent": [999999]}, "application/json",
            **_auth(trainer),
        )  # fmt: skip
        assert response.status_code == 409
        assert not Attendance.objects.exists()

    def test_future_slot_is_409(self, client, make_session, trainer) -> None:
        slot = make_session().slots.first()
        response = client.post(
            f"/api/v1/slots/{slot.pk}/attendance", {}, "application/json", **_auth(trainer)
        )
        assert response.status_code == 409

    def test_qr_check_in(self, client, running, learner) -> None:
        slot, people, _enrolments = running
        token = checkin.make_token(slot.checkin_secret, slot.pk, timezone.now().timestamp())
        ok = client.post(
            "/api/v1/check-in", {"token": token}, "application/json", **_auth(people[0])
        )
        assert ok.status_code == 200 and ok.json()["present"] is True
        refused = client.post(
            "/api/v1/check-in", {"token": token}, "application/json", **_auth(learner)
        )
        assert refused.status_code == 409
