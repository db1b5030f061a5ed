"""Every write to sessions, enrolments and attendance goes through here.

Concurrency: each action that can change who holds a seat locks the session row first
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
database's write lock), then reads the seat counter and the queue, decides and writes in the
same transaction. Promotions happen inside the cancellation's transaction, so two racing
cancellations promote two different people, in waitlist order. ``Session.seats_taken`` has a
CHECK constraint (``seats_taken <= capacity``) as a last line of defence.

Validation errors are ``django.core.exceptions.ValidationError`` with a French message and a
``code`` (``full``, ``overlap``, ``closed``, ``audience``, ``duplicate``, ``deadline``,
``state``, ``not_enrolled``, ``future_slot``, ``not_running``, ``invalid``) that the API maps
to an HTTP status.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.actions import create_user
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.enrolment import checkin, signals
from parcours.enrolment.importing import ImportRow, RowError
from parcours.enrolment.models import (
    Attendance,
    Enrolment,
    LearnerProfile,
    Session,
    SessionSlot,
)
from parcours.enrolment.querysets import meets_rule, min_attendance_percent
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import (
    ACTIVE,
    ON_ROLL,
    SEAT_HOLDING,
    SESSION_TRANSITIONS,
    EnrolmentStatus,
    SessionStatus,
    can_transition,
)
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import CompletionEntry, lock_learners, record_completions
from parcours.pathways.models import Completion
from parcours.scheduling.actions import (
    BookingConflict,
    release_for_session,
    reserve_for_session,
)
from parcours.scheduling.models import Booking, Resource

S = EnrolmentStatus
Source = Enrolment.Source
MANAGERS = (Role.COORDINATOR,)
ATTENDANCE_TAKERS = (Role.COORDINATOR,)  # plus the session's own trainers
SCHOOL = (Role.SCHOOL_CONTACT,)
# A learner may check in this long before a slot starts (arriving early) and until it ends.
CHECKIN_EARLY = dt.timedelta(minutes=15)
NO_RESTRICTION = {"", Module.Audience.EVERYONE}

Slot = tuple[dt.datetime, dt.datetime]


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# A domain event: (signal, sender, kwargs).
Event = tuple[Any, type, dict[str, Any]]


def _send(events: list[Event]) -> None:
    """Send these events (after commit). Their receivers enqueue tasks (e-mails, attestations):
    the writes share one transaction, which on SQLite waits for its turn like any other write
    (``write_transaction``) instead of polling the database lock. One event on PostgreSQL
    needs no transaction of its own."""
    if len(events) == 1 and connection.vendor != "sqlite":
        signal, sender, kwargs = events[0]
        signal.send(sender=sender, **kwargs)
        return
    with write_transaction():
        for signal, sender, kwargs in events:
            signal.send(sender=sender, **kwargs)


def _on_commit_events(events: list[Event]) -> None:
    """Send ``events`` after commit, from one callback."""
    if events:
        transaction.on_commit(partial(_send, events))


def _on_commit(signal: Any, sender: type, **kwargs: Any) -> None:
    _on_commit_events([(signal, sender, kwargs)])


def _lock_session(
    session: Session | int, *related: str, trainer: User | None = None, module: bool = True
) -> Session:
    """The session, locked, with its organisation, its module unless ``module=False`` (its
    ``__str__`` needs it, an enrolment's does not), and ``related``. With ``trainer``:
    ``session.is_trainer`` says whether that user trains the session."""
    pk = session if isinstance(session, int) else session.pk
    # of=("self",): lock the session row only, not the module / organisation rows joined in
    # (that would serialise every enrolment of the module or organisation on PostgreSQL).
    query = Session.objects.select_for_update(of=("self",)).select_related(
        *(("module",) if module else ()), "organisation", *related
    )
    if trainer is not None:
        trains = Session.trainers.through.objects.filter(
            session_id=OuterRef("pk"), user_id=trainer.pk
        )
        query = query.annotate(is_trainer=Exists(trains))
    return query.get(pk=pk)


# --- Sessions ----------------------------------------------------------------------------


@dataclass
class SessionData:
    """What a coordinator types to schedule a session."""

    module_id: int
    code: str
    capacity: int
    slots: Sequence[Slot]
    label: str = ""
    site_id: int | None = None
    room_id: int | None = None
    online_url: str = ""
    access_notes: str = ""
    enrolment_opens: dt.datetime | None = None
    enrolment_closes: dt.datetime | None = None
    cancellation_deadline_hours: int = 48
    audience: str = ""
    requires_approval: bool = False
    trainer_ids: Sequence[int] = ()


def _validate_session(
    organisation: Organisation, data: SessionData, exclude: int | None
) -> tuple[Module | None, Site | None, Resource | None, list[User]]:
    errors: dict[str, list[str]] = {}
    module = (
        Module.objects.filter(pk=data.module_id)
        .filter(Q(organisation=organisation) | Q(status=Module.Status.PUBLISHED))
        .first()
    )
    if module is None:
        errors["module"] = [_("Choisissez un module de votre organisation ou publié.")]
    code = data.code.strip()
    if not code:
        errors["code"] = [_("Le code est obligatoire.")]
    elif Session.objects.filter(organisation=organisation, code=code).exclude(pk=exclude).exists():
        errors["code"] = [_("Une session de votre organisation utilise déjà ce code.")]
    if data.capacity is None or data.capacity < 1:
        errors["capacity"] = [_("Indiquez au moins une place.")]
    site = None
    if data.site_id is not None:
        site = Site.objects.filter(pk=data.site_id, organisation=organisation).first()
        if site is None:
            errors["site"] = [_("Ce site n'appartient pas à votre organisation.")]
    if site is None and not data.online_url and "site" not in errors:
        errors["site"] = [_("Indiquez un site ou le lien d'une classe virtuelle.")]
    room = None
    if data.room_id is not None:
        room = Resource.objects.filter(
            pk=data.room_id, kind=Resource.Kind.ROOM, organisation=organisation
        ).first()
        if room is None or site is None or room.site_id != site.pk:
            errors["room"] = [_("Choisissez une salle du site de la session.")]
    if not data.slots:
        errors["slots"] = [_("Indiquez au moins un créneau.")]
    else:
        ordered = sorted(data.slots)
        for start, end in ordered:
            if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
                errors["slots"] = [_("Chaque créneau doit finir après son début.")]
                break
        for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
            if s2 < e1:
                errors["slots"] = [_("Deux créneaux se chevauchent.")]
                break
    opens, closes = data.enrolment_opens, data.enrolment_closes
    if opens and closes and closes <= opens:
        errors["enrolment_closes"] = [_("La clôture doit suivre l'ouverture.")]
    if data.audience not in ("", *Module.Audience.values):
        errors["audience"] = [_("Public inconnu.")]
    trainers = list(User.objects.filter(pk__in=list(data.trainer_ids)))
    allowed = {
        u
        for u in trainers
        if u.memberships.filter(
            organisation=organisation, role__in=[Role.TRAINER, Role.COORDINATOR]
        ).exists()
    }
    if len(allowed) != len(set(data.trainer_ids)):
        errors["trainers"] = [_("Les formateurs doivent être membres de votre organisation.")]
    if errors:
        raise ValidationError(errors)
    return module, site, room, trainers


def _write_slots(session: Session, slots: Sequence[Slot]) -> bool:
    """Replace the session's slots (keeping rows whose times did not change). True if changed."""
    wanted = sorted(slots)
    existing = list(session.slots.order_by("start"))
    if [(s.start, s.end) for s in existing] == wanted:
        return False
    keep = {(s.start, s.end): s for s in existing}
    to_delete = [s.pk for key, s in keep.items() if key not in set(wanted)]
    if to_delete and Attendance.objects.filter(slot_id__in=to_delete).exists():
        raise ValidationError(
            {"slots": [_("Des présences sont déjà encodées pour un créneau que vous retirez.")]}
        )
    SessionSlot.objects.filter(pk__in=to_delete).delete()
    SessionSlot.objects.bulk_create(
        [SessionSlot(session=session, start=a, end=b) for a, b in wanted if (a, b) not in keep]
    )
    session.starts_at = wanted[0][0]
    session.ends_at = max(b for _a, b in wanted)
    Session.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at, ends_at=session.ends_at
    )
    return True


def _apply(
    session: Session, data: SessionData, module: Module, site: Site | None, room: Resource | None
) -> None:
    session.module = module
    session.code = data.code.strip()
    session.label = data.label.strip()
    session.site = site
    session.room = room
    session.online_url = data.online_url.strip()
    session.access_notes = data.access_notes
    session.capacity = data.capacity
    session.enrolment_opens = data.enrolment_opens
    session.enrolment_closes = data.enrolment_closes
    session.cancellation_deadline_hours = data.cancellation_deadline_hours
    session.audience = data.audience
    session.requires_approval = data.requires_approval


def _snapshot(session: Session) -> dict[str, Any]:
    return {
        "code": session.code,
        "module": session.module_id,
        "site": session.site_id,
        "room": session.room_id,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "audience": session.audience,
        "requires_approval": session.requires_approval,
        "slots": [
            [a.isoformat(), b.isoformat()] for a, b in session.slots.values_list("start", "end")
        ],
    }


def create_session(*, actor: Actor, organisation: Organisation, data: SessionData) -> Session:
    """A new draft session of a module, with its slots and trainers."""
    require_role(actor, organisation, MANAGERS)
    module, site, room, trainers = _validate_session(organisation, data, exclude=None)
    if module is None:  # _validate_session raised already; this keeps the type checker sure
        raise ValidationError({"module": [_("Module inconnu.")]})
    with write_transaction():
        session = Session(organisation=organisation)
        _apply(session, data, module, site, room)
        session.save()
        _write_slots(session, data.slots)
        session.trainers.set(trainers)
        _sync_room(actor, session, changed=True)
        audit.record(
            "session.create",
            actor=actor.user,
            organisation=organisation,
            obj=session,
            changes=_snapshot(session),
        )
    return session


def update_session(*, actor: Actor, session: Session, data: SessionData) -> Session:
    """Change a session. The capacity cannot go below the seats taken; a larger capacity
    promotes from the waitlist at once. Raises ``session_changed`` when dates, place or
    trainers changed."""
    require_role(actor, session.organisation_id, MANAGERS)
    module, site, room, trainers = _validate_session(session.organisation, data, exclude=session.pk)
    if module is None:  # _validate_session raised already; this keeps the type checker sure
        raise ValidationError({"module": [_("Module inconnu.")]})
    with write_transaction():
        session = _lock_session(session)
        if data.capacity < session.seats_taken:
            raise ValidationError(
                {
                    "capacity": [
                        _(
                            "%(n)d personnes ont déjà une place : "
                            "la capacité ne peut pas être plus petite."
                        )
                        % {"n": session.seats_taken}
                    ]
                }
            )
        before = _snapshot(session)
        old_trainers = set(session.trainers.values_list("pk", flat=True))
        _apply(session, data, module, site, room)
        session.save()
        slots_changed = _write_slots(session, data.slots)
        session.trainers.set(trainers)
        _sync_room(
            actor,
            session,
            changed=slots_changed
            or before["room"] != session.room_id
            or before["capacity"] != session.capacity,
        )
        promoted = _promote(session)
        changes = {
            "slots": slots_changed,
            "site": before["site"] != session.site_id
            or before["room"] != session.room_id
            or before["online_url"] != session.online_url,
            "trainers": old_trainers != {t.pk for t in trainers},
        }
        changed = [name for name, happened in changes.items() if happened]
        audit.record(
            "session.update",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={"before": before, "after": _snapshot(session)},
        )
        if changed:
            _on_commit(signals.session_changed, Session, session_id=session.pk, fields=changed)
        _announce_promotions(session, promoted)
    return session


ROOM_SOURCE = "enrolment.session"


def _sync_room(actor: Actor, session: Session, *, changed: bool) -> None:
    """Keep the room's bookings in step with the session (scheduling's contract: one booking
    per slot, all or nothing). A taken room is a validation error on ``room``."""
    if not changed:
        return
    if session.room_id is None:
        release_for_session(actor=actor, source=ROOM_SOURCE, source_id=str(session.pk))
        return
    slots = list(session.slots.order_by("start").values_list("start", "end"))
    try:
        reserve_for_session(
            actor=actor,
            room=session.room_id,
            slots=slots,
            title=f"{session.code} — {session.module.title}"[:200],
            source=ROOM_SOURCE,
            source_id=str(session.pk),
            participants=session.capacity,
        )
    except BookingConflict as exc:
        raise ValidationError({"room": [exc.message]}) from exc
    except ValidationError as exc:
        messages = exc.messages
        raise ValidationError({"room": messages}) from exc


def room_bookings(session: Session) -> list[Booking]:
    """The open bookings of the session's room (their status says if logistics approved)."""
    return list(
        Booking.objects.open().filter(source=ROOM_SOURCE, source_id=str(session.pk)).order_by("pk")
    )


def set_session_status(*, actor: Actor, session: Session, status: str) -> Session:
    """Publish or cancel a session. Cancelling cancels every active enrolment."""
    require_role(actor, session.organisation_id, MANAGERS)
    with write_transaction():
        session = _lock_session(session)
        if status not in SESSION_TRANSITIONS.get(session.status, frozenset()):
            raise _refuse(_("Ce changement de statut n'est pas possible."), "state")
        if status == SessionStatus.PUBLISHED and not session.slots.exists():
            raise _refuse(_("Ajoutez au moins un créneau avant de publier."), "invalid")
        old = session.status
        session.status = status
        if status == SessionStatus.PUBLISHED:
            session.published_at = timezone.now()
        if status == SessionStatus.CANCELLED:
            reason = _("Session annulée par l'organisateur.")
            for enrolment in session.enrolments.filter(
                status__in=ACTIVE - {S.COMPLETED, S.ATTENDED, S.NO_SHOW}
            ):
                _set_status(enrolment, S.CANCELLED, reason=reason)
                _on_commit(
                    signals.enrolment_cancelled,
                    Enrolment,
                    enrolment_id=enrolment.pk,
                    session_id=session.pk,
                    by_learner=False,
                    reason=reason,
                )
            session.seats_taken = session.enrolments.filter(status__in=SEAT_HOLDING).count()
            release_for_session(
                actor=actor, source=ROOM_SOURCE, source_id=str(session.pk), reason=reason
            )
        session.save()
        audit.record(
            f"session.status.{status}",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={"from": old, "to": status},
        )
        _on_commit(signals.session_changed, Session, session_id=session.pk, fields=["status"])
    return session


def _shift(moment: dt.datetime, days: int) -> dt.datetime:
    """The same wall-clock time ``days`` later in Brussels (correct across DST changes)."""
    local = moment.astimezone(BRUSSELS).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=BRUSSELS)


def duplicate_session(
    *,
    actor: Actor,
    session: Session,
    code: str,
    site_id: int | None = None,
    first_day: dt.date | None = None,
) -> Session:
    """A draft copy of a session at another site and/or date: slots keep their local times and
    spacing from the new first day. Enrolments are not copied."""
    require_role(actor, session.organisation_id, MANAGERS)
    slots = list(session.slots.order_by("start").values_list("start", "end"))
    days = 0
    if first_day is not None and slots:
        days = (first_day - slots[0][0].astimezone(BRUSSELS).date()).days
    data = SessionData(
        module_id=session.module_id,
        code=code,
        label=session.label,
        capacity=session.capacity,
        slots=[(_shift(a, days), _shift(b, days)) for a, b in slots],
        site_id=site_id if site_id is not None else session.site_id,
        # Another site: the coordinator picks a room there; same site: the same room.
        room_id=(session.room_id if site_id in (None, session.site_id) and days != 0 else None),
        online_url=session.online_url,
        access_notes=session.access_notes,
        enrolment_opens=_shift(session.enrolment_opens, days) if session.enrolment_opens else None,
        enrolment_closes=(
            _shift(session.enrolment_closes, days) if session.enrolment_closes else None
        ),
        cancellation_deadline_hours=session.cancellation_deadline_hours,
        audience=session.audience,
        requires_approval=session.requires_approval,
        trainer_ids=list(session.trainers.values_list("pk", flat=True)),
    )
    copy = create_session(actor=actor, organisation=session.organisation, data=data)
    audit.record(
        "session.duplicate",
        actor=actor.user,
        organisation=session.organisation,
        obj=copy,
        changes={"from": session.pk},
    )
    return copy


def rotate_checkin_secret(*, actor: Actor, slot: SessionSlot) -> SessionSlot:
    """A new QR secret for a slot: every QR code shown so far stops working."""
    _require_attendance_taker(actor, slot.session)
    with write_transaction():
        slot.checkin_secret = checkin.new_secret()
        slot.save(update_fields=["checkin_secret"])
        audit.record(
            "slot.rotate_checkin",
            actor=actor.user,
            organisation=slot.session.organisation,
            obj=slot,
        )
    return slot


# --- Enrolment ---------------------------------------------------------------------------


def _set_status(enrolment: Enrolment, status: str, *, reason: str = "") -> None:
    if not can_transition(enrolment.status, status):
        raise _refuse(
            _("Impossible de passer de « %(a)s » à « %(b)s ».")
            % {"a": enrolment.get_status_display(), "b": EnrolmentStatus(status).label},
            "state",
        )
    now = timezone.now()
    enrolment.status = status
    fields = ["status", "updated_at"]
    if status == S.CONFIRMED:
        enrolment.confirmed_at = now
        fields.append("confirmed_at")
    if status in (S.CANCELLED, S.REJECTED):
        enrolment.cancelled_at = now
        enrolment.reason = reason[:300]
        fields += ["cancelled_at", "reason"]
    enrolment.save(update_fields=fields)


def _save_seats(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken)


def _promote(session: Session, now: dt.datetime | None = None) -> list[Enrolment]:
    """Give free seats to the waitlist, first in line first (the session row is locked).

    Nobody is promoted once the session has started, nor in a session that is not published.
    """
    now = now or timezone.now()
    if session.status != SessionStatus.PUBLISHED or (
        session.starts_at and session.starts_at <= now
    ):
        return []
    free = session.capacity - session.seats_taken
    if free <= 0:
        return []
    promoted = list(session.enrolments.waitlist()[:free])
    for enrolment in promoted:
        _set_status(enrolment, S.CONFIRMED)
    if promoted:
        session.seats_taken += len(promoted)
        _save_seats(session)
    return promoted


def _announce_promotions(session: Session, promoted: Iterable[Enrolment]) -> None:
    for enrolment in promoted:
        audit.record(
            "enrolment.promote",
            actor=None,
            organisation=session.organisation,
            obj=enrolment,
            changes={"learner": enrolment.learner_id},
        )
        _on_commit(
            signals.enrolment_promoted,
            Enrolment,
            enrolment_id=enrolment.pk,
            session_id=session.pk,
        )


def _active_sessions(learner_id: int) -> dict[int, str]:
    """The sessions the learner is active in (id -> session status): one small query on the
    index (learner, status)."""
    return dict(
        Enrolment.objects.filter(learner_id=learner_id, status__in=ACTIVE)
        .order_by()
        .values_list("session_id", "session__status")
    )


def _clash(session: Session, active: dict[int, str]) -> Session | None:
    """Among the learner's ``active`` sessions, one (not cancelled) whose slots overlap this
    session's: one query, and none when the learner is active nowhere else."""
    others = [
        pk
        for pk, status in active.items()
        if pk != session.pk and status != SessionStatus.CANCELLED
    ]
    if not others:
        return None
    mine = SessionSlot.objects.filter(
        session_id=session.pk, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clash = (
        SessionSlot.objects.filter(session_id__in=others)
        .filter(Exists(mine))
        .select_related("session", "session__module")
        .first()
    )
    return clash.session if clash else None


def _overlapping(learner_id: int, session: Session) -> Session | None:
    """Another session the learner is active in whose slots overlap this session's."""
    return _clash(session, _active_sessions(learner_id))


def _check_audience(session: Session, learner: User, declared: str, *, vouched: bool) -> None:
    """Sessions restricted to an audience accept learners of that audience only.

    A learner without a declared audience declares it when enrolling themselves; staff who
    enrol someone vouch for them (the profile takes the session's audience).
    """
    if session.audience in NO_RESTRICTION:
        return
    profile, _created = LearnerProfile.objects.get_or_create(user=learner)
    if not profile.audience:
        if declared:
            profile.audience = declared
        elif vouched:
            profile.audience = session.audience
        else:
            raise _refuse(
                _("Cette session est réservée au public « %(a)s » : indiquez votre public.")
                % {"a": Module.Audience(session.audience).label},
                "audience",
            )
        profile.save(update_fields=["audience"])
    if profile.audience != session.audience:
        raise _refuse(
            _("Cette session est réservée au public « %(a)s ».")
            % {"a": Module.Audience(session.audience).label},
            "audience",
        )


def _permission_for(actor: Actor, session: Session, learner: User, source: str) -> None:
    if source in (Source.SELF, Source.API) and actor.user.pk == learner.pk:
        return
    if source in (Source.COORDINATOR, Source.IMPORT, Source.API):
        require_role(actor, session.organisation_id, MANAGERS)
        return
    if source == Source.SCHOOL:
        require_role(actor, session.organisation_id, SCHOOL)
        return
    raise PermissionDenied(_("Vous ne pouvez pas inscrire cette personne."))


def _is_staff_enrolment(actor: Actor, learner: User, source: str) -> bool:
    return actor.user.pk != learner.pk and source != Source.SCHOOL


@dataclass
class Decision:
    status: str
    takes_seat: bool


def _decide(session: Session, *, needs_approval: bool, seats_wanted: int = 1) -> Decision:
    if needs_approval:
        return Decision(S.REQUESTED, False)
    if session.seats_taken + seats_wanted <= session.capacity:
        return Decision(S.CONFIRMED, True)
    return Decision(S.WAITLISTED, False)


def _check_can_enrol(
    session: Session,
    learner: User,
    *,
    staff: bool,
    now: dt.datetime,
) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise _refuse(_("Cette session est annulée."), "closed")
    if session.ends_at and session.ends_at <= now:
        raise _refuse(_("Cette session est terminée."), "closed")
    if not staff and not session.enrolment_is_open(now):
        raise _refuse(_("Les inscriptions à cette session ne sont pas ouvertes."), "closed")
    active = _active_sessions(learner.pk)
    if session.pk in active:
        raise _refuse(_("Cette personne est déjà inscrite à cette session."), "duplicate")
    clash = _clash(session, active)
    if clash is not None:
        raise _refuse(
            _("Cette personne est déjà inscrite à une session au même moment : %(s)s.")
            % {"s": clash.code},
            "overlap",
        )


def enrol(
    *,
    actor: Actor,
    session: Session,
    learner: User,
    source: str = Source.SELF,
    audience: str = "",
    now: dt.datetime | None = None,
) -> Enrolment:
    """Enrol ``learner`` in ``session``: confirmed while seats are left, else waitlisted; a
    request when the session needs approval and the learner (or their school) asks.

    The learner enrols themselves (``source=self``); a coordinator enrols anyone (outside the
    enrolment window too); a school contact enrols people of their school (``source=school``).
    """
    _permission_for(actor, session, learner, source)
    staff = _is_staff_enrolment(actor, learner, source)
    with write_transaction():
        session = _lock_session(session, module=False)
        # Under the lock: the queue order (queued_at, id) follows the order of the writers.
        now = now or timezone.now()
        # Serialise this learner's enrolments (the overlap check reads their other sessions).
        lock_learners([learner.pk])
        _check_can_enrol(session, learner, staff=staff, now=now)
        _check_audience(session, learner, audience, vouched=learner.pk != actor.user.pk)
        decision = _decide(session, needs_approval=session.requires_approval and not staff)
        enrolment = Enrolment.objects.create(
            session=session,
            learner=learner,
            status=decision.status,
            source=source,
            requested_by=actor.user,
            queued_at=now,
            confirmed_at=now if decision.status == S.CONFIRMED else None,
        )
        if decision.takes_seat:
            session.seats_taken += 1
            _save_seats(session)
        audit.record(
            "enrolment.create",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"learner": learner.pk, "status": decision.status, "source": source},
        )
        _announce_new(enrolment)
    return enrolment


def _announce_new(enrolment: Enrolment) -> None:
    kwargs: dict[str, Any] = {"enrolment_id": enrolment.pk, "session_id": enrolment.session_id}
    if enrolment.status == S.CONFIRMED:
        _on_commit(signals.enrolment_confirmed, Enrolment, **kwargs)
    elif enrolment.status == S.WAITLISTED:
        transaction.on_commit(
            partial(_announce_waitlisted, enrolment.pk, enrolment.session_id, enrolment.queued_at)
        )
    elif enrolment.status == S.REQUESTED:
        _on_commit(signals.enrolment_requested, Enrolment, **kwargs)


def _announce_waitlisted(enrolment_id: int, session_id: int, queued_at: dt.datetime) -> None:
    """``enrolment_waitlisted`` with the person's place in the queue, counted after commit
    (outside the session's lock). Not sent if they already left the queue (promoted by a
    cancellation in between, or cancelled): those events tell their story."""
    ahead = list(
        Enrolment.objects.waitlist()
        .filter(session_id=session_id)
        .filter(Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, pk__lte=enrolment_id))
        .order_by()
        .values_list("pk", flat=True)
    )
    if enrolment_id in ahead:  # still in the queue (``ahead`` counts them too)
        kwargs = {"enrolment_id": enrolment_id, "session_id": session_id}
        _send([(signals.enrolment_waitlisted, Enrolment, {**kwargs, "position": len(ahead)})])


def find_or_create_learner(
    *, actor: Actor, email: str, first_name: str = "", last_name: str = ""
) -> User:
    """The person with this e-mail, created (without a password) if unknown."""
    email = email.strip().lower()
    validate_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    if not first_name.strip() or not last_name.strip():
        raise _refuse(_("Prénom et nom sont requis pour une personne inconnue."), "invalid")
    return create_user(
        email=email,
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        actor=actor.user,
    )


def enrol_person(
    *,
    actor: Actor,
    session: Session,
    email: str,
    first_name: str = "",
    last_name: str = "",
    source: str = Source.COORDINATOR,
) -> Enrolment:
    """A coordinator (or school contact) enrols one person by e-mail."""
    require_role(actor, session.organisation_id, SCHOOL if source == Source.SCHOOL else MANAGERS)
    try:
        validate_email(email.strip())
    except ValidationError as exc:
        raise _refuse(_("Adresse e-mail invalide."), "invalid") from exc
    if source == Source.SCHOOL:
        _check_domain(session.organisation, email)
    with write_transaction():
        learner = find_or_create_learner(
            actor=actor, email=email, first_name=first_name, last_name=last_name
        )
        return enrol(actor=actor, session=session, learner=learner, source=source)


def cancel(
    *, actor: Actor, enrolment: Enrolment, reason: str = "", now: dt.datetime | None = None
) -> Enrolment:
    """Cancel an enrolment. The learner may cancel a seat until the cancellation deadline;
    a coordinator at any time. A freed seat goes to the first person on the waitlist, in the
    same transaction."""
    now = now or timezone.now()
    with write_transaction():
        session = _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        by_learner = enrolment.learner_id == actor.user.pk
        is_manager = actor.is_platform_admin or actor.has_role(session.organisation_id, *MANAGERS)
        by_school = (
            actor.has_role(session.organisation_id, *SCHOOL)
            and enrolment.requested_by_id == actor.user.pk
        )
        if not (by_learner or is_manager or by_school):
            raise PermissionDenied(_("Vous ne pouvez pas annuler cette inscription."))
        if not can_transition(enrolment.status, S.CANCELLED):
            raise _refuse(_("Cette inscription ne peut plus être annulée."), "state")
        held_seat = enrolment.status in SEAT_HOLDING
        deadline = session.cancellation_deadline
        if held_seat and not is_manager and deadline is not None and now > deadline:
            raise _refuse(
                _(
                    "Le délai d'annulation est dépassé (%(h)d heures avant le début) : "
                    "contactez l'organisateur."
                )
                % {"h": session.cancellation_deadline_hours},
                "deadline",
            )
        _set_status(enrolment, S.CANCELLED, reason=reason)
        promoted: list[Enrolment] = []
        if held_seat:
            session.seats_taken -= 1
            _save_seats(session)
            promoted = _promote(session, now)
        audit.record(
            "enrolment.cancel",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"reason": reason, "promoted": [e.pk for e in promoted]},
        )
        _on_commit(
            signals.enrolment_cancelled,
            Enrolment,
            enrolment_id=enrolment.pk,
            session_id=session.pk,
            by_learner=by_learner,
            reason=reason,
        )
        _announce_promotions(session, promoted)
    enrolment.promoted = promoted
    return enrolment


def approve(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """A coordinator approves a request: confirmed if a seat is left, else waitlisted."""
    require_role(actor, enrolment.session.organisation_id, MANAGERS)
    with write_transaction():
        session = _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != S.REQUESTED:
            raise _refuse(_("Seule une demande en attente peut être approuvée."), "state")
        decision = _decide(session, needs_approval=False)
        _set_status(enrolment, decision.status)
        if decision.takes_seat:
            session.seats_taken += 1
            _save_seats(session)
        # The queue order of an approved request is its approval time.
        enrolment.queued_at = timezone.now()
        enrolment.save(update_fields=["queued_at"])
        audit.record(
            "enrolment.approve",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"status": decision.status},
        )
        _announce_new(enrolment)
    return enrolment


def reject(*, actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    require_role(actor, enrolment.session.organisation_id, MANAGERS)
    with write_transaction():
        _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != S.REQUESTED:
            raise _refuse(_("Seule une demande en attente peut être refusée."), "state")
        _set_status(enrolment, S.REJECTED, reason=reason)
        audit.record(
            "enrolment.reject",
            actor=actor.user,
            organisation=enrolment.session.organisation,
            obj=enrolment,
            changes={"reason": reason},
        )
        _on_commit(
            signals.enrolment_rejected,
            Enrolment,
            enrolment_id=enrolment.pk,
            session_id=enrolment.session_id,
            reason=reason,
        )
    return enrolment


def set_learner_audience(*, user: User, audience: str) -> LearnerProfile:
    if audience not in ("", *Module.Audience.values):
        raise _refuse(_("Public inconnu."), "invalid")
    with write_transaction():
        profile, _created = LearnerProfile.objects.get_or_create(user=user)
        profile.audience = audience
        profile.save(update_fields=["audience"])
        audit.record("learner_profile.audience", actor=user, obj=profile, changes={"to": audience})
    return profile


# --- Imports -----------------------------------------------------------------------------


def _email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _allowed_domains(organisation: Organisation) -> set[str]:
    return {d.lower() for d in organisation.import_email_domains.values_list("domain", flat=True)}


def _check_domain(organisation: Organisation, email: str) -> None:
    allowed = _allowed_domains(organisation)
    if allowed and _email_domain(email) not in allowed:
        raise _refuse(
            _(
                "Domaine d'e-mail inconnu (%(d)s) : "
                "il n'est pas dans la liste de votre organisation."
            )
            % {"d": _email_domain(email)},
            "domain",
        )


@dataclass
class ImportReport:
    total: int
    errors: list[RowError] = field(default_factory=list)
    valid: list[ImportRow] = field(default_factory=list)
    created: list[Enrolment] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def import_enrolments(
    *,
    actor: Actor,
    session: Session,
    rows: Sequence[ImportRow],
    parse_errors: Sequence[RowError] = (),
    valid_only: bool = False,
    source: str = Source.IMPORT,
) -> ImportReport:
    """Enrol the people of a file. Every bad row is reported with its line number and reason;
    nothing is written when a row is bad, unless ``valid_only`` (the coordinator saw the
    report and chose to import the valid rows). Imported people take seats directly (no
    waitlist): rows that would exceed the capacity are errors ("session complète"). A school
    contact's rows become requests when the session needs approval."""
    require_role(actor, session.organisation_id, SCHOOL if source == Source.SCHOOL else MANAGERS)
    report = ImportReport(total=len(rows) + len(parse_errors), errors=list(parse_errors))
    now = timezone.now()
    with write_transaction():
        session = _lock_session(session)
        allowed = _allowed_domains(session.organisation)
        emails = [r.email.strip().lower() for r in rows]
        known = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        already = set(
            session.enrolments.filter(status__in=ACTIVE).values_list("learner__email", flat=True)
        )
        needs_approval = session.requires_approval and source == Source.SCHOOL
        seats_left = session.capacity - session.seats_taken
        first_line: dict[str, int] = {}
        if session.status == SessionStatus.CANCELLED or (
            session.ends_at is not None and session.ends_at <= now
        ):
            report.errors.append(RowError(0, _("Cette session n'accepte plus d'inscriptions.")))
            return report
        for row in rows:
            email = row.email.strip().lower()
            problem = _row_problem(row, email, allowed, known, already, first_line, session)
            if problem is None and not needs_approval:
                if seats_left <= 0:
                    problem = _("session complète (%(n)d places).") % {"n": session.capacity}
                else:
                    seats_left -= 1
            if problem is not None:
                report.errors.append(RowError(row.line, problem))
            else:
                first_line[email] = row.line
                report.valid.append(row)
        report.errors.sort(key=lambda e: e.line)
        if report.errors and not valid_only:
            return report
        for row in report.valid:
            email = row.email.strip().lower()
            learner = known.get(email) or create_user(
                email=email,
                password=None,
                first_name=row.first_name.strip(),
                last_name=row.last_name.strip(),
                actor=actor.user,
            )
            if session.audience not in NO_RESTRICTION:
                LearnerProfile.objects.get_or_create(
                    user=learner, defaults={"audience": session.audience}
                )
            status = S.REQUESTED if needs_approval else S.CONFIRMED
            enrolment = Enrolment.objects.create(
                session=session,
                learner=learner,
                status=status,
                source=source,
                requested_by=actor.user,
                queued_at=now,
                confirmed_at=now if status == S.CONFIRMED else None,
            )
            report.created.append(enrolment)
            _announce_new(enrolment)
        if not needs_approval:
            session.seats_taken += len(report.created)
            _save_seats(session)
        report.written = True
        audit.record(
            "enrolment.import",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={
                "created": len(report.created),
                "errors": len(report.errors),
                "valid_only": valid_only,
                "source": source,
            },
        )
    return report


def _row_problem(
    row: ImportRow,
    email: str,
    allowed: set[str],
    known: dict[str, User],
    already: set[str],
    first_line: dict[str, int],
    session: Session,
) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return _("adresse e-mail invalide « %(e)s ».") % {"e": row.email}
    if allowed and _email_domain(email) not in allowed:
        return _("domaine d'e-mail inconnu « %(d)s ».") % {"d": _email_domain(email)}
    if email in first_line:
        return _("doublon de la ligne %(n)d.") % {"n": first_line[email]}
    if email in already:
        return _("déjà inscrit à cette session.")
    learner = known.get(email)
    if learner is None:
        if not row.first_name.strip() or not row.last_name.strip():
            return _("prénom et nom requis pour une personne inconnue.")
        return None
    clash = _overlapping(learner.pk, session)
    if clash is not None:
        return _("déjà inscrit à une session au même moment (%(s)s).") % {"s": clash.code}
    if session.audience not in NO_RESTRICTION:
        declared = (
            LearnerProfile.objects.filter(user=learner).values_list("audience", flat=True).first()
        )
        if declared and declared != session.audience:
            return _("cette session est réservée au public « %(a)s ».") % {
                "a": Module.Audience(session.audience).label
            }
    return None


# --- Attendance and completion -----------------------------------------------------------


def _require_attendance_taker(actor: Actor, session: Session) -> None:
    """Coordinators and the session's own trainers (``session.is_trainer`` when the session was
    locked with ``_lock_session(..., trainer=actor.user)``)."""
    if actor.is_platform_admin or actor.has_role(session.organisation_id, *ATTENDANCE_TAKERS):
        return
    is_trainer = getattr(session, "is_trainer", None)
    if is_trainer is None:
        is_trainer = session.trainers.filter(pk=actor.user.pk).exists()
    if is_trainer:
        return
    raise PermissionDenied(
        _("Seuls les formateurs de la session et les coordinateurs encodent les présences.")
    )


@dataclass
class RollCallResult:
    slot: SessionSlot
    present: int
    absent: int
    completed: list[Enrolment] = field(default_factory=list)


# Attendance marks of a session, in memory: (slot id, enrolment id) -> present.
Marks = dict[tuple[int, int], bool]
# What a roll call loads with the session's lock: the module's completion rule and the
# module's organisation (the completions' audit entry).
ATTENDANCE_RELATED = ("module__organisation", "module__completion_rule")


def record_roll_call(
    *,
    actor: Actor,
    slot: SessionSlot,
    absent: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> RollCallResult:
    """The trainer's roll call for one slot: everyone on the roll is present except the
    enrolments in ``absent``. Refused for a slot that has not started and for anyone not
    enrolled. May be repeated (corrections); completion follows at once.

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
            mark = Attendance(
                slot=slot,
                enrolment_id=enrolment.pk,
                present=present,
                method=Attendance.Method.TRAINER,
                recorded_by=actor.user,
                recorded_at=now,
            )
            if row is None:
                create.append(mark)
            elif row[1:] != (present, Attendance.Method.TRAINER):
                mark.pk = row[0]
                update.append(mark)
        Attendance.objects.bulk_create(create)
        Attendance.objects.bulk_update(update, ["present", "method", "recorded_by", "recorded_at"])
        audit.record(
            "attendance.roll_call",
            actor=actor.user,
            organisation=session.organisation,
            obj=slot,
            changes={"absent": sorted(absent_ids), "present": len(roll) - len(absent_ids)},
        )
        completed = _evaluate(session, slots, roll, marks, actor.user, now)
    return RollCallResult(
        slot=slot, present=len(roll) - len(absent_ids), absent=len(absent_ids), completed=completed
    )


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
    return CheckInResult(attendance=attendance, session=session, slot=slot)


def _evaluate(
    session: Session,
    slots: Sequence[SessionSlot],
    enrolments: Sequence[Enrolment],
    marks: Marks,
    actor: User | None,
    now: dt.datetime,
) -> list[Enrolment]:
    """Apply the module's completion rule to these enrolments (the session row is locked), in
    memory: ``marks`` are all the attendance marks of the session's ``slots``.

    An enrolment whose presence meets the rule becomes *completed* and the module's completion
    is recorded (pathway progress updates; ``pathway_completed`` follows on commit). Once every
    slot has a roll call, the others become *attended* (some presence) or *no-show*.
    """
    total = len(slots)
    if not total or not enrolments:
        return []
    percent = min_attendance_percent(session.module)
    called = {slot_id for slot_id, _enrolment_id in marks} >= {s.pk for s in slots}
    completed: list[Enrolment] = []
    hours_of: dict[int, Decimal] = {}
    moves: dict[str, list[int]] = {}
    for enrolment in enrolments:
        if enrolment.status == S.COMPLETED:
            continue
        attended = [s for s in slots if marks.get((s.pk, enrolment.pk))]
        if meets_rule(len(attended), total, percent):
            completed.append(enrolment)
            hours_of[enrolment.pk] = _hours(attended)
        elif called:
            target = S.ATTENDED if attended else S.NO_SHOW
            if enrolment.status != target:
                moves.setdefault(target, []).append(enrolment.pk)
    for new_status, ids in moves.items():
        Enrolment.objects.filter(pk__in=ids).update(status=new_status, updated_at=now)
    if completed:
        _complete_many(session, completed, hours_of, actor, now)
    return completed


def _complete_many(
    session: Session,
    enrolments: list[Enrolment],
    hours_of: dict[int, Decimal],
    actor: User | None,
    now: dt.datetime,
) -> None:
    """Completed: the enrolments' status, the module's completions (one bulk call to pathways:
    progress updates, ``module_completed`` / ``pathway_completed`` after commit), and
    ``enrolment_completed`` for each enrolment after commit."""
    for enrolment in enrolments:
        if not can_transition(enrolment.status, S.COMPLETED):
            raise _refuse(_("Cette inscription ne peut pas être terminée."), "state")
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
        status=S.COMPLETED, updated_at=now
    )
    today = timezone.localdate()
    record_completions(
        [
            CompletionEntry(
                learner_id=e.learner_id,
                module=session.module,
                hours=hours_of.get(e.pk, Decimal(0)),
                completed_on=today,
            )
            for e in enrolments
        ],
        source=Completion.Source.ATTENDANCE,
        actor=actor,
    )
    events: list[Event] = []
    for enrolment in enrolments:
        enrolment.status = S.COMPLETED
        kwargs = {"enrolment_id": enrolment.pk, "session_id": session.pk}
        hours = str(hours_of.get(enrolment.pk, Decimal(0)))
        events.append((signals.enrolment_completed, Enrolment, {**kwargs, "hours": hours}))
    ids = [e.pk for e in enrolments]
    events.append(
        (signals.enrolments_completed, Enrolment, {"session_id": session.pk, "enrolment_ids": ids})
    )
    _on_commit_events(events)


def _hours(slots: Iterable[SessionSlot]) -> Decimal:
    """Decimal hours of these slots (what the completion and the attestation state)."""
    seconds = sum((Decimal((s.end - s.start).total_seconds()) for s in slots), Decimal(0))
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"))


__all__ = [
    "CheckInResult",
    "ImportReport",
    "RollCallResult",
    "SessionData",
    "approve",
    "cancel",
    "check_in",
    "create_session",
    "duplicate_session",
    "enrol",
    "enrol_person",
    "find_or_create_learner",
    "import_enrolments",
    "record_roll_call",
    "reject",
    "rotate_checkin_secret",
    "set_learner_audience",
    "set_session_status",
    "update_session",
]
