"""The pre-aggregated facts: marked dirty by the database in the writing transaction, rebuilt on
read, a write during a rebuild not lost; erasure re-reads the profile."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.models import Site, User
from parcours.catalogue.models import Module
from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import SessionStatus
from parcours.lib.dates import platform_zone
from parcours.reporting import facts, partials, triggers
from parcours.reporting.figures import build_report
from parcours.reporting.models import DirtySession, LearnerDayFact
from parcours.reporting.periods import Filters, Period
from parcours.reporting.tests.conftest import day_slots

pytestmark = pytest.mark.django_db
YEAR = Period.calendar_year(2025)


def _session(org: Any) -> tuple[Session, SessionSlot]:
    site = Site.objects.create(organisation=org, slug="f", name="Site", city="Mons")
    module = Module.objects.create(
        organisation=org, code="F1", title_fr="F1", duration_hours=Decimal(3)
    )
    start = dt.datetime(2025, 3, 4, 9, tzinfo=platform_zone())
    session = Session.objects.create(
        organisation=org,
        module=module,
        code="F",
        site=site,
        capacity=10,
        status=SessionStatus.PUBLISHED,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    slot = SessionSlot.objects.create(
        session=session, start=start, end=start + dt.timedelta(hours=3)
    )
    return session, slot


def _learner(session: Session, slot: SessionSlot, n: int, present: bool = True) -> User:
    user = User.objects.create(email=f"f{n}@test.invalid")
    enrolment = Enrolment.objects.create(
        session=session, learner=user, status="confirmed", source="coordinator"
    )
    Attendance.objects.create(slot=slot, enrolment=enrolment, present=present, method="trainer")
    return user


def test_the_enrolment_actions_mark_the_session_dirty_and_the_next_read_sees_them(
    org, make_session, make_learner, enrol, roll_call
) -> None:
    session = make_session(slots=day_slots(dt.date(2025, 3, 4)))
    first = enrol(session, make_learner(1))
    roll_call(session)
    assert DirtySession.objects.filter(session_id=session.pk).exists()
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 1
    assert not DirtySession.objects.exists()  # rebuilt and cleaned
    assert LearnerDayFact.objects.filter(session_id=session.pk).count() == 1

    # A second learner and a new roll call after the facts were built (and cached).
    enrol(session, make_learner(2))
    roll_call(session, absent=(first,))
    assert DirtySession.objects.filter(session_id=session.pk).exists()
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("training.people") == 1  # the first one is now absent
    assert report.value("training.attendance_rate") == Decimal("50.0")


def test_a_write_during_a_rebuild_leaves_the_session_dirty(org, monkeypatch) -> None:
    session, slot = _session(org)
    _learner(session, slot, 1)
    real = facts.rebuild
    calls = []

    def rebuild_then_write(ids: Any) -> None:
        real(ids)
        calls.append(ids)
        if len(calls) == 1:
            # Another roll call landing between the rebuild's read and its end (on PostgreSQL
            # it waits on the dirty row and bumps its version; here it runs inline).
            _learner(session, slot, 2)

    monkeypatch.setattr(facts, "rebuild", rebuild_then_write)
    facts.refresh([org.pk])
    # The first pass could not clear the mark (its version moved): a second pass rebuilt.
    assert calls == [[session.pk], [session.pk]]
    monkeypatch.setattr(facts, "rebuild", real)
    assert not DirtySession.objects.exists()
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 2


def test_erasure_and_profile_changes_reach_the_facts(org) -> None:
    session, slot = _session(org)
    user = _learner(session, slot, 1)
    LearnerProfile.objects.create(user=user, gender="female", birth_year=1980)
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("people.women") == 1
    # What privacy.erase_person does to the profile (privacy is reporting's sibling layer: its
    # own tests run the action; any update of the row marks the sessions dirty).
    LearnerProfile.objects.filter(user=user).update(
        gender="", birth_year=None, age_band="", school_year=""
    )
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("people.women") == 0
    assert report.value("people.gender_not_said") == 1
    assert report.value("training.people") == 1  # still counted, anonymously


def test_a_cancelled_session_and_a_deleted_one_leave_the_facts(org) -> None:
    session, slot = _session(org)
    _learner(session, slot, 1)
    assert build_report([org.pk], YEAR, Filters()).value("training.sessions_held") == 1
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("training.people") == 0
    assert report.value("training.sessions_cancelled") == 1
    session.delete()
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("training.sessions_cancelled") == 0
    assert not LearnerDayFact.objects.exists()


def test_rebuild_all_repairs_the_facts(org) -> None:
    session, slot = _session(org)
    _learner(session, slot, 1)
    facts.refresh(None)
    LearnerDayFact.objects.all().delete()  # damaged by hand
    assert facts.rebuild_all() == 1
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_and_a_writer_during_a_rebuild(org, monkeypatch) -> None:
    """PostgreSQL, real threads: a roll call committed while a reader rebuilds waits on the
    dirty row, bumps its version and stays dirty; a second reader waits on the lock row and
    does not rebuild again what the first one rebuilt."""
    import threading

    from django.db import connection

    session, slot = _session(org)
    _learner(session, slot, 1)
    real = facts.rebuild
    inside, written = threading.Event(), threading.Event()
    calls: list[list[int]] = []

    def slow_rebuild(ids: Any) -> None:
        real(ids)
        calls.append(list(ids))
        if len(calls) == 1:
            inside.set()
            written.wait(timeout=1)  # the writer blocks on the dirty row: it cannot finish

    monkeypatch.setattr(facts, "rebuild", slow_rebuild)

    def reader() -> None:
        try:
            facts.refresh([org.pk])
        finally:
            connection.close()

    def writer() -> None:
        try:
            inside.wait(timeout=10)
            _learner(session, slot, 2)  # commits once the first reader has committed
            written.set()
        finally:
            connection.close()

    def second_reader() -> None:
        try:
            inside.wait(timeout=10)
            facts.refresh([org.pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (reader, writer, second_reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.setattr(facts, "rebuild", real)
    # Whatever the order after the first rebuild, the second learner is never lost: either a
    # reader rebuilt after the write committed, or the session is still dirty.
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("training.people") == 2
    assert not DirtySession.objects.exists()
    # The second reader waited for the first and found its work done: at most one more
    # rebuild happened, the one the write made necessary (none if it committed too late).
    assert len(calls) in (1, 2)


def test_triggers_dropped_by_a_table_rebuild_are_put_back(org) -> None:
    """SQLite rebuilds a table to alter it, dropping its triggers: after migrate, ensure()
    recreates them and marks every session dirty (writes may have gone unnoticed)."""
    from django.db import connection

    from parcours.reporting import triggers

    assert triggers.missing() == []
    session, slot = _session(org)
    facts.refresh(None)
    name = "reporting_dirty_attendance_insert"
    drop = triggers.expected()[name][1]
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    assert triggers.missing() == [name]
    _learner(session, slot, 1)  # unnoticed: no trigger
    assert triggers.ensure() == [name]
    assert triggers.missing() == []
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 1


def test_a_roll_call_re_reads_only_its_own_month_of_its_own_organisation(
    org, other_org, monkeypatch
) -> None:
    """Per-(organisation, month) partials: after a write in March of one organisation, the
    next reads compute March of that organisation again, nothing else, and see the write."""
    session, slot = _session(org)
    _learner(session, slot, 1)
    other_session, other_slot = _session(other_org)
    _learner(other_session, other_slot, 2)
    build_report([org.pk], YEAR, Filters())
    build_report([org.pk, other_org.pk], YEAR, Filters())
    computed: list[tuple[int, dt.date]] = []
    real = partials._compute

    def counting(org_id: int, first: dt.date, *rest: Any) -> Any:
        computed.append((org_id, first))
        return real(org_id, first, *rest)

    monkeypatch.setattr(partials, "_compute", counting)
    _learner(session, slot, 3)
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 2
    assert computed == [(org.pk, dt.date(2025, 3, 1))]
    assert build_report([org.pk, other_org.pk], YEAR, Filters()).value("training.people") == 3
    assert computed == [(org.pk, dt.date(2025, 3, 1))]  # the network reuses both months


def test_a_person_trained_in_two_months_and_two_organisations_counts_once(org, other_org) -> None:
    session, slot = _session(org)
    person = _learner(session, slot, 1)
    later = dt.datetime(2025, 9, 2, 9, tzinfo=platform_zone())
    other_session, _slot = _session(other_org)
    september = SessionSlot.objects.create(
        session=other_session, start=later, end=later + dt.timedelta(hours=2)
    )
    enrolment = Enrolment.objects.create(
        session=other_session, learner=person, status="confirmed", source="coordinator"
    )
    Attendance.objects.create(slot=september, enrolment=enrolment, present=True, method="trainer")
    report = build_report([org.pk, other_org.pk], YEAR, Filters())
    assert report.value("training.people") == 1
    months = {row[0]: row[1] for row in report.table("training.by_month").rows}  # type: ignore[union-attr]
    assert months["2025-03"] == 1 and months["2025-09"] == 1


def test_many_dirty_sessions_are_left_to_the_background_task_and_the_page_says_so(
    org, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A bulk import with the triggers on leaves more dirty sessions than a read rebuilds: the
    read queues the rebuild (tasks run inline in tests) and reports the figures as
    recalculating instead of rebuilding everything itself."""
    session, slot = _session(org)
    _learner(session, slot, 1)
    monkeypatch.setattr(facts, "LARGE", 0)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        report = build_report([org.pk], YEAR, Filters())
    assert report.recalculating
    assert report.value("training.people") == 0  # the facts as they were
    assert DirtySession.objects.exists() and len(queued) == 1
    queued[0]()  # the background task (inline here) rebuilds the dirty sessions
    assert not DirtySession.objects.exists()
    monkeypatch.setattr(facts, "LARGE", 2_000)
    report = build_report([org.pk], YEAR, Filters())
    assert not report.recalculating and report.value("training.people") == 1


def test_while_every_fact_is_rebuilt_reads_do_not_wait(org) -> None:
    session, slot = _session(org)
    _learner(session, slot, 1)
    build_report([org.pk], YEAR, Filters())
    facts._set_flag(timezone.now())
    _learner(session, slot, 2)
    report = build_report([org.pk], YEAR, Filters())
    assert report.recalculating and report.value("training.people") == 1
    facts._set_flag(None)
    assert build_report([org.pk], YEAR, Filters()).value("training.people") == 2


def test_the_bulk_import_path_suspended_triggers_then_one_rebuild(org) -> None:
    """``reporting_rebuild --suspend-triggers``, rows written without any trigger, then
    ``reporting_rebuild``: triggers back, the facts exact, nothing left dirty."""
    call_command("reporting_rebuild", "--suspend-triggers", stdout=io.StringIO())
    assert triggers.missing()
    session, slot = _session(org)
    _learner(session, slot, 1)
    _learner(session, slot, 2, present=False)
    assert not DirtySession.objects.exists()  # no trigger fired
    out = io.StringIO()
    call_command("reporting_rebuild", stdout=out)
    assert "Facts of 1 sessions rebuilt" in out.getvalue()
    assert not triggers.missing()
    assert not DirtySession.objects.exists()
    report = build_report([org.pk], YEAR, Filters())
    assert report.value("training.people") == 1
    assert report.value("training.attendance_rate") == Decimal("50.0")
    _learner(session, slot, 3)  # the triggers fire again
    assert DirtySession.objects.filter(session_id=session.pk).exists()


def test_the_periodic_job_rebuilds_the_dirty_sessions(org) -> None:
    from parcours.lib import periodic

    job = periodic.job("reporting.refresh_facts")
    session, slot = _session(org)
    _learner(session, slot, 1)
    assert DirtySession.objects.exists()
    out = io.StringIO()
    call_command(job.command, *job.args, stdout=out)
    assert "Facts of 1 dirty sessions rebuilt" in out.getvalue()
    assert not DirtySession.objects.exists()
    assert LearnerDayFact.objects.filter(session_id=session.pk).count() == 1
