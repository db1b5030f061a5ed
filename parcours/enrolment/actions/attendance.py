"""Attendance: the trainer's roll call and the learner's QR check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.enrolment import checkin, signals
from parcours.enrolment.actions._base import (
    ATTENDANCE_RELATED,
    CHECKIN_EARLY,
    Marks,
    _lock_session,
    _on_commit,
    _refuse,
    _require_attendance_taker,
)
from parcours.enrolment.actions.completion import _evaluate, _schedule_completion
from parcours.enrolment.models import (
    Attendance,
    Enrolment,
    Session,
    SessionSlot,
)
from parcours.enrolment.states import (
    ON_ROLL,
    SessionStatus,
)
from parcours.lib.transactions import write_transaction

# --- Attendance and completion -----------------------------------------------------------


@dataclass
class RollCallResult:
    slot: SessionSlot
    present: int
    absent: int
    completed: list[Enrolment] = field(default_factory=list)


def record_roll_call(
    *,
    actor: Actor,
    slot: SessionSlot,
    absent: Iterable[int] = (),
    now: dt.datetime | None = None,
    method: str = Attendance.Method.TRAINER,
) -> RollCallResult:
    """The trainer's roll call for one slot: everyone on the roll is present except the
    enrolments in ``absent``. Refused for a slot that has not started and for anyone not
    enrolled. May be repeated (corrections); completion follows at once. ``method`` says how
    the marks were taken (``REPORT``: a webinar's participant report, see ``webinars``).

    A constant number of queries whatever the size of the group: the session's slots, roll and
    attendance marks are read once, the marks written in bulk, the completion rule applied in
    memory and the completions recorded in one call to ``pathways``.
    """
    now = now or timezone.now()
    absent_ids = set(absent)
    with write_transaction():
        session = _lock_session(slot.session_id, *ATTENDANCE_RELATED, trainer=actor.user)
        _require_attendance_taker(actor, session)
        slots = list(session.slots.order_by("start"))
        slot = next((s for s in slots if s.pk == slot.pk), None)  # type: ignore[assignment]
        if slot is None:
            raise SessionSlot.DoesNotExist("This slot is not one of the session's slots.")
        if session.status == SessionStatus.CANCELLED:
            raise _refuse(_("Cette session est annulée."), "closed")
        if slot.start > now:
            raise _refuse(
                _(
                    "Ce créneau n'a pas encore commencé : "
                    "les présences se prennent pendant ou après."
                ),
                "future_slot",
            )
        roll = list(session.enrolments.filter(status__in=ON_ROLL))
        strangers = absent_ids - {e.pk for e in roll}
        if strangers:
            raise _refuse(
                _("Une personne indiquée n'est pas inscrite à cette session."), "not_enrolled"
            )
        existing: dict[int, tuple[int, bool, str]] = {}
        marks: Marks = {}
        for pk, slot_id, enrolment_id, present, method in Attendance.objects.filter(
            slot_id__in=[s.pk for s in slots]
        ).values_list("pk", "slot_id", "enrolment_id", "present", "method"):
            marks[(slot_id, enrolment_id)] = present
            if slot_id == slot.pk:
                existing[enrolment_id] = (pk, present, method)
        create, update = [], []
        for enrolment in roll:
            present = enrolment.pk not in absent_ids
            marks[(slot.pk, enrolment.pk)] = present
            row = existing.get(enrolment.pk)
            mark = Attendance(  # ids, not objects: no descriptor work per row (thousands)
                slot_id=slot.pk,
                enrolment_id=enrolment.pk,
                present=present,
                method=method,
                recorded_by_id=actor.user.pk,
                recorded_at=now,
            )
            if row is None:
                create.append(mark)
            elif row[1:] != (present, method):
                mark.pk = row[0]
                update.append(mark)
        Attendance.objects.bulk_create(create)
        Attendance.objects.bulk_update(update, ["present", "method", "recorded_by", "recorded_at"])
        audit.record(
            "attendance.roll_call",
            actor=actor.user,
            organisation=session.organisation,
            obj=slot,
            changes={
                "absent": sorted(absent_ids),
                "present": len(roll) - len(absent_ids),
                "method": method,
            },
        )
        completed = _evaluate(session, slots, roll, marks, actor.user, now)
        _schedule_completion(session, [slot], now)
        present_ids = [e.pk for e in roll if e.pk not in absent_ids]
        if present_ids:
            _announce_attendance(session.pk, slot.pk, present_ids)
    return RollCallResult(
        slot=slot, present=len(roll) - len(absent_ids), absent=len(absent_ids), completed=completed
    )


#: A roll call marking more people present than this announces it in a background task
#: (when the task backend defers: a worker; the immediate backend keeps it after commit).
INLINE_PRESENT_MAX = 200


def _announce_attendance(session_id: int, slot_id: int, present: list[int]) -> bool:
    """``attendance_recorded`` once the roll call commits: for a large group (a webinar's
    report: thousands), one background task written in the same transaction; otherwise an
    ``on_commit`` callback. Returns True when queued."""
    from parcours.enrolment.tasks import send_attendance_recorded

    if len(present) > INLINE_PRESENT_MAX and send_attendance_recorded.get_backend().supports_defer:
        send_attendance_recorded.enqueue(session_id, slot_id, present)
        return True
    _on_commit(
        signals.attendance_recorded,
        Attendance,
        session_id=session_id,
        slot_id=slot_id,
        present=present,
    )
    return False


@dataclass
class CheckInResult:
    attendance: Attendance
    session: Session
    slot: SessionSlot


def check_in(*, user: User, token: str, now: dt.datetime | None = None) -> CheckInResult:
    """QR self check-in: works only with a current token, while the slot runs, and only for a
    person enrolled (with a seat) in the session."""
    now = now or timezone.now()
    parsed = checkin.parse_token(token)
    invalid = _refuse(
        _("Ce QR code n'est pas valable. Scannez celui affiché dans la salle."), "invalid"
    )
    if parsed is None:
        raise invalid
    slot = SessionSlot.objects.select_related("session").filter(pk=parsed.slot_id).first()
    if slot is None or not checkin.verify(slot.checkin_secret, parsed, now.timestamp()):
        raise invalid
    if not (slot.start - CHECKIN_EARLY <= now <= slot.end):
        raise _refuse(
            _("La présence par QR code n'est possible que pendant le créneau."), "not_running"
        )
    with write_transaction():
        session = _lock_session(slot.session_id, *ATTENDANCE_RELATED)
        if session.status == SessionStatus.CANCELLED:
            raise _refuse(_("Cette session est annulée."), "closed")
        enrolment = session.enrolments.filter(learner=user, status__in=ON_ROLL).first()
        if enrolment is None:
            raise _refuse(
                _(
                    "Vous n'êtes pas inscrit·e à cette session : "
                    "votre présence ne peut pas être enregistrée."
                ),
                "not_enrolled",
            )
        attendance, _created = Attendance.objects.update_or_create(
            slot=slot,
            enrolment=enrolment,
            defaults={
                "present": True,
                "method": Attendance.Method.QR,
                "recorded_by": user,
                "recorded_at": now,
            },
        )
        audit.record(
            "attendance.check_in", actor=user, organisation=session.organisation, obj=attendance
        )
        slots = list(session.slots.all())
        marks: Marks = {
            (slot_id, enrolment_id): present
            for slot_id, enrolment_id, present in Attendance.objects.filter(
                slot_id__in=[s.pk for s in slots]
            ).values_list("slot_id", "enrolment_id", "present")
        }
        _evaluate(session, slots, [enrolment], marks, user, now)
        _schedule_completion(session, [slot], now)
        _on_commit(
            signals.attendance_recorded,
            Attendance,
            session_id=session.pk,
            slot_id=slot.pk,
            present=[enrolment.pk],
        )
    return CheckInResult(attendance=attendance, session=session, slot=slot)


@dataclass
class PresenceResult:
    attendance: Attendance
    # True when the person was already marked present at this slot (nothing changed).
    already: bool


def record_presence(
    *,
    actor: Actor,
    enrolment: Enrolment,
    slot: SessionSlot,
    early: dt.timedelta = CHECKIN_EARLY,
    now: dt.datetime | None = None,
) -> PresenceResult:
    """Staff mark one person present at one slot (a ticket scanned at the door, a name found
    in a list). Idempotent: a second call changes nothing and says when the first was recorded.
    Coordinators and the session's trainers; from ``early`` before the slot starts until it
    ends; the person must hold a seat. Completion follows as for a roll call."""
    now = now or timezone.now()
    with write_transaction():
        session = _lock_session(slot.session_id, *ATTENDANCE_RELATED, trainer=actor.user)
        _require_attendance_taker(actor, session)
        if slot.session_id != enrolment.session_id:
            raise _refuse(_("Cette personne n'est pas inscrite à cette session."), "not_enrolled")
        if session.status == SessionStatus.CANCELLED:
            raise _refuse(_("Cette session est annulée."), "closed")
        if now < slot.start - early:
            raise _refuse(
                _("Ce créneau n'a pas encore commencé : les présences se prennent pendant."),
                "future_slot",
            )
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
        if enrolment.status not in ON_ROLL:
            raise _refuse(
                _("Cette personne n'a pas de place dans cette session (%(s)s).")
                % {"s": enrolment.get_status_display()},
                "not_enrolled",
            )
        existing = Attendance.objects.filter(slot=slot, enrolment=enrolment).first()
        if existing is not None and existing.present:
            return PresenceResult(attendance=existing, already=True)
        attendance, _created = Attendance.objects.update_or_create(
            slot=slot,
            enrolment=enrolment,
            defaults={
                "present": True,
                "method": Attendance.Method.QR,
                "recorded_by": actor.user,
                "recorded_at": now,
            },
        )
        audit.record(
            "attendance.presence",
            actor=actor.user,
            organisation=session.organisation,
            obj=attendance,
        )
        slots = list(session.slots.all())
        marks: Marks = {
            (slot_id, enrolment_id): present
            for slot_id, enrolment_id, present in Attendance.objects.filter(
                slot_id__in=[s.pk for s in slots]
            ).values_list("slot_id", "enrolment_id", "present")
        }
        _evaluate(session, slots, [enrolment], marks, actor.user, now)
        _schedule_completion(session, [slot], now)
    return PresenceResult(attendance=attendance, already=False)
