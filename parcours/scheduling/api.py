"""Scheduling API: resources, availability, bookings, approvals, loans. Same actions as the
pages; a taken slot is a 409 problem+json naming the conflicting bookings with suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts.api import token_auth
from parcours.accounts.models import STAFF_ROLES, Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.lib.ids import MAX_ID
from parcours.lib.problem import problem_response
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import (
    Booking,
    BookingSeries,
    CateringItem,
    CateringLine,
    Loan,
    OutreachActivity,
    Resource,
)
from parcours.scheduling.schemas import (
    AvailabilityOut,
    BookingIn,
    BookingOut,
    CancelIn,
    CateringChangeIn,
    CateringItemIn,
    CateringItemOut,
    ConflictProblem,
    Count,
    Day,
    Id,
    LoanIn,
    LoanOut,
    LoanReturnIn,
    Moment,
    OutreachActivityIn,
    OutreachActivityOut,
    Problem,
    RefuseIn,
    ResourceOut,
    SeriesIn,
    SeriesOut,
)

router = Router(tags=["scheduling"], auth=token_auth)
MAX_LIST = 500


class PageQuery(Schema):
    """Every list is paged: ``offset`` rows skipped, at most ``limit`` (≤ 500) returned."""

    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_LIST)] = MAX_LIST


def _page(qs: Any, page: PageQuery) -> Any:
    return qs[page.offset : page.offset + page.limit]


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor):
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _id(value: int) -> int:
    """A path id: beyond the 64-bit range nothing can exist (0 never matches a row)."""
    return value if 1 <= value <= MAX_ID else 0


def _conflict_response(exc: BookingConflict) -> HttpResponse:
    return problem_response(
        status=409,
        title=_("Créneau déjà réservé"),
        detail=exc.message,
        **exc.as_dict(),
    )


def _error_response(exc: ValidationError | PermissionDenied) -> HttpResponse:
    if isinstance(exc, PermissionDenied):
        return problem_response(status=403, title=str(exc) or _("Accès refusé."))
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return problem_response(
        status=422,
        title=_("Données invalides"),
        detail=" ".join(m for ms in errors.values() for m in ms),
        errors=errors,
    )


def _resource_out(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "kind": r.kind,
        "organisation": r.organisation.slug,
        "site_id": r.site_id,
        "site": r.site.name,
        "capacity": r.capacity,
        "accessible": r.accessible,
        "features": sorted(f.slug for f in r.features.all()),
        "inventory_number": r.inventory_number,
        "requires_approval": r.requires_approval,
        "setup_minutes": r.setup_minutes,
        "cleanup_minutes": r.cleanup_minutes,
    }


def _booking_out(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk,
        "title": b.title,
        "purpose": b.purpose,
        "status": b.status,
        "organisation": b.organisation.slug,
        "site_id": b.site_id,
        "site": b.site.name,
        "resources": sorted(r.resource_id for r in b.reservations.all()),
        "start": b.start,
        "end": b.end,
        "setup_minutes": b.setup_minutes,
        "cleanup_minutes": b.cleanup_minutes,
        "participants": b.participants,
        "requester": str(b.requester),
        "refusal_reason": b.refusal_reason,
        "series_id": b.series_id,
        "source": b.source,
        "source_id": b.source_id,
        "hide_from_lobby": b.hide_from_lobby,
        "catering": [
            {
                "item": line.item.slug,
                "label": line.item.label,
                "count": line.count,
                "serve_at": line.serve_at,
                "note": line.note,
            }
            for line in b.catering_lines.all()
        ],
    }


def _bookings() -> Any:
    return Booking.objects.select_related("organisation", "site", "requester").prefetch_related(
        "reservations", Prefetch("catering_lines", CateringLine.objects.select_related("item"))
    )


def _resources() -> Any:
    return Resource.objects.select_related("organisation", "site").prefetch_related("features")


# --- Resources and availability --------------------------------------------------------------


class ResourceFilter(PageQuery):
    site: Id | None = None
    kind: str | None = None
    capacity: Count | None = None
    features: str | None = None  # comma-separated slugs
    accessible: bool | None = None


@router.get("/resources", response=list[ResourceOut], summary="Ressources réservables")
def list_resources(request: HttpRequest, filters: Query[ResourceFilter]) -> list[dict[str, Any]]:
    qs = _resources().visible_to(_actor(request)).active()
    if filters.site:
        qs = qs.filter(site_id=filters.site)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.accessible is not None:
        qs = qs.filter(accessible=filters.accessible)
    qs = qs.with_capacity(filters.capacity)
    if filters.features:
        qs = qs.with_features(s.strip() for s in filters.features.split(",") if s.strip())
    return [_resource_out(r) for r in _page(qs.order_by("site__name", "name"), filters)]


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceOut, 404: Problem},
    summary="Une ressource",
)
def get_resource(request: HttpRequest, resource_id: int) -> dict[str, Any]:
    resource = _resources().visible_to(_actor(request)).filter(pk=_id(resource_id)).first()
    if resource is None:
        raise HttpError(404, _("Ressource introuvable."))
    return _resource_out(resource)


class AvailabilityQuery(Schema):
    day: Day
    start: dt.time
    end: dt.time
    site: Id | None = None
    capacity: Count | None = None
    features: str | None = None
    kind: str = "room"
    accessible: bool = False


@router.get(
    "/availability",
    response=AvailabilityOut,
    summary="Ressources libres, puis presque libres",
)
def availability(request: HttpRequest, q: Query[AvailabilityQuery]) -> dict[str, Any]:
    actor = _actor(request)
    site = None
    if q.site:
        site = Site.objects.filter(
            pk=q.site, pk__in=Resource.objects.visible_to(actor).values("site_id")
        ).first()
        if site is None:
            raise HttpError(404, _("Site introuvable."))
    result = planning.search_availability(
        actor=actor,
        day=q.day,
        start_time=q.start,
        end_time=q.end,
        site=site,
        capacity=q.capacity,
        features=[s.strip() for s in (q.features or "").split(",") if s.strip()],
        kind=q.kind,
        accessible=q.accessible,
    )
    ids = {o.resource.pk for o in result.free + result.near_misses}
    full = {r.pk: r for r in _resources().filter(pk__in=ids)}

    def opts(options: list[planning.Option]) -> list[dict[str, Any]]:
        return [
            {
                "resource": _resource_out(full[o.resource.pk]),
                "start": o.start,
                "end": o.end,
                "distance_km": o.distance_km,
            }
            for o in options
        ]

    return {
        "free": opts(result.free),
        "other_times": opts(result.other_times),
        "other_sites": opts(result.other_sites),
    }


# --- Bookings ----------------------------------------------------------------------------------


@router.post(
    "/bookings",
    response={201: BookingOut, 403: Problem, 409: ConflictProblem, 422: Problem},
    summary="Réserver ou demander des ressources",
)
def create_booking(request: HttpRequest, payload: BookingIn) -> Any:
    actor = _actor(request)
    visible = set(
        Resource.objects.visible_to(actor)
        .filter(pk__in=payload.resources)
        .values_list("pk", flat=True)
    )
    if not payload.resources or set(payload.resources) - visible:
        raise HttpError(404, _("Ressource introuvable."))
    try:
        booking = actions.book(
            actor=actor,
            resources=payload.resources,
            start=payload.start,
            end=payload.end,
            title=payload.title,
            purpose=payload.purpose,
            setup_minutes=payload.setup_minutes,
            cleanup_minutes=payload.cleanup_minutes,
            participants=payload.participants,
            notes=payload.notes,
            catering=[
                actions.CateringRequest(c.item, c.count, c.serve_at, c.note)
                for c in payload.catering
            ],
            hide_from_lobby=payload.hide_from_lobby,
        )
    except BookingConflict as exc:
        return _conflict_response(exc)
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(201, _booking_out(_bookings().get(pk=booking.pk)))


class BookingFilter(PageQuery):
    mine: bool = False
    site: Id | None = None
    status: str | None = None
    start: Moment | None = None  # bookings ending after this
    end: Moment | None = None  # bookings starting before this


@router.get("/bookings", response=list[BookingOut], summary="Réservations visibles")
def list_bookings(request: HttpRequest, filters: Query[BookingFilter]) -> list[dict[str, Any]]:
    actor = _actor(request)
    qs = _bookings().visible_to(actor)
    if filters.mine:
        qs = qs.filter(requester=actor.user)
    if filters.site:
        qs = qs.filter(site_id=filters.site)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.filter(end__gt=filters.start or timezone.now() - dt.timedelta(days=30))
    if filters.end:
        qs = qs.filter(start__lt=filters.end)
    return [_booking_out(b) for b in _page(qs.order_by("start"), filters)]


def _visible_booking(request: HttpRequest, booking_id: int) -> Booking:
    booking = _bookings().visible_to(_actor(request)).filter(pk=_id(booking_id)).first()
    if booking is None:
        raise HttpError(404, _("Réservation introuvable."))
    return booking


@router.get(
    "/bookings/{booking_id}", response={200: BookingOut, 404: Problem}, summary="Une réservation"
)
def get_booking(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return _booking_out(_visible_booking(request, booking_id))


def _decide(request: HttpRequest, booking_id: int, fn: Any, **kwargs: Any) -> Any:
    booking = _visible_booking(request, booking_id)
    try:
        fn(actor=_actor(request), booking=booking, **kwargs)
    except BookingConflict as exc:
        return _conflict_response(exc)
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(200, _booking_out(_bookings().get(pk=booking.pk)))


DECISION = {200: BookingOut, 403: Problem, 404: Problem, 409: ConflictProblem, 422: Problem}


@router.post("/bookings/{booking_id}/cancel", response=DECISION, summary="Annuler")
def cancel_booking(request: HttpRequest, booking_id: int, payload: CancelIn) -> Any:
    return _decide(request, booking_id, actions.cancel_booking, reason=payload.reason)


@router.post("/bookings/{booking_id}/approve", response=DECISION, summary="Approuver une demande")
def approve_booking(request: HttpRequest, booking_id: int) -> Any:
    return _decide(request, booking_id, actions.approve_booking)


@router.post("/bookings/{booking_id}/refuse", response=DECISION, summary="Refuser une demande")
def refuse_booking(request: HttpRequest, booking_id: int, payload: RefuseIn) -> Any:
    return _decide(request, booking_id, actions.refuse_booking, reason=payload.reason)


@router.get("/approvals", response=list[BookingOut], summary="Demandes à traiter (logistique)")
def pending_approvals(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    qs = _bookings().pending().decidable_by(_actor(request)).upcoming().order_by("start")
    return [_booking_out(b) for b in _page(qs, page)]


# --- Loans -------------------------------------------------------------------------------------


def _loan_out(loan: Loan, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "resource_id": loan.resource_id,
        "resource": loan.resource.name,
        "inventory_number": loan.resource.inventory_number,
        "borrower": loan.borrower.email,
        "start": loan.start,
        "due": loan.due,
        "returned_at": loan.returned_at,
        "overdue": loan.returned_at is None and loan.due < now,
        "booking_id": loan.booking_id,
    }


def _loans(actor: Actor) -> Any:
    qs = Loan.objects.select_related("resource", "borrower")
    if actor.is_platform_admin:
        return qs
    return qs.filter(organisation__in=actor.orgs_with_role("logistics")) | qs.filter(
        borrower=actor.user
    )


@router.get("/loans", response=list[LoanOut], summary="Prêts de matériel")
def list_loans(
    request: HttpRequest, page: Query[PageQuery], outstanding: bool = False
) -> list[dict[str, Any]]:
    qs = _loans(_actor(request))
    if outstanding:
        qs = qs.filter(returned_at__isnull=True)
    now = timezone.now()
    return [_loan_out(loan, now) for loan in _page(qs.order_by("-start"), page)]


@router.post(
    "/loans",
    response={201: LoanOut, 403: Problem, 404: Problem, 409: ConflictProblem, 422: Problem},
    summary="Prêter du matériel",
)
def create_loan(request: HttpRequest, payload: LoanIn) -> Any:
    actor = _actor(request)
    # Permission first, then look-ups inside the actor's own scope: the answer never depends on
    # what exists in another organisation (no 403/404 oracle on resources or borrowers).
    managed = actor.orgs_with_role(Role.LOGISTICS)
    if not (actor.is_platform_admin or managed):
        return _error_response(PermissionDenied(_("Seule la logistique prête du matériel.")))
    resources = Resource.objects.all()
    if not actor.is_platform_admin:
        resources = resources.filter(organisation_id__in=managed)
    resource = resources.filter(pk=payload.resource).first()
    if resource is None:
        raise HttpError(404, _("Ressource introuvable."))
    borrower = User.objects.filter(
        email__iexact=payload.borrower, memberships__organisation_id=resource.organisation_id
    ).first()
    if borrower is None:
        raise HttpError(404, _("Emprunteur introuvable dans cette organisation."))
    try:
        loan = actions.lend(
            actor=actor,
            resource=resource,
            borrower=borrower,
            start=payload.start,
            due=payload.due,
            condition_out=payload.condition_out,
        )
    except BookingConflict as exc:
        return _conflict_response(exc)
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(
        201,
        _loan_out(
            Loan.objects.select_related("resource", "borrower").get(pk=loan.pk), timezone.now()
        ),
    )


@router.post(
    "/loans/{loan_id}/return",
    response={200: LoanOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Enregistrer un retour",
)
def return_loan(request: HttpRequest, loan_id: int, payload: LoanReturnIn) -> Any:
    actor = _actor(request)
    loan = _loans(actor).filter(pk=_id(loan_id)).first()
    if loan is None:
        raise HttpError(404, _("Prêt introuvable."))
    try:
        actions.return_loan(
            actor=actor,
            loan=loan,
            returned_at=payload.returned_at,
            condition_in=payload.condition_in,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(
        200,
        _loan_out(
            Loan.objects.select_related("resource", "borrower").get(pk=loan.pk), timezone.now()
        ),
    )


# --- Catering items, catering after booking ----------------------------------------------------


def _item_out(item: CateringItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "organisation": item.organisation.slug,
        "slug": item.slug,
        "label_fr": item.label_fr,
        "label_en": item.label_en,
        "is_active": item.is_active,
    }


@router.get("/catering-items", response=list[CateringItemOut], summary="Articles de catering")
def list_catering_items(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    actor = _actor(request)
    qs = CateringItem.objects.select_related("organisation")
    if not actor.is_platform_admin:
        qs = qs.filter(organisation_id__in=actor.orgs_with_role(*STAFF_ROLES))
    return [_item_out(i) for i in _page(qs.order_by("organisation__slug", "label_fr"), page)]


@router.post(
    "/catering-items",
    response={201: CateringItemOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Ajouter un article de catering (logistique)",
)
def create_catering_item(request: HttpRequest, payload: CateringItemIn) -> Any:
    actor = _actor(request)
    managed = actor.orgs_with_role(Role.LOGISTICS)
    if not (actor.is_platform_admin or managed):
        return _error_response(PermissionDenied(_("Réservé à la logistique.")))
    orgs = Organisation.objects.all()
    if not actor.is_platform_admin:
        orgs = orgs.filter(pk__in=managed)
    org = orgs.filter(slug=payload.organisation).first()
    if org is None:
        raise HttpError(404, _("Organisation introuvable."))
    try:
        item = actions.create_catering_item(
            actor=actor,
            organisation=org,
            slug=slugify(payload.label_fr)[:50],
            label_fr=payload.label_fr,
            label_en=payload.label_en,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(201, _item_out(item))


@router.put(
    "/bookings/{booking_id}/catering",
    response=DECISION,
    summary="Modifier le catering d'une réservation",
)
def change_catering(request: HttpRequest, booking_id: int, payload: CateringChangeIn) -> Any:
    return _decide(
        request,
        booking_id,
        actions.set_catering,
        lines=[
            actions.CateringRequest(c.item, c.count, c.serve_at, c.note) for c in payload.catering
        ],
    )


# --- Recurring bookings ------------------------------------------------------------------------


def _series_out(
    series: BookingSeries, result: actions.SeriesResult | None = None
) -> dict[str, Any]:
    return {
        "id": series.pk,
        "title": series.title,
        "first_date": series.first_date,
        "until": series.until,
        "weekdays": list(series.weekdays),
        "start_time": series.start_time,
        "end_time": series.end_time,
        "bookings": list(
            Booking.objects.filter(series=series).order_by("start").values_list("pk", flat=True)
        ),
        "skipped": result.skipped if result else [],
        "conflicted": result.conflicted if result else [],
    }


def _visible_series(request: HttpRequest, series_id: int) -> BookingSeries:
    actor = _actor(request)
    qs = BookingSeries.objects.all()
    if not actor.is_platform_admin:
        planners = actor.orgs_with_role(Role.LOGISTICS, Role.COORDINATOR, Role.TRAINER)
        qs = qs.filter(Q(organisation_id__in=planners) | Q(created_by=actor.user))
    series = qs.filter(pk=_id(series_id)).first()
    if series is None:
        raise HttpError(404, _("Série introuvable."))
    return series


@router.post(
    "/series",
    response={201: SeriesOut, 403: Problem, 404: Problem, 409: ConflictProblem, 422: Problem},
    summary="Réserver une série (réservation récurrente)",
)
def create_series(request: HttpRequest, payload: SeriesIn) -> Any:
    actor = _actor(request)
    visible = set(
        Resource.objects.visible_to(actor)
        .filter(pk__in=payload.resources)
        .values_list("pk", flat=True)
    )
    if set(payload.resources) - visible:
        raise HttpError(404, _("Ressource introuvable."))
    try:
        result = actions.book_series(
            actor=actor,
            resources=payload.resources,
            first_date=payload.first_date,
            until=payload.until,
            weekdays=payload.weekdays,
            start_time=payload.start_time,
            end_time=payload.end_time,
            title=payload.title,
            interval_weeks=payload.interval_weeks,
            skip_holidays=payload.skip_holidays,
            skip_conflicts=payload.skip_conflicts,
            participants=payload.participants,
        )
    except BookingConflict as exc:
        return _conflict_response(exc)
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(201, _series_out(result.series, result))


@router.get("/series/{series_id}", response={200: SeriesOut, 404: Problem}, summary="Une série")
def get_series(request: HttpRequest, series_id: int) -> dict[str, Any]:
    return _series_out(_visible_series(request, series_id))


@router.post(
    "/series/{series_id}/cancel",
    response={200: SeriesOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Annuler les dates à venir d'une série",
)
def cancel_series(request: HttpRequest, series_id: int, payload: CancelIn) -> Any:
    series = _visible_series(request, series_id)
    try:
        actions.cancel_series(
            actor=_actor(request),
            series=series,
            from_date=planning.local_day(timezone.now()),
            reason=payload.reason,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(200, _series_out(series))


# --- Outreach activities -----------------------------------------------------------------------


def _activity_out(a: OutreachActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "slug": a.slug,
        "title": a.title,
        "audience": a.audience,
        "max_pupils_per_day": a.max_pupils_per_day,
        "is_active": a.is_active,
    }


@router.get(
    "/outreach-activities",
    response=list[OutreachActivityOut],
    summary="Animations proposées par les unités mobiles",
)
def list_outreach_activities(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    actor = _actor(request)
    qs = OutreachActivity.objects.select_related("unit")
    if not actor.is_platform_admin:
        qs = qs.filter(unit__in=Resource.objects.visible_to(actor))
    return [_activity_out(a) for a in _page(qs.order_by("unit__name", "title_fr"), page)]


@router.post(
    "/outreach-activities",
    response={201: OutreachActivityOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Ajouter ou mettre à jour une animation (logistique)",
)
def create_outreach_activity(request: HttpRequest, payload: OutreachActivityIn) -> Any:
    actor = _actor(request)
    managed = actor.orgs_with_role(Role.LOGISTICS)
    if not (actor.is_platform_admin or managed):
        return _error_response(PermissionDenied(_("Réservé à la logistique.")))
    units = Resource.objects.filter(kind=Resource.Kind.MOBILE_UNIT)
    if not actor.is_platform_admin:
        units = units.filter(organisation_id__in=managed)
    unit = units.filter(pk=payload.unit).first()
    if unit is None:
        raise HttpError(404, _("Unité mobile introuvable."))
    try:
        activity = actions.create_outreach_activity(
            actor=actor,
            unit=unit,
            slug=slugify(payload.title_fr)[:60],
            title_fr=payload.title_fr,
            title_en=payload.title_en,
            description_fr=payload.description_fr,
            description_en=payload.description_en,
            audience=payload.audience,
            max_pupils_per_day=payload.max_pupils_per_day,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _error_response(exc)
    return Status(201, _activity_out(activity))
