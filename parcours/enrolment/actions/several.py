"""One person enrolled in several sessions at once (a visitor choosing workshops of an event):
the rules of ``enrol`` for each session, all or nothing, in a constant number of queries
(the transpose of ``bulk.enrol_many``, which enrols many people in one session)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import AuditEntry, User
from parcours.accounts.permissions import Actor
from parcours.accounts.policies import has_verified_email, may_self_enrol
from parcours.enrolment.actions._base import NO_RESTRICTION, S, Source, _refuse
from parcours.enrolment.actions.enrolments import (
    _active_sessions,
    _check_audience,
    _clash_message,
    _is_staff_enrolment,
    _permission_for,
)
from parcours.enrolment.actions.waitlist import _announce_new
from parcours.enrolment.models import Enrolment, Session, SessionSlot
from parcours.enrolment.states import SessionStatus
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import lock_learners

MAX_SESSIONS = 100
Slot = tuple[dt.datetime, dt.datetime]


def _overlap(a: Slot, b: Slot) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _refused(session: Session, exc: ValidationError) -> ValidationError:
    """The refusal, naming the session it is about (``session.code``)."""
    exc.session_id = session.pk  # type: ignore[attr-defined]
    return exc


def enrol_in_sessions(
    *,
    actor: Actor,
    learner: User,
    sessions: Sequence[Session] | Iterable[int],
    source: str = Source.SELF,
    now: dt.datetime | None = None,
    policy_waived: bool = False,
    email_checked: bool = False,
    announce: bool = True,
) -> list[Enrolment]:
    """Enrol ``learner`` in each of ``sessions`` as ``enrol`` would, in one transaction: all
    or nothing (the first refusal raises and nothing is written; the ``ValidationError``
    carries ``session_id``, the session it is about). Each session confirms a seat while there
    is one, else waitlists (a request where the session needs approval and the learner asks).

    The sessions' rows are locked in id order (one query), then the learner's row; the
    learner's other sessions, the chosen sessions' slots, the clashes, the inserts, the seat
    counters and the audit trail are one query each, whatever the number of sessions (a
    session restricted to an audience adds the learner's profile). Two chosen sessions at the
    same time are refused too.

    ``policy_waived``: as for ``enrol``. ``email_checked``: the caller stands for the e-mail
    check (it was just confirmed, or the seats are held pending its confirmation and released
    if it is not: ``events.actions.request_registration``). ``announce=False``: no message now
    (the caller calls ``announce`` later, e.g. once the e-mail is confirmed).
    """
    ids = sorted({s.pk if isinstance(s, Session) else int(s) for s in sessions})
    if not ids:
        return []
    if len(ids) > MAX_SESSIONS:
        raise _refuse(_("%(n)d sessions au plus à la fois.") % {"n": MAX_SESSIONS}, "invalid")
    self_service = actor.user.pk == learner.pk and source in (Source.SELF, Source.API)
    if self_service and not email_checked and not has_verified_email(learner):
        raise _refuse(
            _(
                "Confirmez d'abord votre adresse e-mail : ouvrez le lien que nous vous avons "
                "envoyé."
            ),
            "policy",
        )
    with write_transaction():
        # of=("self",): the session rows only (as ``_lock_session``).
        # The organisations come along only when their sign-up policy is to be read.
        policy = self_service and not policy_waived
        query = Session.objects.select_for_update(of=("self",))
        if policy:
            query = query.select_related("organisation")
        locked = list(query.filter(pk__in=ids).order_by("pk"))
        if len(locked) != len(ids):
            raise _refuse(_("Session introuvable."), "invalid")
        for session in locked:
            _permission_for(actor, session, learner, source)
        if policy:
            checked: set[int] = set()
            for session in locked:
                if session.organisation_id in checked:
                    continue
                allowed, reason = may_self_enrol(learner, session.organisation, email_checked=True)
                if not allowed:
                    raise _refuse(reason, "policy")
                checked.add(session.organisation_id)
        now = now or timezone.now()
        lock_learners([learner.pk])
        staff = _is_staff_enrolment(actor, learner, source)
        active = _active_sessions(learner.pk)
        for session in locked:
            _check_open(session, staff=staff, now=now, active=active)
        _check_clashes(locked, active, own=learner.pk == actor.user.pk)
        for session in locked:
            if session.audience not in NO_RESTRICTION:
                try:
                    _check_audience(session, learner, "", vouched=learner.pk != actor.user.pk)
                except ValidationError as exc:
                    raise _refused(session, exc) from exc
        rows: list[Enrolment] = []
        seats: dict[int, int] = {}
        for session in locked:
            if session.requires_approval and not staff:
                status = S.REQUESTED
            elif session.seats_taken < session.capacity:
                status = S.CONFIRMED
                session.seats_taken += 1
                seats[session.pk] = session.seats_taken
            else:
                status = S.WAITLISTED
            rows.append(
                Enrolment(
                    session=session,
                    learner=learner,
                    status=status,
                    source=source,
                    requested_by=actor.user,
                    queued_at=now,
                    confirmed_at=now if status == S.CONFIRMED else None,
                )
            )
        created = Enrolment.objects.bulk_create(rows)
        if seats:
            Session.objects.filter(pk__in=list(seats)).update(
                seats_taken=Case(
                    *(When(pk=pk, then=Value(n)) for pk, n in seats.items()),
                    output_field=IntegerField(),
                )
            )
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    action="enrolment.create",
                    actor=actor.user if actor.user.is_authenticated else None,
                    organisation_id=enrolment.session.organisation_id,
                    object_type=enrolment._meta.label_lower,
                    object_id=str(enrolment.pk),
                    object_repr=str(enrolment)[:300],
                    changes={"learner": learner.pk, "status": enrolment.status, "source": source},
                )
                for enrolment in created
            ]
        )
        if announce:
            for enrolment in created:
                _announce_new(enrolment)
    return created


def announce(enrolments: Iterable[Enrolment]) -> None:
    """Inside the caller's transaction: send, after commit, the usual message of each of these
    enrolments (confirmed, waitlisted with its place, requested) as ``enrol`` does: for
    enrolments made with ``announce=False``. The caller passes them with their current
    status (read under the session's lock or in the same transaction)."""
    for enrolment in enrolments:
        _announce_new(enrolment)


def _check_open(session: Session, *, staff: bool, now: dt.datetime, active: dict[int, str]) -> None:
    """``enrol``'s checks of one session that need no query."""
    if session.status == SessionStatus.CANCELLED:
        raise _refused(session, _refuse(_("Cette session est annulée."), "closed"))
    if session.ends_at and session.ends_at <= now:
        raise _refused(session, _refuse(_("Cette session est terminée."), "closed"))
    if not staff and not session.enrolment_is_open(now):
        raise _refused(
            session,
            _refuse(_("Les inscriptions à cette session ne sont pas ouvertes."), "closed"),
        )
    if session.pk in active:
        raise _refused(
            session,
            _refuse(_("Cette personne est déjà inscrite à cette session."), "duplicate"),
        )


def _check_clashes(locked: list[Session], active: dict[int, str], *, own: bool) -> None:
    """Two chosen sessions at the same time, or a chosen one at the same time as another
    session the learner is active in (not cancelled): two queries at most."""
    ids = [s.pk for s in locked]
    by_id = {s.pk: s for s in locked}
    mine: list[tuple[int, Slot]] = [
        (session_id, (start, end))
        for session_id, start, end in SessionSlot.objects.filter(session_id__in=ids)
        .order_by("start")
        .values_list("session_id", "start", "end")
    ]
    for i, (a_id, a) in enumerate(mine):
        for b_id, b in mine[i + 1 :]:
            if b[0] >= a[1]:
                break
            if a_id != b_id and _overlap(a, b):
                first, second = by_id[min(a_id, b_id)], by_id[max(a_id, b_id)]
                raise _refused(
                    second,
                    _refuse(
                        _("Les sessions %(a)s et %(b)s ont lieu en même temps.")
                        % {"a": first.code, "b": second.code},
                        "overlap",
                    ),
                )
    others = [
        pk for pk, status in active.items() if pk not in by_id and status != SessionStatus.CANCELLED
    ]
    if not others or not mine:
        return
    chosen = SessionSlot.objects.filter(
        session_id__in=ids, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clash = (
        SessionSlot.objects.filter(session_id__in=others)
        .filter(Exists(chosen))
        .select_related("session")
        .first()
    )
    if clash is None:
        return
    session = next(by_id[sid] for sid, slot in mine if _overlap(slot, (clash.start, clash.end)))
    raise _refused(session, _refuse(_clash_message(clash.session, session, own=own), "overlap"))
