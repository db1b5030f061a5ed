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
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Count, F, Q

from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.lib import dates
from parcours.reporting.models import (
    DirtySession,
    FactLock,
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
            token = uuid.uuid4().hex
            if not FactLock.objects.filter(pk=1).update(turns=F("turns") + 1, token=token):
                FactLock.objects.update_or_create(pk=1, defaults={"token": token})
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
    """A token that changes whenever facts were rebuilt (random, so a rolled-back rebuild's
    token is never reused)."""
    return FactLock.objects.filter(pk=1).values_list("token", flat=True).first() or ""


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


def rebuild_all() -> int:
    """Mark every session dirty and rebuild (a repair tool: ``manage.py reporting_facts``)."""
    with transaction.atomic():
        existing = set(DirtySession.objects.values_list("session_id", flat=True))
        DirtySession.objects.bulk_create(
            (
                DirtySession(session_id=pk, organisation_id=org)
                for pk, org in Session.objects.values_list("pk", "organisation_id")
                if pk not in existing
            ),
            batch_size=5_000,
        )
        stale = set(LearnerDayFact.objects.values_list("session_id", flat=True).distinct())
        stale |= set(SessionDayFact.objects.values_list("session_id", flat=True).distinct())
        stale |= set(WaitlistFact.objects.values_list("session_id", flat=True).distinct())
        gone = stale - set(Session.objects.values_list("pk", flat=True))
        LearnerDayFact.objects.filter(session_id__in=gone).delete()
        SessionDayFact.objects.filter(session_id__in=gone).delete()
        WaitlistFact.objects.filter(session_id__in=gone).delete()
    return refresh(None)
