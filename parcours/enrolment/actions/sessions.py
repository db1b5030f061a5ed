"""Sessions: create, update, publish or cancel, duplicate; their slots, room and QR secrets."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.enrolment import bounds, checkin, signals
from parcours.enrolment.actions._base import (
    MANAGERS,
    S,
    Slot,
    _has_control,
    _lock_session,
    _on_commit,
    _refuse,
    _require_attendance_taker,
    _set_status,
)
from parcours.enrolment.actions.waitlist import _announce_promotions, _promote
from parcours.enrolment.models import (
    Attendance,
    Enrolment,
    Session,
    SessionSlot,
)
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import (
    ACTIVE,
    SEAT_HOLDING,
    SESSION_TRANSITIONS,
    SessionStatus,
)
from parcours.lib.transactions import write_transaction
from parcours.scheduling.actions import (
    BookingConflict,
    release_for_session,
    reserve_for_session,
)
from parcours.scheduling.models import Booking, Resource

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
    # Slots that start in the past: refused when False (the coordinator's form, unless they
    # tick "j'encode une session passée"); code that records history (the demo, imports of
    # past sessions, tests) may keep the default. Slots a session already had are never
    # refused for being past (editing a session that has started).
    allow_past: bool = True


MAX_TRAINERS = 50
MAX_NOTES = 5_000


def _id_ok(value: int | None) -> bool:
    return value is None or (isinstance(value, int) and 1 <= value <= bounds.MAX_ID)


def _slot_errors(
    slots: Sequence[Slot], existing: set[Slot], *, allow_past: bool, now: dt.datetime
) -> list[str]:
    """What is wrong with these slots (French messages), empty if nothing."""
    if not slots:
        return [_("Indiquez au moins un créneau.")]
    if len(slots) > bounds.MAX_SLOTS:
        return [_("%(n)d créneaux au plus par session.") % {"n": bounds.MAX_SLOTS}]
    longest = dt.timedelta(hours=bounds.MAX_SLOT_HOURS)
    for start, end in slots:
        if timezone.is_naive(start) or timezone.is_naive(end):
            return [_("Chaque créneau doit finir après son début.")]
        if not (bounds.year_ok(start) and bounds.year_ok(end)):
            return [
                _("Les dates doivent être comprises entre %(a)d et %(b)d.")
                % {"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR}
            ]
        if end <= start:
            return [_("Chaque créneau doit finir après son début.")]
        if end - start > longest:
            return [_("Un créneau dure %(h)d heures au plus.") % {"h": bounds.MAX_SLOT_HOURS}]
    ordered = sorted(slots)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
        if s2 < e1:
            return [_("Deux créneaux se chevauchent.")]
    if not allow_past and any(a < now and (a, b) not in existing for a, b in ordered):
        return [
            _(
                "Un créneau commence dans le passé. Pour encoder une session qui a déjà eu "
                "lieu, cochez « Session passée »."
            )
        ]
    return []


def _window_errors(data: SessionData) -> dict[str, list[str]]:
    """The enrolment window: within the years, opening before closing, closing (and opening)
    no later than the first slot's start."""
    errors: dict[str, list[str]] = {}
    opens, closes = data.enrolment_opens, data.enrolment_closes
    for name, value in (("enrolment_opens", opens), ("enrolment_closes", closes)):
        if value is not None and (timezone.is_naive(value) or not bounds.year_ok(value)):
            errors[name] = [
                _("Les dates doivent être comprises entre %(a)d et %(b)d.")
                % {"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR}
            ]
    if errors:
        return errors
    if opens and closes and closes <= opens:
        errors["enrolment_closes"] = [_("La clôture doit suivre l'ouverture.")]
    first = min((a for a, _b in data.slots), default=None)
    if first is not None and all(timezone.is_aware(a) for a, _b in data.slots):
        if closes and closes > first:
            errors["enrolment_closes"] = [
                _("La clôture des inscriptions doit précéder le début de la session.")
            ]
        if opens and opens >= first:
            errors["enrolment_opens"] = [
                _("L'ouverture des inscriptions doit précéder le début de la session.")
            ]
    return errors


def _validate_session(
    organisation: Organisation,
    data: SessionData,
    exclude: int | None,
    existing: set[Slot] | None = None,
) -> tuple[Module | None, Site | None, Resource | None, list[User]]:
    errors: dict[str, list[str]] = {}
    # Before any look-up with these values (PostgreSQL refuses NUL in a query too).
    one_line = {"code": data.code, "label": data.label, "online_url": data.online_url}
    for name, value in one_line.items():
        if _has_control(value):
            errors[name] = [_("Caractère invalide (caractère de contrôle).")]
    if "\x00" in data.access_notes:
        errors["access_notes"] = [_("Caractère invalide (caractère de contrôle).")]
    if errors:
        raise ValidationError(errors)
    ids = [data.module_id, data.site_id, data.room_id, *data.trainer_ids]
    if not all(_id_ok(i) for i in ids) or len(data.trainer_ids) > MAX_TRAINERS:
        raise ValidationError(_("Identifiant invalide."), code="invalid")
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
    elif len(code) > 40:
        errors["code"] = [_("Le code compte 40 caractères au plus.")]
    elif Session.objects.filter(organisation=organisation, code=code).exclude(pk=exclude).exists():
        errors["code"] = [_("Une session de votre organisation utilise déjà ce code.")]
    if data.capacity is None or data.capacity < 1:
        errors["capacity"] = [_("Indiquez au moins une place.")]
    elif data.capacity > bounds.MAX_CAPACITY:
        errors["capacity"] = [_("%(n)d places au plus par session.") % {"n": bounds.MAX_CAPACITY}]
    if not 0 <= data.cancellation_deadline_hours <= bounds.MAX_DEADLINE_HOURS:
        errors["cancellation_deadline_hours"] = [
            _("Le délai d'annulation est compris entre 0 et %(n)d heures.")
            % {"n": bounds.MAX_DEADLINE_HOURS}
        ]
    if len(data.label.strip()) > 200:
        errors["label"] = [_("L'intitulé compte 200 caractères au plus.")]
    if len(data.online_url.strip()) > 200:
        errors["online_url"] = [_("Le lien compte 200 caractères au plus.")]
    if len(data.access_notes) > MAX_NOTES:
        errors["access_notes"] = [
            _("Les informations pratiques comptent %(n)d caractères au plus.") % {"n": MAX_NOTES}
        ]
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
            pk=data.room_id, kind__in=Resource.SESSION_KINDS, organisation=organisation
        ).first()
        if room is None or site is None or not room.serves_site(site.pk):
            errors["room"] = [_("Choisissez une salle du site de la session.")]
    slot_errors = _slot_errors(
        data.slots, existing or set(), allow_past=data.allow_past, now=timezone.now()
    )
    if slot_errors:
        errors["slots"] = slot_errors
    else:
        errors.update(_window_errors(data))
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
    promotes from the waitlist at once (``session.promoted`` lists who). Raises
    ``session_changed`` when dates, place or trainers changed."""
    require_role(actor, session.organisation_id, MANAGERS)
    existing = set(session.slots.values_list("start", "end"))
    module, site, room, trainers = _validate_session(
        session.organisation, data, exclude=session.pk, existing=existing
    )
    if module is None:  # _validate_session raised already; this keeps the type checker sure
        raise ValidationError({"module": [_("Module inconnu.")]})
    with write_transaction():
        session = _lock_session(session)
        if data.capacity < session.seats_taken:
            raise ValidationError(
                {
                    "capacity": [
                        ngettext(
                            "%(n)d personne a déjà une place : "
                            "la capacité ne peut pas être plus petite.",
                            "%(n)d personnes ont déjà une place : "
                            "la capacité ne peut pas être plus petite.",
                            session.seats_taken,
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
        session.promoted = promoted
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
    if not bounds.year_ok(first_day):
        raise ValidationError(
            {
                "first_day": [
                    _("Les dates doivent être comprises entre %(a)d et %(b)d.")
                    % {"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR}
                ]
            }
        )
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
