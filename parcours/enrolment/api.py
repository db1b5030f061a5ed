"""Enrolment API: sessions (public), enrolments (enrol, cancel, mine, roster, approve) and
attendance (roll call, QR check-in). Every write calls the same action as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from parcours.accounts.api import optional_actor, token_auth
from parcours.accounts.api_scope import call_action
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, bounds, permissions
from parcours.enrolment.models import Attendance, Enrolment, Session, SessionSlot
from parcours.enrolment.querysets import hours_attended, names_seen_by
from parcours.enrolment.schemas import (
    AttendanceRowOut,
    CancelIn,
    CheckInIn,
    CheckInOut,
    EnrolIn,
    EnrolmentOut,
    RollCallIn,
    RollCallOut,
    SessionOut,
)
from parcours.enrolment.states import ON_ROLL, EnrolmentStatus

router = Router(tags=["sessions"])
T = TypeVar("T")

UNPROCESSABLE = {"invalid", "domain", "audience"}
MAX_OFFSET = 1_000_000
ID = Path(..., ge=1, le=bounds.MAX_ID)


def _call(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run an action; its refusals become problem+json with a French title."""
    return call_action(fn, unprocessable=UNPROCESSABLE, **kwargs)


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _sessions() -> Any:
    return Session.objects.for_listing().prefetch_related(
        "trainers",
        Prefetch("slots", queryset=SessionSlot.objects.order_by("start")),
        "room",
    )


def _session_out(session: Session) -> dict[str, Any]:
    site = session.site
    return {
        "id": session.pk,
        "code": session.code,
        "title": session.title,
        "organisation": session.organisation.slug,
        "module_id": session.module_id,
        "module_code": session.module.code,
        "status": session.status,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "seats_left": session.seats_left,
        "audience": session.audience,
        "requires_approval": session.requires_approval,
        "enrolment_open": session.enrolment_is_open(),
        "enrolment_opens": session.enrolment_opens,
        "enrolment_closes": session.effective_enrolment_closes,
        "cancellation_deadline": session.cancellation_deadline,
        "place": {
            "site_id": site.pk if site else None,
            "name": site.name if site else "",
            "address": site.address if site else "",
            "city": site.city if site else "",
            "access_notes": "\n\n".join(
                t for t in ((site.access_notes if site else ""), session.access_notes) if t
            ),
            "room": session.room.name if session.room_id and session.room else None,
            "online": bool(session.online_url),
        },
        "trainers": [t.get_full_name() or t.email for t in session.trainers.all()],
        "slots": [{"id": s.pk, "start": s.start, "end": s.end} for s in session.slots.all()],
    }


def _position(enrolment: Enrolment) -> int | None:
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    return (
        Enrolment.objects.waitlist()
        .filter(session_id=enrolment.session_id, queued_at__lte=enrolment.queued_at)
        .exclude(queued_at=enrolment.queued_at, pk__gt=enrolment.pk)
        .count()
    )


def _enrolment_out(enrolment: Enrolment, *, with_hours: bool = True) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "session_id": enrolment.session_id,
        "session_code": enrolment.session.code,
        "session_title": enrolment.session.title,
        "learner_id": enrolment.learner_id,
        "learner_email": enrolment.learner.email,
        "status": enrolment.status,
        "source": enrolment.source,
        "starts_at": enrolment.session.starts_at,
        "waitlist_position": _position(enrolment),
        "hours_attended": float(hours_attended(enrolment)) if with_hours else 0.0,
    }


@router.get("/sessions", response=list[SessionOut], summary="Sessions à venir")
def list_sessions(
    request: HttpRequest,
    module: int | None = Query(None, ge=1, le=bounds.MAX_ID),
    organisation: str | None = Query(None, max_length=100, pattern=r"^[-a-z0-9_]+$"),
    include_past: bool = False,
    limit: int = Query(bounds.PAGE_SIZE, ge=1, le=bounds.MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    """Sessions publiques (publiées, d'un module publié) et celles des organisations de
    l'appelant ; une page à la fois (``limit``, ``offset``)."""
    qs = _sessions().visible_to(optional_actor(request))
    if not include_past:
        qs = qs.filter(starts_at__gt=timezone.now())
    if module:
        qs = qs.filter(module_id=module)
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    return [_session_out(s) for s in qs.order_by("starts_at", "pk")[offset : offset + limit]]


@router.get("/sessions/{session_id}", response=SessionOut, summary="Une session")
def get_session(request: HttpRequest, session_id: int = ID) -> dict[str, Any]:
    session = _sessions().visible_to(optional_actor(request)).filter(pk=session_id).first()
    if session is None:
        raise HttpError(404, "Session introuvable.")
    return _session_out(session)


def _visible_session(request: HttpRequest, session_id: int) -> Session:
    actor = _actor(request)
    session = Session.objects.visible_to(actor).select_related("module").filter(pk=session_id)
    found = session.first()
    if found is None:
        raise HttpError(404, "Session introuvable.")
    return found


@router.post(
    "/sessions/{session_id}/enrolments",
    response={201: EnrolmentOut},
    auth=token_auth,
    summary="S'inscrire (ou inscrire une personne)",
)
def enrol(request: HttpRequest, payload: EnrolIn, session_id: int = ID) -> Status:
    actor = _actor(request)
    session = _visible_session(request, session_id)
    if payload.learner_email:
        if not (
            permissions.can_manage(actor, session) or permissions.is_school_contact(actor, session)
        ):
            raise HttpError(
                403, "Seuls les coordinateurs et contacts école inscrivent d'autres personnes."
            )
        source = (
            Enrolment.Source.COORDINATOR
            if permissions.can_manage(actor, session)
            else Enrolment.Source.SCHOOL
        )
        enrolment = _call(
            actions.enrol_person,
            actor=actor,
            session=session,
            email=payload.learner_email,
            first_name=payload.first_name,
            last_name=payload.last_name,
            source=source,
        )
    else:
        enrolment = _call(
            actions.enrol,
            actor=actor,
            session=session,
            learner=request.user,
            source=Enrolment.Source.API,
            audience=payload.audience,
        )
    return Status(201, _enrolment_out(enrolment, with_hours=False))


@router.get(
    "/enrolments/mine",
    response=list[EnrolmentOut],
    auth=token_auth,
    summary="Mes inscriptions",
)
def my_enrolments(
    request: HttpRequest,
    limit: int = Query(bounds.PAGE_SIZE, ge=1, le=bounds.MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    enrolments = (
        Enrolment.objects.of_learner(_actor(request).user)
        .for_listing()
        .order_by("-session__starts_at", "-pk")
    )
    return [_enrolment_out(e, with_hours=False) for e in enrolments[offset : offset + limit]]


def _own_enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    enrolment = Enrolment.objects.for_listing().filter(pk=enrolment_id).first()
    if enrolment is None or not permissions.can_cancel(_actor(request), enrolment):
        raise HttpError(404, "Inscription introuvable.")
    return enrolment


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response=EnrolmentOut,
    auth=token_auth,
    summary="Annuler une inscription",
)
def cancel(request: HttpRequest, payload: CancelIn, enrolment_id: int = ID) -> dict[str, Any]:
    enrolment = _own_enrolment(request, enrolment_id)
    enrolment = _call(
        actions.cancel, actor=_actor(request), enrolment=enrolment, reason=payload.reason[:300]
    )
    return _enrolment_out(enrolment, with_hours=False)


def _managed_session(request: HttpRequest, session_id: int) -> Session:
    actor = _actor(request)
    session = Session.objects.select_related("module").filter(pk=session_id).first()
    if session is None or not permissions.can_manage(actor, session):
        raise HttpError(404, "Session introuvable.")
    return session


def _waiting_before(session: Session, first: Enrolment) -> int:
    """How many people wait in the queue ahead of ``first`` (the page's first row)."""
    return (
        session.enrolments.waitlist()
        .filter(Q(queued_at__lt=first.queued_at) | Q(queued_at=first.queued_at, pk__lt=first.pk))
        .count()
    )


@router.get(
    "/sessions/{session_id}/enrolments",
    response=list[EnrolmentOut],
    auth=token_auth,
    summary="Inscriptions d'une session (coordinateurs)",
)
def roster(
    request: HttpRequest,
    session_id: int = ID,
    status: EnrolmentStatus | None = None,
    limit: int = Query(bounds.MAX_PAGE_SIZE, ge=1, le=bounds.MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict]:
    """Une page des inscriptions de la session, dans l'ordre de la file (``limit``,
    ``offset``)."""
    session = _managed_session(request, session_id)
    qs = session.enrolments.for_listing().order_by("queued_at", "pk")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[offset : offset + limit])
    ahead = _waiting_before(session, rows[0]) if rows and offset else 0
    positions = {
        e.pk: i
        for i, e in enumerate((e for e in rows if e.status == "waitlisted"), start=ahead + 1)
    }
    out = []
    for e in rows:
        item = _enrolment_out(e, with_hours=False)
        item["waitlist_position"] = positions.get(e.pk) if status in (None, "waitlisted") else None
        out.append(item)
    return out


@router.post(
    "/enrolments/{enrolment_id}/approve",
    response=EnrolmentOut,
    auth=token_auth,
    summary="Approuver une demande (coordinateurs)",
)
def approve(request: HttpRequest, enrolment_id: int = ID) -> dict[str, Any]:
    enrolment = Enrolment.objects.for_listing().filter(pk=enrolment_id).first()
    if enrolment is None or not permissions.can_manage(_actor(request), enrolment.session):
        raise HttpError(404, "Inscription introuvable.")
    enrolment = _call(actions.approve, actor=_actor(request), enrolment=enrolment)
    return _enrolment_out(enrolment, with_hours=False)


def _attendance_slot(request: HttpRequest, slot_id: int) -> SessionSlot:
    slot = SessionSlot.objects.select_related("session", "session__module").filter(pk=slot_id)
    found = slot.first()
    if found is None or not permissions.can_take_attendance(_actor(request), found.session):
        raise HttpError(404, "Créneau introuvable.")
    return found


@router.get(
    "/slots/{slot_id}/attendance",
    response=list[AttendanceRowOut],
    auth=token_auth,
    summary="La liste d'appel d'un créneau (formateurs)",
)
def attendance_list(request: HttpRequest, slot_id: int = ID) -> list[dict[str, Any]]:
    slot = _attendance_slot(request, slot_id)
    recorded = {a.enrolment_id: a for a in Attendance.objects.filter(slot=slot)}
    roll_query = (
        slot.session.enrolments.filter(status__in=ON_ROLL)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name")
    )
    roll = list(roll_query)
    names = names_seen_by(slot.session.organisation_id, [e.learner for e in roll])
    return [
        {
            "enrolment_id": e.pk,
            "learner_id": e.learner_id,
            "learner_name": names[e.learner_id],
            "present": recorded[e.pk].present if e.pk in recorded else None,
            "method": recorded[e.pk].method if e.pk in recorded else None,
        }
        for e in roll
    ]


@router.post(
    "/slots/{slot_id}/attendance",
    response=RollCallOut,
    auth=token_auth,
    summary="Faire l'appel : tous présents sauf les absents indiqués",
)
def record_attendance(
    request: HttpRequest, payload: RollCallIn, slot_id: int = ID
) -> dict[str, Any]:
    slot = _attendance_slot(request, slot_id)
    result = _call(
        actions.record_roll_call, actor=_actor(request), slot=slot, absent=payload.absent
    )
    return {
        "slot_id": slot.pk,
        "present": result.present,
        "absent": result.absent,
        "completed": [e.pk for e in result.completed],
    }


@router.post(
    "/check-in",
    response=CheckInOut,
    auth=token_auth,
    summary="Présence par QR code (pendant le créneau, personnes inscrites)",
)
def check_in(request: HttpRequest, payload: CheckInIn) -> dict[str, Any]:
    result = _call(actions.check_in, user=request.user, token=payload.token)
    return {"slot_id": result.slot.pk, "session_id": result.session.pk, "present": True}


__all__ = ["router"]
