"""Statements written in the business transaction, and voiding: a presence corrected to absent
and a revoked badge cancel their statement in the LRS (Ralph)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.credentials import actions as credential_actions
from parcours.credentials.models import IssuedCredential
from parcours.enrolment import actions as enrolment_actions
from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.xapi import actions, outbox
from parcours.integrations.xapi.tests.conftest import Lrs

S = XapiStatement.Status
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")


def configure(admin: User, org: Organisation, endpoint: str, key: str, secret: str) -> None:
    actions.save_config(
        actor=Actor.of(admin),
        organisation=org,
        data=actions.LrsData(endpoint=endpoint, key=key, secret=secret, enabled=True),
    )


def statements(kind: str) -> list[XapiStatement]:
    return list(XapiStatement.objects.filter(kind=kind).order_by("pk"))


def roll_call(trainer: User, slot, absent: list[int]) -> None:
    enrolment_actions.record_roll_call(
        actor=Actor.of(trainer),
        slot=slot,
        absent=absent,
        now=slot.start + dt.timedelta(minutes=10),
    )


def referenced(row: XapiStatement) -> str:
    statement = json.loads(row.payload)
    assert statement["verb"]["id"] == VOIDED
    assert statement["object"]["objectType"] == "StatementRef"
    assert "platform" not in statement["context"]
    return str(statement["object"]["id"])


# --- Written inside the business transaction (no LRS needed: nothing is sent) -----------


def issue(coordinator: User, learner: User, ai_modules, ai_badge) -> IssuedCredential:
    from parcours.credentials.tests.conftest import EARNING, complete

    complete(learner, ai_modules, *EARNING)
    return credential_actions.issue_credential(
        achievement=ai_badge, learner=learner, actor=Actor.of(coordinator)
    ).credential


@pytest.mark.django_db
def test_badge_statements_are_in_the_outbox_before_the_commit(
    admin, org, coordinator, learner, ai_modules, ai_badge
) -> None:
    """In a test transaction nothing commits and no after-commit callback runs: the rows are
    there all the same, so a process dying after the commit cannot lose them."""
    configure(admin, org, "https://lrs.exemple.test/xAPI/", "k", "s")
    credential = issue(coordinator, learner, ai_modules, ai_badge)
    (earned,) = statements("earned")
    assert statements("completed-module") == []  # completions: after commit (documented)
    credential_actions.revoke_credential(
        actor=Actor.of(coordinator), credential=credential, reason="Erreur d'encodage"
    )
    (void,) = statements("voided")
    assert referenced(void) == str(earned.statement_id)


@pytest.mark.django_db
def test_a_failing_outbox_never_fails_the_badge(
    admin, org, coordinator, learner, ai_modules, ai_badge, monkeypatch
) -> None:
    configure(admin, org, "https://lrs.exemple.test/xAPI/", "k", "s")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("LRS outbox broken")

    monkeypatch.setattr(outbox, "build", broken)
    credential = issue(coordinator, learner, ai_modules, ai_badge)
    assert IssuedCredential.objects.filter(pk=credential.pk).exists()
    credential_actions.revoke_credential(
        actor=Actor.of(coordinator), credential=credential, reason="Erreur"
    )
    credential.refresh_from_db()
    assert credential.status == "revoked"
    assert not XapiStatement.objects.exists()


# --- Voiding, read back from Ralph ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
class TestVoiding:
    @pytest.fixture(autouse=True)
    def _lrs(self, ralph: Lrs, admin: User, org: Organisation) -> None:
        configure(admin, org, ralph.endpoint, ralph.username, ralph.password)

    def test_a_presence_corrected_to_absent_is_voided_and_a_new_presence_gets_a_new_id(
        self, ralph: Lrs, make_session, make_learner, trainer: User
    ) -> None:
        session = make_session(days=(3,))
        people = [make_learner(i) for i in range(2)]
        enrolments = [
            enrolment_actions.enrol(actor=Actor.of(p), session=session, learner=p) for p in people
        ]
        slot = session.slots.first()
        roll_call(trainer, slot, absent=[])
        first, second = statements("attended")
        roll_call(trainer, slot, absent=[enrolments[1].pk])  # a correction
        (void,) = statements("voided")
        assert referenced(void) == str(second.statement_id)
        assert void.status == S.SENT
        stored = ralph.by_id(str(void.statement_id))
        assert stored is not None
        assert stored["verb"]["id"] == VOIDED
        assert stored["object"] == {"objectType": "StatementRef", "id": str(second.statement_id)}
        assert ralph.by_id(str(first.statement_id)) is not None
        # The same correction again changes nothing; marked present again: a new statement.
        roll_call(trainer, slot, absent=[enrolments[1].pk])
        assert len(statements("voided")) == 1
        roll_call(trainer, slot, absent=[])
        attended = statements("attended")
        assert len(attended) == 3
        assert attended[2].statement_id not in {first.statement_id, second.statement_id}
        assert ralph.by_id(str(attended[2].statement_id)) is not None

    def test_a_roll_call_corrected_to_all_absent_voids_every_presence(
        self, ralph: Lrs, make_session, make_learner, trainer: User
    ) -> None:
        session = make_session(days=(3,))
        people = [make_learner(i) for i in range(2)]
        enrolments = [
            enrolment_actions.enrol(actor=Actor.of(p), session=session, learner=p) for p in people
        ]
        slot = session.slots.first()
        roll_call(trainer, slot, absent=[])
        roll_call(trainer, slot, absent=[e.pk for e in enrolments])
        voids = statements("voided")
        assert sorted(referenced(v) for v in voids) == sorted(
            str(s.statement_id) for s in statements("attended")
        )
        assert {v.status for v in voids} == {S.SENT}

    def test_a_revoked_badge_voids_its_earned_statement(
        self, ralph: Lrs, coordinator: User, learner: User, ai_modules, ai_badge, ai_pathway
    ) -> None:
        from parcours.credentials.tests.conftest import EARNING, complete

        complete(learner, ai_modules, *EARNING)
        (earned,) = statements("earned")
        credential = IssuedCredential.objects.get(learner=learner)
        credential_actions.revoke_credential(
            actor=Actor.of(coordinator), credential=credential, reason="Erreur d'encodage"
        )
        (void,) = statements("voided")
        assert referenced(void) == str(earned.statement_id)
        assert void.status == S.SENT
        stored = ralph.by_id(str(void.statement_id))
        assert stored is not None
        assert stored["object"] == {"objectType": "StatementRef", "id": str(earned.statement_id)}

    def test_a_presence_marked_by_staff_is_sent(
        self, ralph: Lrs, make_session, make_learner, trainer: User
    ) -> None:
        session = make_session(days=(3,))
        person = make_learner(1)
        enrolment = enrolment_actions.enrol(actor=Actor.of(person), session=session, learner=person)
        slot = session.slots.first()
        enrolment_actions.record_presence(
            actor=Actor.of(trainer),
            enrolment=enrolment,
            slot=slot,
            now=slot.start + dt.timedelta(minutes=5),
        )
        (row,) = statements("attended")
        assert row.status == S.SENT

    def test_nothing_is_voided_for_an_organisation_without_lrs(
        self, make_session, make_learner, trainer: User, org: Organisation
    ) -> None:
        LrsConfig.objects.filter(organisation=org).delete()
        session = make_session(days=(3,))
        person = make_learner(1)
        enrolment = enrolment_actions.enrol(actor=Actor.of(person), session=session, learner=person)
        slot = session.slots.first()
        roll_call(trainer, slot, absent=[])
        roll_call(trainer, slot, absent=[enrolment.pk])
        assert not XapiStatement.objects.exists()


# --- Catching up what a dying process lost ---------------------------------------------------


@pytest.mark.django_db
def test_reconcile_records_the_statements_lost_after_commit(
    admin, org, make_session, make_learner, trainer
) -> None:
    """In a test transaction the after-commit callbacks never run: as if the process died
    right after each commit. The periodic catch-up records the missing statements, once."""
    import io

    from django.core.management import call_command

    from parcours.pathways.actions import record_completion

    configure(admin, org, "https://lrs.exemple.test/xAPI/", "k", "s")
    session = make_session(days=(3,))
    people = [make_learner(i) for i in range(2)]
    enrolments = [
        enrolment_actions.enrol(actor=Actor.of(p), session=session, learner=p) for p in people
    ]
    slot = session.slots.first()
    roll_call(trainer, slot, absent=[enrolments[1].pk])
    record_completion(learner=people[0], module=session.module)
    assert not XapiStatement.objects.exists()
    out = io.StringIO()
    call_command("reconcile_xapi", "--hours", "2", stdout=out)
    assert "added 4" in out.getvalue()  # 2 registered, 1 attended, 1 completed
    assert len(statements("registered")) == 2
    assert len(statements("attended")) == 1
    assert len(statements("completed-module")) == 1
    call_command("reconcile_xapi", stdout=out)
    assert XapiStatement.objects.count() == 4


@pytest.mark.django_db
def test_a_webinar_sized_batch_of_completions_is_recorded_whole(admin, org, ai_modules) -> None:
    """1,200 completions at once (a webinar's participant report): every statement is in the
    outbox. An OR of one condition per completion was refused by SQLite ("Expression tree is
    too large") and the statements were lost."""
    from decimal import Decimal

    from parcours.pathways.models import Completion

    configure(admin, org, "https://lrs.exemple.test/xAPI/", "k", "s")
    module = next(iter(ai_modules.values()))
    people = User.objects.bulk_create(
        User(email=f"participant{i}@webinaire.test", first_name="P", last_name=str(i))
        for i in range(1200)
    )
    Completion.objects.bulk_create(
        Completion(learner=p, module=module, completed_on=dt.date(2026, 11, 3), hours=Decimal(2))
        for p in people
    )
    stored = outbox.record_completions([(p.pk, module.pk) for p in people], [])
    assert stored == 1200
    assert XapiStatement.objects.filter(kind="completed-module").count() == 1200


@pytest.mark.django_db
def test_no_lrs_means_nothing_is_loaded_or_written(org, ai_modules, learner) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert (
            outbox.record_completions([(learner.pk, next(iter(ai_modules.values())).pk)], []) == 0
        )
    reads = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(reads) <= 2, reads  # the modules' organisations, then the LRS look-up
    assert not XapiStatement.objects.exists()
