"""Pre-aggregated facts: what the training figures need, per session and local day, exact.

Two tables (``models.LearnerDayFact``, ``models.SessionDayFact``) hold, for each session and
each Brussels day on which it has slots, the per-learner roll-call counts (marks, present
marks, present seconds, with the learner's declared profile) and the session's own figures
(cancelled, places, seat-holding enrolments, first slot). A year of an organisation is then a
few rows per enrolment instead of its marks, slots and enrolments; distinct people are still
counted as distinct learner ids, so every figure stays exact.

Freshness: database triggers (migration 0005) mark a session dirty (``DirtySession``, with a
version) in the very transaction that changes its attendance marks, enrolments, slots, the
session itself, or a learner profile of one of its learners (erasure included). No write path
can forget it. :func:`refresh` (called by ``build_report`` before reading) rebuilds the dirty
sessions of the organisations asked for, under a lock row (two readers never rebuild the same
sessions), and removes a dirty mark only if its version is still the one it read: a write that
commits during the rebuild leaves the session dirty for the next read.

A session is the unit (not an organisation-month): a roll call re-reads one session's rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.lib import dates
from parcours.reporting.models import (
    DirtySession,
    FactLock,
    FactMonth,
    LearnerDayFact,
    RawChange,
    SessionDayFact,
    WaitlistFact,
)

CHUNK = 2_000  # sessions rebuilt per transaction


def _pending(organisation_ids: Sequence[int] | None, limit: int) -> list[tuple[int, int]]:
    qs = DirtySession.objects.all()
    if organisation_ids is not None:
        qs = qs.filter(
            Q(organisation_id__in=list(organisation_ids)) | Q(organisation_id__isnull=True)
        )
    return list(qs.order_by("session_id").values_list("session_id", "version")[:limit])


def refresh(organisation_ids: Sequence[int] | None = None) -> int:
    """Rebuild the dirty sessions of the organisations (every one when ``None``); returns how
    many sessions were rebuilt. Cheap when nothing is dirty (one indexed query)."""
    rebuilt = 0
    while _pending(organisation_ids, 1):
        with transaction.atomic():
            # Take the lock row first (SQLite: the write lock; PostgreSQL: the row lock), then
            # read what is dirty: a reader that waited here finds the work done.
            if not FactLock.objects.filter(pk=1).update(turns=F("turns") + 1):
                FactLock.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
            pending = _pending(organisation_ids, CHUNK)
            if not pending:
                break
            rebuild([sid for sid, _version in pending])
            by_version: dict[int, list[int]] = defaultdict(list)
            for sid, version in pending:
                by_version[version].append(sid)
            for version, sids in by_version.items():
                DirtySession.objects.filter(session_id__in=sids, version=version).delete()
            rebuilt += len(pending)
    return rebuilt


def generation() -> str:
    """A token that changes whenever every fact was rebuilt (``rebuild_all``; random, so a
    rolled-back rebuild's token is never reused). Per month: :func:`month_tokens`."""
    return FactLock.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def month_tokens(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> dict[tuple[int, int], str]:
    """(organisation, month) -> the token renewed by every rebuild that changed facts of that
    month, for the months from ``first`` to ``last`` (a month never rebuilt has none)."""
    return {
        (org, month): token
        for org, month, token in FactMonth.objects.filter(
            organisation_id__in=list(organisation_ids),
            month__gte=month_key(first),
            month__lte=month_key(last),
        ).values_list("organisation_id", "month", "token")
    }


def scope_token(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> str:
    """One token for the facts of these organisations between two days: it changes when any
    of their months in that range was rebuilt, or when every fact was."""
    tokens = month_tokens(organisation_ids, first, last)
    parts = [generation(), *(f"{o}:{m}:{t}" for (o, m), t in sorted(tokens.items()))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _months_of(session_ids: Sequence[int]) -> set[tuple[int, int]]:
    """The (organisation, month) pairs the facts of these sessions fall in."""
    found: set[tuple[int, int]] = set()
    for model in (SessionDayFact, WaitlistFact):
        for lo in range(0, len(session_ids), 5_000):
            for org, day in (
                model.objects.filter(session_id__in=session_ids[lo : lo + 5_000])
                .values_list("organisation_id", "day")
                .distinct()
            ):
                found.add((org, month_key(day)))
    return found


def _renew_months(pairs: Iterable[tuple[int, int]]) -> None:
    """New tokens for these (organisation, month) pairs (in key order: two rebuilders lock
    the rows in the same order)."""
    FactMonth.objects.bulk_create(
        [
            FactMonth(organisation_id=org, month=month, token=uuid.uuid4().hex)
            for org, month in sorted(set(pairs))
        ],
        batch_size=1_000,
        update_conflicts=True,
        unique_fields=["organisation_id", "month"],
        update_fields=["token"],
    )


def raw_generation() -> str:
    """A token that changes whenever a row the room occupancy reads changed (``RawChange``
    rows, written by triggers): the marks seen are removed (if still at the version seen) and
    the token renewed, under the lock row."""
    if RawChange.objects.exists():
        with transaction.atomic():
            token = uuid.uuid4().hex
            if not FactLock.objects.filter(pk=1).update(raw_token=token):
                FactLock.objects.update_or_create(pk=1, defaults={"raw_token": token})
            seen = list(RawChange.objects.values_list("pk", "version"))
            by_version: dict[int, list[int]] = defaultdict(list)
            for pk, version in seen:
                by_version[version].append(pk)
            for version, pks in by_version.items():
                for lo in range(0, len(pks), 10_000):
                    RawChange.objects.filter(pk__in=pks[lo : lo + 10_000], version=version).delete()
    return FactLock.objects.filter(pk=1).values_list("raw_token", flat=True).first() or ""


def _local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(dates.platform_zone()).date()


def rebuild(session_ids: Iterable[int]) -> None:
    """Recompute the facts of these sessions from the raw rows (inside the caller's
    transaction). A session that no longer exists loses its facts."""
    ids = sorted(set(session_ids))
    touched = _months_of(ids)
    _rebuild(ids)
    _renew_months(touched | _months_of(ids))


def _rebuild(ids: list[int]) -> None:
    LearnerDayFact.objects.filter(session_id__in=ids).delete()
    SessionDayFact.objects.filter(session_id__in=ids).delete()
    WaitlistFact.objects.filter(session_id__in=ids).delete()
    sessions = {
        row[0]: row
        for row in Session.objects.filter(pk__in=ids).values_list(
            "pk", "organisation_id", "site_id", "module_id", "status", "capacity", "starts_at"
        )
    }
    if not sessions:
        return
    # Waiting lists of the sessions not cancelled, dated on the session's start.
    waiting = (
        Enrolment.objects.filter(
            session_id__in=[
                sid
                for sid, row in sessions.items()
                if row[4] != SessionStatus.CANCELLED and row[6] is not None
            ],
            status=EnrolmentStatus.WAITLISTED,
        )
        .values_list("session_id", "learner_id")
        .distinct()
    )
    WaitlistFact.objects.bulk_create(
        (
            WaitlistFact(
                organisation_id=sessions[sid][1],
                session_id=sid,
                learner_id=learner,
                day=_local_day(sessions[sid][6]),
                site_id=sessions[sid][2],
                module_id=sessions[sid][3],
            )
            for sid, learner in waiting
        ),
        batch_size=2_000,
    )
    # Slots: their local day and length.
    slot_day: dict[int, tuple[int, dt.date, int]] = {}
    first_start: dict[tuple[int, dt.date], dt.datetime] = {}
    for pk, session_id, start, end in SessionSlot.objects.filter(
        session_id__in=list(sessions)
    ).values_list("pk", "session_id", "start", "end"):
        day = _local_day(start)
        slot_day[pk] = (session_id, day, int((end - start).total_seconds()))
        key = (session_id, day)
        if key not in first_start or start < first_start[key]:
            first_start[key] = start
    seats = dict(
        Enrolment.objects.filter(session_id__in=list(sessions), status__in=sorted(SEAT_HOLDING))
        .values("session_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("session_id", "n")
    )
    SessionDayFact.objects.bulk_create(
        (
            SessionDayFact(
                organisation_id=sessions[sid][1],
                session_id=sid,
                day=day,
                site_id=sessions[sid][2],
                module_id=sessions[sid][3],
                cancelled=sessions[sid][4] == SessionStatus.CANCELLED,
                capacity=sessions[sid][5],
                seats=seats.get(sid, 0),
                first_start=start,
            )
            for (sid, day), start in first_start.items()
        ),
        batch_size=2_000,
    )
    # Marks of seat-holding enrolments in sessions not cancelled, summed per learner and day.
    held = [sid for sid, row in sessions.items() if row[4] != SessionStatus.CANCELLED]
    counts: dict[tuple[int, int, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    marks = Attendance.objects.filter(
        enrolment__session_id__in=held, enrolment__status__in=sorted(SEAT_HOLDING)
    ).values_list("slot_id", "enrolment__learner_id", "present")
    for slot_id, learner_id, present in marks.iterator(chunk_size=20_000):
        found = slot_day.get(slot_id)
        if found is None:  # pragma: no cover - a mark's slot is its session's
            continue
        session_id, day, seconds = found
        row = counts[(session_id, learner_id, day)]
        row[0] += 1
        if present:
            row[1] += 1
            row[2] += seconds
    learners = {learner for _sid, learner, _day in counts}
    profiles = {
        row[0]: row[1:]
        for row in LearnerProfile.objects.filter(user_id__in=list(learners)).values_list(
            "user_id", "audience", "school_year", "gender", "birth_year", "age_band"
        )
    }
    blank = ("", "", "", None, "")
    LearnerDayFact.objects.bulk_create(
        (
            LearnerDayFact(
                organisation_id=sessions[sid][1],
                session_id=sid,
                learner_id=learner,
                day=day,
                month=day.year * 100 + day.month,
                site_id=sessions[sid][2],
                module_id=sessions[sid][3],
                marks=n_marks,
                present=n_present,
                present_seconds=seconds,
                audience=(profile := profiles.get(learner, blank))[0] or "",
                school_year=profile[1] or "",
                gender=profile[2] or "",
                birth_year=profile[3],
                age_band=profile[4] or "",
            )
            for (sid, learner, day), (n_marks, n_present, seconds) in counts.items()
        ),
        batch_size=2_000,
    )


# --- Everything at once, set-based (after a bulk import) --------------------------------------

LARGE = 2_000  # dirty sessions a read rebuilds itself; more are left to the background task
QUEUED_KEY = "reporting:facts:refresh-queued"


def rebuilding() -> bool:
    """Whether ``rebuild_all`` is running (its flag is committed before it starts)."""
    return FactLock.objects.filter(pk=1, rebuilding_since__isnull=False).exists()


def _set_flag(value: dt.datetime | None) -> None:
    with transaction.atomic():
        if not FactLock.objects.filter(pk=1).update(rebuilding_since=value):
            FactLock.objects.create(pk=1, token=uuid.uuid4().hex, rebuilding_since=value)


def prepare(organisation_ids: Sequence[int]) -> bool:
    """Before a read: bring the organisations' facts up to date and return True, unless that
    would keep the reader waiting — every fact being rebuilt (``rebuild_all``), or more than
    ``LARGE`` dirty sessions (a bulk import with the triggers on): then the background task
    is queued (once in five minutes), the facts are read as they are, and False says the
    figures are being recalculated."""
    if rebuilding():
        return False
    dirty = DirtySession.objects.filter(
        Q(organisation_id__in=list(organisation_ids)) | Q(organisation_id__isnull=True)
    )
    pending = len(dirty.values_list("session_id", flat=True)[: LARGE + 1])
    if not pending:
        return True
    if pending > LARGE:
        from django.core.cache import cache

        from parcours.reporting import tasks

        if cache.add(QUEUED_KEY, True, 300):
            transaction.on_commit(lambda: tasks.refresh_facts.enqueue(False))
        return False
    refresh(organisation_ids)
    return True


@functools.lru_cache(maxsize=65_536)
def _sqlite_local_day(value: str | None) -> str | None:
    if value is None:
        return None
    instant = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return _local_day(instant).isoformat()


def _sqlite_seconds(start: str | None, end: str | None) -> int | None:
    if start is None or end is None:
        return None
    return int((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds())


def _sql_functions(cursor: Any) -> dict[str, str]:
    """SQL expressions for a UTC instant's Brussels day, a slot's whole seconds and a day's
    month (``{}`` placeholders), the same as the Python rebuild computes them."""
    if connection.vendor == "postgresql":
        zone = dates.platform_zone().key.replace("'", "")
        return {
            "day": f"(({{}}) AT TIME ZONE '{zone}')::date",
            "seconds": "TRUNC(EXTRACT(EPOCH FROM ({1}) - ({0})))::bigint",
            "month": "(EXTRACT(YEAR FROM {0}) * 100 + EXTRACT(MONTH FROM {0}))::integer",
        }
    raw = connection.connection
    raw.create_function("parcours_local_day", 1, _sqlite_local_day, deterministic=True)
    raw.create_function("parcours_seconds", 2, _sqlite_seconds, deterministic=True)
    return {
        "day": "parcours_local_day({})",
        "seconds": "parcours_seconds({0}, {1})",
        "month": "CAST(strftime('%Y%m', {0}) AS INTEGER)",
    }


def _rebuild_everything(cursor: Any) -> int:
    """Replace every fact with ``INSERT … SELECT … GROUP BY`` statements (one per table)."""
    sql = _sql_functions(cursor)
    postgres = connection.vendor == "postgresql"
    seat = sorted(SEAT_HOLDING)
    seat_marks = ", ".join(["%s"] * len(seat))
    cancelled = SessionStatus.CANCELLED.value
    for table in (LearnerDayFact, SessionDayFact, WaitlistFact):
        cursor.execute(f"DELETE FROM {table._meta.db_table}")  # noqa: S608 - our own names
    cursor.execute("DROP TABLE IF EXISTS rep_slotday")
    day = sql["day"].format('"start"')
    cursor.execute(
        f"CREATE TEMP TABLE rep_slotday {'ON COMMIT DROP' if postgres else ''} AS "  # noqa: S608
        f'SELECT id, session_id, "start", {day} AS day, '
        f"{sql['seconds'].format(chr(34) + 'start' + chr(34), chr(34) + 'end' + chr(34))} "
        "AS seconds FROM enrolment_sessionslot"
    )
    cursor.execute("ALTER TABLE rep_slotday ADD COLUMN month integer")
    cursor.execute(f"UPDATE rep_slotday SET month = {sql['month'].format('day')}")  # noqa: S608
    cursor.execute("CREATE INDEX rep_slotday_id ON rep_slotday (id)")
    if postgres:
        cursor.execute("ANALYZE rep_slotday")
    cursor.execute(
        f"INSERT INTO {LearnerDayFact._meta.db_table} (organisation_id, session_id, "  # noqa: S608
        "learner_id, day, month, site_id, module_id, marks, present, present_seconds, "
        "audience, school_year, gender, birth_year, age_band) "
        "SELECT s.organisation_id, s.id, e.learner_id, sd.day, sd.month, s.site_id, "
        "s.module_id, COUNT(*), SUM(CASE WHEN a.present THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.present THEN sd.seconds ELSE 0 END), COALESCE(p.audience, ''), "
        "COALESCE(p.school_year, ''), COALESCE(p.gender, ''), p.birth_year, "
        "COALESCE(p.age_band, '') "
        "FROM enrolment_attendance a "
        "JOIN rep_slotday sd ON sd.id = a.slot_id "
        "JOIN enrolment_enrolment e ON e.id = a.enrolment_id "
        "JOIN enrolment_session s ON s.id = e.session_id "
        "LEFT JOIN enrolment_learnerprofile p ON p.user_id = e.learner_id "
        f"WHERE s.status <> %s AND e.status IN ({seat_marks}) "
        "GROUP BY s.id, e.learner_id, sd.day, sd.month, p.id",
        [cancelled, *seat],
    )
    cursor.execute(
        f"INSERT INTO {SessionDayFact._meta.db_table} (organisation_id, session_id, day, "  # noqa: S608
        "site_id, module_id, cancelled, capacity, seats, first_start) "
        "SELECT s.organisation_id, s.id, sd.day, s.site_id, s.module_id, s.status = %s, "
        "s.capacity, COALESCE(n.seats, 0), MIN(sd.start) "
        "FROM rep_slotday sd JOIN enrolment_session s ON s.id = sd.session_id "
        "LEFT JOIN (SELECT session_id, COUNT(*) AS seats FROM enrolment_enrolment "
        f"WHERE status IN ({seat_marks}) GROUP BY session_id) n ON n.session_id = s.id "
        "GROUP BY s.id, sd.day, n.seats",
        [cancelled, *seat],
    )
    cursor.execute(
        f"INSERT INTO {WaitlistFact._meta.db_table} (organisation_id, session_id, "  # noqa: S608
        "learner_id, day, site_id, module_id) "
        f"SELECT s.organisation_id, s.id, e.learner_id, {sql['day'].format('s.starts_at')}, "
        "s.site_id, s.module_id FROM enrolment_enrolment e "
        "JOIN enrolment_session s ON s.id = e.session_id "
        "WHERE e.status = %s AND s.status <> %s AND s.starts_at IS NOT NULL "
        "GROUP BY s.id, e.learner_id",
        [EnrolmentStatus.WAITLISTED.value, cancelled],
    )
    cursor.execute("DROP TABLE IF EXISTS rep_slotday")
    cursor.execute("SELECT COUNT(*) FROM enrolment_session")
    return int(cursor.fetchone()[0])


def rebuild_all() -> int:
    """Rebuild every fact from the raw rows, set-based (after a bulk import:
    ``manage.py reporting_rebuild`` or the background task), and put back the triggers if
    they were suspended. Returns the number of sessions.

    While it runs, reads do not wait for it: ``prepare`` sees the committed flag and pages
    show the facts as they were, saying they are being recalculated. A write committed
    during the rebuild keeps its session dirty (only the dirty marks seen at the start, at
    the version seen, are removed): the next read rebuilds it."""
    from parcours.reporting import triggers

    triggers.ensure()
    outer = connection.in_atomic_block
    if not outer:
        _set_flag(timezone.now())
    try:
        with transaction.atomic():
            if not FactLock.objects.filter(pk=1).update(turns=F("turns") + 1):
                FactLock.objects.create(pk=1, token="")
            seen = list(DirtySession.objects.values_list("session_id", "version"))
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":  # this connection: a big cache for a while
                    cursor.execute("PRAGMA cache_size")
                    cache_size = cursor.fetchone()[0]
                    cursor.execute("PRAGMA cache_size = -524288")  # 512 MB
                try:
                    total = _rebuild_everything(cursor)
                finally:
                    if connection.vendor == "sqlite":
                        cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            by_version: dict[int, list[int]] = defaultdict(list)
            for sid, version in seen:
                by_version[version].append(sid)
            for version, sids in by_version.items():
                for lo in range(0, len(sids), 5_000):
                    DirtySession.objects.filter(
                        session_id__in=sids[lo : lo + 5_000], version=version
                    ).delete()
            FactLock.objects.filter(pk=1).update(token=uuid.uuid4().hex)
    finally:
        if not outer:
            _set_flag(None)
    return total
