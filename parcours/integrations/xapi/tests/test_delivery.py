"""Statements from Parcours' events to a real LRS (Ralph, started by the tests), read back
through its xAPI API."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import EnrolmentStatus
from parcours.integrations.models import LrsConfig, XapiPseudonym, XapiStatement
from parcours.integrations.xapi import actions, outbox
from parcours.integrations.xapi.delivery import deliver
from parcours.integrations.xapi.tests.conftest import Lrs
from parcours.lib.sealed import unseal
from parcours.lib.urls import site_url

# Real commits: statements are written and sent after the business write commits.
pytestmark = pytest.mark.django_db(transaction=True)

S = XapiStatement.Status
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")


def configure(
    admin: User, org: Organisation, endpoint: str, key: str, secret: str, enabled: bool = True
) -> LrsConfig:
    return actions.save_config(
        actor=Actor.of(admin),
        organisation=org,
        data=actions.LrsData(endpoint=endpoint, key=key, secret=secret, enabled=enabled),
    )


@pytest.fixture
def lrs_on(ralph: Lrs, admin: User, org: Organisation) -> LrsConfig:
    return configure(admin, org, ralph.endpoint, ralph.username, ralph.password)


def statements(kind: str) -> list[XapiStatement]:
    return list(XapiStatement.objects.filter(kind=kind).order_by("pk"))


def enrol(session, person: User) -> Enrolment:
    return enrolment_actions.enrol(actor=Actor.of(person), session=session, learner=person)


class TestEnrolmentStatements:
    def test_a_registration_reaches_the_lrs_under_a_pseudonym(
        self, lrs_on, ralph: Lrs, make_session, learner: User, org: Organisation
    ) -> None:
        session = make_session()
        enrolment = enrol(session, learner)

        (row,) = statements("registered")
        assert row.status == S.SENT
        stored = ralph.by_id(str(row.statement_id))
        assert stored is not None
        assert stored["verb"]["id"] == ADL + "registered"
        pseudonym = XapiPseudonym.objects.get(organisation=org, person=learner)
        assert stored["actor"]["account"] == {"homePage": site_url(), "name": str(pseudonym.name)}
        assert learner.email not in json.dumps(stored)
        assert stored["object"]["id"] == f"{site_url()}/sessions/{session.pk}/"
        assert (
            stored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
        )
        context = stored["context"]
        assert context["platform"] == "Parcours"
        assert context["registration"]
        assert context["contextActivities"]["grouping"][0]["id"].endswith(
            f"/catalogue/{org.slug}/{session.module.code}/"
        )
        assert enrolment.status == EnrolmentStatus.CONFIRMED

    def test_a_full_session_sends_waitlisted_with_a_parcours_verb(
        self, lrs_on, ralph: Lrs, make_session, make_learner
    ) -> None:
        session = make_session(capacity=1)
        enrol(session, make_learner(1))
        waiting = enrol(session, make_learner(2))
        assert waiting.status == EnrolmentStatus.WAITLISTED
        (row,) = statements("waitlisted")
        stored = ralph.by_id(str(row.statement_id))
        assert stored is not None
        assert stored["verb"]["id"] == f"{site_url()}/xapi/profil/verbes/waitlisted"

    def test_roll_call_sends_attended_for_the_present_only_and_once(
        self, lrs_on, ralph: Lrs, make_session, make_learner, trainer: User
    ) -> None:
        session = make_session(days=(3,))
        people = [make_learner(i) for i in range(3)]
        enrolments = [enrol(session, p) for p in people]
        slot = session.slots.first()
        now = slot.start + dt.timedelta(minutes=10)
        for _ in range(2):  # a correction repeats the roll call
            enrolment_actions.record_roll_call(
                actor=Actor.of(trainer), slot=slot, absent=[enrolments[1].pk], now=now
            )
        rows = statements("attended")
        assert len(rows) == 2
        found = ralph.get(
            verb=ADL + "attended", registration=outbox.registration_id(enrolments[0].pk)
        )
        assert [s["id"] for s in found] == [str(rows[0].statement_id)]
        assert found[0]["context"]["contextActivities"]["parent"][0]["id"].endswith(
            f"/sessions/{session.pk}/"
        )


class TestCompletionAndBadges:
    def test_completing_the_pathway_sends_completed_and_earned(
        self, lrs_on, ralph: Lrs, learner: User, ai_modules, ai_badge, ai_pathway
    ) -> None:
        from parcours.credentials.tests.conftest import EARNING, complete

        complete(learner, ai_modules, *EARNING)

        modules = statements("completed-module")
        assert len(modules) == len(EARNING)
        (pathway,) = statements("completed-pathway")
        (earned,) = statements("earned")
        assert {r.status for r in [*modules, pathway, earned]} == {S.SENT}
        stored_pathway = ralph.by_id(str(pathway.statement_id))
        assert stored_pathway is not None
        assert stored_pathway["verb"]["id"] == ADL + "completed"
        assert stored_pathway["object"]["definition"]["type"] == (
            "http://adlnet.gov/expapi/activities/course"
        )
        stored_badge = ralph.by_id(str(earned.statement_id))
        assert stored_badge is not None
        assert stored_badge["verb"]["id"] == "https://w3id.org/xapi/openbadges/verbs/earned"
        assert stored_badge["object"]["definition"]["name"]["fr"] == ai_badge.name_fr


class TestDeliveryGuarantees:
    def test_sending_again_never_duplicates(
        self, lrs_on, ralph: Lrs, make_session, learner: User, org: Organisation
    ) -> None:
        enrol(make_session(), learner)
        (row,) = statements("registered")
        XapiStatement.objects.filter(pk=row.pk).update(
            status=S.PENDING
        )  # as if the answer was lost
        report = deliver(org.pk)
        assert report.sent == 1
        assert len(ralph.get(registration=json.loads(row.payload)["context"]["registration"])) == 1

    def test_lrs_down_never_blocks_enrolment_and_retries_later(
        self, admin: User, org: Organisation, ralph: Lrs, make_session, learner: User
    ) -> None:
        from scripts.ralph_lrs import free_port

        configure(admin, org, f"http://127.0.0.1:{free_port()}/xAPI/", "k", "s")
        enrolment = enrol(make_session(), learner)
        assert enrolment.status == EnrolmentStatus.CONFIRMED

        (row,) = statements("registered")
        assert row.status == S.PENDING
        assert row.attempts == 1
        assert row.last_error.startswith("Pas de réponse du LRS")
        assert row.next_attempt_at > timezone.now()

        configure(admin, org, ralph.endpoint, ralph.username, ralph.password)
        out = io.StringIO()
        call_command("send_xapi", "--org", org.slug, "--now", stdout=out)
        assert "sent 1" in out.getvalue()
        assert ralph.by_id(str(row.statement_id)) is not None

    def test_a_refused_statement_fails_alone_with_its_cause_and_can_be_retried(
        self, lrs_on, ralph: Lrs, make_session, make_learner, org: Organisation, admin: User
    ) -> None:
        LrsConfig.objects.filter(organisation=org).update(enabled=False)  # hold them
        session = make_session()
        for i in range(3):
            enrol(session, make_learner(i))
        broken = statements("registered")[1]
        payload = json.loads(broken.payload)
        del payload["actor"]  # invalid xAPI: the LRS answers 400
        XapiStatement.objects.filter(pk=broken.pk).update(payload=json.dumps(payload))
        LrsConfig.objects.filter(organisation=org).update(enabled=True)

        report = deliver(org.pk)

        assert (report.sent, report.failed) == (2, 1)
        broken.refresh_from_db()
        assert broken.status == S.FAILED
        assert broken.last_status in {400, 422}  # Ralph: 422 (FastAPI's validation)
        assert broken.last_error.startswith(f"HTTP {broken.last_status}")
        assert ralph.by_id(str(broken.statement_id)) is None
        assert actions.retry_failed(actor=Actor.of(admin), organisation=org) == 1
        broken.refresh_from_db()
        assert broken.status == S.FAILED  # sent again at once, refused again
        assert broken.attempts == 1


class _Unavailable(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"detail": "maintenance"}'
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def unavailable_lrs() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    server.shutdown()
    server.server_close()


class TestBackOff:
    def test_a_5xx_is_retried_with_growing_waits_then_failed(
        self, unavailable_lrs: str, admin: User, org: Organisation, make_session, learner: User
    ) -> None:
        configure(admin, org, unavailable_lrs, "k", "s")
        enrol(make_session(), learner)
        (row,) = statements("registered")
        waits = []
        for _ in range(12):
            row.refresh_from_db()
            if row.status != S.PENDING:
                break
            before = row.next_attempt_at
            deliver(org.pk, now=before)
            row.refresh_from_db()
            waits.append((row.next_attempt_at - before).total_seconds())
        assert row.status == S.FAILED
        assert row.last_error.startswith("Abandon après 12 tentatives. HTTP 503")
        assert "maintenance" in row.last_error
        assert waits[:4] == [60.0, 120.0, 240.0, 480.0]  # the first wait (30 s) was at enrolment


class TestConfiguration:
    def test_no_lrs_no_statement_and_a_disabled_one_keeps_them_pending(
        self, admin: User, org: Organisation, make_session, make_learner
    ) -> None:
        session = make_session()
        enrol(session, make_learner(1))
        assert not XapiStatement.objects.exists()
        configure(admin, org, "https://lrs.example.test/xAPI/", "k", "s", enabled=False)
        enrol(session, make_learner(2))
        (row,) = statements("registered")
        assert (row.status, row.attempts) == (S.PENDING, 0)

    def test_the_secret_is_sealed_and_kept_when_left_empty(
        self, admin: User, org: Organisation
    ) -> None:
        config = configure(admin, org, "https://lrs.example.test/xAPI/", "k", "s3cret")
        assert "s3cret" not in config.sealed_secret
        config = configure(admin, org, "https://lrs.example.test/xAPI/", "k2", "")
        assert unseal(config.sealed_secret, purpose="lrs-secret") == "s3cret"

    def test_the_connection_test_talks_to_the_lrs(
        self, lrs_on, admin: User, org: Organisation, ralph: Lrs
    ) -> None:
        assert actions.test_connection(actor=Actor.of(admin), organisation=org).ok
        configure(admin, org, ralph.endpoint, ralph.username, "wrong")
        check = actions.test_connection(actor=Actor.of(admin), organisation=org)
        assert not check.ok
        assert "401" in check.message


class TestLaunch:
    def test_an_lti_launch_is_sent_once_per_launch(
        self, lrs_on, ralph: Lrs, learner: User, org: Organisation
    ) -> None:
        target = f"{site_url()}/catalogue/{org.slug}/M1A/"
        for _ in range(2):  # the same launch recorded twice
            outbox.record_launch(
                organisation=org,
                person=learner,
                target_url=target,
                title="Introduction à l'IA",
                launch_id="nonce-123",
                lms="https://moodle.technosphere.test",
            )
        (row,) = statements("launched")
        stored = ralph.by_id(str(row.statement_id))
        assert stored is not None
        assert stored["verb"]["id"] == ADL + "launched"
        assert stored["object"]["id"] == target
