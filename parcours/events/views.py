"""Event pages. Public: the programme and its registration form, the confirmation link, the
ticket. Staff: the events list, an event's page (figures, tracks, workshops), creating
workshops from a grid or a file, the check-in page, the CSV export. Thin: the role is checked
before any look-up, reads are scoped to the organisation, writes go through ``events.actions``.
"""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts import throttle
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import require_role
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import ACTIVE, SEAT_HOLDING, SessionStatus
from parcours.events import actions, querysets
from parcours.events.forms import EventForm, GridForm, TrackForm, UploadForm, VisitorForm
from parcours.events.models import Event, Registration, Workshop
from parcours.lib import exports
from parcours.lib.http import AuthedRequest
from parcours.lib.ids import parse_id
from parcours.lib.pdf import render_pdf
from parcours.lib.tables import TableError, read_table

MAX_UPLOAD = 2 * 1024 * 1024
COLUMNS = ("jour", "debut", "fin", "piste", "titre", "module", "places")


def _org(request: AuthedRequest, roles: tuple[str, ...] = actions.MANAGERS) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Choisissez d'abord une organisation."))
    require_role(request.actor, org, roles)
    return org


def _event(request: AuthedRequest, pk: int, roles: tuple[str, ...] = actions.MANAGERS) -> Event:
    org = _org(request, roles)
    return get_object_or_404(Event.objects.select_related("organisation"), pk=pk, organisation=org)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Staff -------------------------------------------------------------------------------------


@login_required
def event_list(request: AuthedRequest) -> HttpResponse:
    org = _org(request)
    form = EventForm(org, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                event = actions.create_event(
                    actor=request.actor, organisation=org, data=form.data_()
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                return redirect("events:detail", pk=event.pk)
        status = 422
    events = Event.objects.filter(organisation=org).order_by("-starts_on")[:100]
    return render(request, "events/list.html", {"events": events, "form": form}, status=status)


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    track_form = TrackForm(event, request.POST or None)
    status = 200
    if request.method == "POST":
        if track_form.is_valid():
            try:
                actions.add_track(
                    actor=request.actor,
                    event=event,
                    name=track_form.cleaned_data["name"],
                    room_id=track_form.room_id(),
                )
            except ValidationError as exc:
                _attach(track_form, exc)
            else:
                messages.success(request, _("Piste ajoutée."))
                return redirect("events:detail", pk=event.pk)
        status = 422
    rows = querysets.workshop_figures(event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "tracks": event.tracks.select_related("room"),
            "rows": rows,
            "totals": querysets.event_figures(event, rows),
            "track_form": track_form,
            "public_url": reverse("events:programme", args=[event.organisation.slug, event.slug]),
        },
        status=status,
    )


def _rows_from_grid(form: GridForm, event: Event) -> list[actions.WorkshopRow]:
    return form.rows()


def _rows_from_upload(upload: Any) -> list[actions.WorkshopRow]:
    content = upload.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise TableError(_("Fichier trop volumineux (2 Mo au plus)."))
    table = read_table(
        upload.name or "",
        content,
        max_columns=len(COLUMNS) + 5,
        max_unzipped=20 * MAX_UPLOAD,
        max_rows=actions.MAX_ROWS + 1,
    )
    rows: list[actions.WorkshopRow] = []
    header: list[str] | None = None
    with contextlib.closing(table):
        for number, values in table:
            if header is None:
                header = [_simplify(v) for v in values]
                missing = [c for c in COLUMNS if c not in header and c != "module"]
                if missing:
                    raise TableError(
                        _("Colonnes manquantes : %(c)s (attendu : %(all)s).")
                        % {"c": ", ".join(missing), "all": ", ".join(COLUMNS)}
                    )
                continue
            if not any(v.strip() for v in values):
                continue
            cell = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
            rows.append(
                actions.WorkshopRow(
                    line=number,
                    day=cell.get("jour", ""),
                    start=cell.get("debut", ""),
                    end=cell.get("fin", ""),
                    track=cell.get("piste", ""),
                    title=cell.get("titre", ""),
                    module=cell.get("module", ""),
                    capacity=cell.get("places", ""),
                )
            )
            if len(rows) > actions.MAX_ROWS:
                raise TableError(_("%(n)d ateliers au plus à la fois.") % {"n": actions.MAX_ROWS})
    return rows


def _simplify(text: str) -> str:
    text = text.strip().lower()
    return text.replace("é", "e").replace("è", "e").replace("û", "u")


def _rows_to_json(rows: list[actions.WorkshopRow]) -> str:
    return json.dumps([r.__dict__ for r in rows])


def _rows_from_json(text: str) -> list[actions.WorkshopRow]:
    try:
        data = json.loads(text[: 400 * actions.MAX_ROWS])
        rows = [
            actions.WorkshopRow(
                line=int(item["line"]),
                **{
                    k: str(item.get(k, ""))[:300]
                    for k in ("day", "start", "end", "track", "title", "module", "capacity")
                },
            )
            for item in data[: actions.MAX_ROWS]
        ]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise TableError(_("Aperçu illisible : recommencez.")) from None
    return rows


@login_required
def workshops_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Create many workshops: a grid (time slots x tracks) or a CSV/XLSX file, then a preview
    (created / refused and why), then one transaction."""
    event = _event(request, pk)
    grid = GridForm(event, request.POST if request.POST.get("source") == "grid" else None)
    upload = UploadForm(
        request.POST if request.POST.get("source") == "file" else None,
        request.FILES if request.POST.get("source") == "file" else None,
    )
    context: dict[str, Any] = {"event": event, "grid": grid, "upload": upload, "columns": COLUMNS}
    status = 200
    if request.method == "POST":
        rows: list[actions.WorkshopRow] | None = None
        try:
            if request.POST.get("source") == "preview":
                rows = _rows_from_json(request.POST.get("rows", ""))
            elif request.POST.get("source") == "file" and upload.is_valid():
                rows = _rows_from_upload(upload.cleaned_data["file"])
            elif request.POST.get("source") == "grid" and grid.is_valid():
                rows = grid.rows()
        except TableError as exc:
            upload.add_error("file", str(exc))
        if rows is None:
            status = 422
        elif request.POST.get("confirm") == "1":
            try:
                created = actions.create_workshops(actor=request.actor, event=event, rows=rows)
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
                status = 409
            else:
                messages.success(request, _("%(n)d ateliers créés.") % {"n": len(created)})
                return redirect("events:detail", pk=event.pk)
        if rows is not None:
            checked = actions.check_rows(event, rows)
            context.update(
                checked=checked,
                ok=[c for c in checked if c.ok],
                refused=[c for c in checked if not c.ok],
                rows_json=_rows_to_json(rows),
            )
    return render(request, "events/workshops_new.html", context, status=status)


@login_required
@require_POST
def workshop_edit(request: AuthedRequest, pk: int, wid: int) -> HttpResponse:
    event = _event(request, pk)
    workshop = get_object_or_404(
        Workshop.objects.select_related("session", "event"), pk=wid, event=event
    )
    try:
        if request.POST.get("cancel") == "1":
            actions.cancel_workshop(actor=request.actor, workshop=workshop)
            messages.success(request, _("Atelier annulé ; les inscrits sont prévenus."))
        else:
            capacity = parse_id(request.POST.get("capacity"))
            if capacity is None:
                raise ValidationError(_("Places : un nombre entier."))
            actions.update_workshop(
                actor=request.actor,
                workshop=workshop,
                title=request.POST.get("title", "")[:300],
                capacity=min(capacity, 10_001),
            )
            messages.success(request, _("Atelier modifié."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("events:detail", pk=event.pk)
    return redirect("events:detail", pk=event.pk)


@login_required
def export_csv(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    event = _event(request, pk)
    rows = querysets.workshop_figures(event)
    header = [
        _("Atelier"),
        _("Piste"),
        _("Début"),
        _("Fin"),
        _("Places"),
        _("Inscrits"),
        _("dont à confirmer"),
        _("Liste d'attente"),
        _("Présents"),
        _("Absents"),
        _("Taux de remplissage (%)"),
        _("Statut"),
    ]
    from parcours.lib.dates import format_datetime

    body = (
        [
            r.workshop.title,
            r.workshop.track.name if r.workshop.track else "",
            format_datetime(r.workshop.session.starts_at, "short"),
            format_datetime(r.workshop.session.ends_at, "short"),
            r.capacity,
            r.registered,
            r.pending,
            r.waitlisted,
            r.checked_in,
            r.no_shows,
            r.fill_rate,
            r.workshop.session.get_status_display(),
        ]
        for r in rows
    )
    response = StreamingHttpResponse(exports.stream_csv(header, body), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="evenement-{event.slug}.csv"'
    return response


@login_required
def checkin(request: AuthedRequest, pk: int) -> HttpResponse:
    """The door: pick the workshop, scan a ticket (camera, progressive) or type its code or a
    name. A scan posts the code; the answer says what happened, in words and colour."""
    event = _event(request, pk, actions.DOOR_STAFF)
    workshops = list(
        Workshop.objects.filter(event=event)
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session", "track")
        .order_by("session__starts_at", "track__position")
    )
    chosen_id = parse_id(request.POST.get("workshop") or request.GET.get("atelier"))
    chosen = next((w for w in workshops if w.pk == chosen_id), None)
    result = None
    found: list[Any] = []
    status = 200
    query = (request.GET.get("q") or "").strip()[:100]
    if request.method == "POST":
        if chosen is None:
            status = 422
            result = actions.CheckIn("refused", _("Choisissez d'abord l'atelier."))
        else:
            result = actions.check_in(
                actor=request.actor,
                event=event,
                workshop=chosen,
                code=request.POST.get("code", "")[:100],
            )
            status = 200 if result.outcome in ("ok", "already") else 409
    elif query and chosen is not None:
        found = list(
            Registration.objects.filter(event=event)
            .filter(
                person__enrolments__session_id=chosen.session_id,
                person__enrolments__status__in=ACTIVE,
            )
            .filter(_name_query(query))
            .select_related("person")
            .distinct()
            .order_by("person__last_name")[:20]
        )
    return render(
        request,
        "events/checkin.html",
        {
            "event": event,
            "workshops": workshops,
            "chosen": chosen,
            "result": result,
            "query": query,
            "found": found,
            "can_cancel": request.actor.has_role(event.organisation_id, *actions.MANAGERS),
        },
        status=status,
    )


def _name_query(query: str) -> Any:
    from django.db.models import Q

    code = actions.normalise_code(query)
    q = Q(person__last_name__icontains=query) | Q(person__first_name__icontains=query)
    if code:
        q |= Q(ticket_code=code)
    return q


# --- Public ------------------------------------------------------------------------------------


def _public_event(org_slug: str, slug: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("organisation").filter(is_public=True),
        organisation__slug=org_slug[:100],
        slug=slug[:80],
    )


def programme(request: AuthedRequest, org_slug: str, slug: str) -> HttpResponse:
    """The public programme (time x track grid; ``?jour=`` and ``?piste=`` filter) and the
    registration form: tick workshops, then register (signed in) or give a name and an e-mail
    (light account, when the event allows it)."""
    event = _public_event(org_slug, slug)
    days = querysets.event_days(event)
    day = next((d for d in days if d.isoformat() == request.GET.get("jour", "")[:10]), None)
    track_id = parse_id(request.GET.get("piste"))
    signed_in = request.user.is_authenticated
    form = VisitorForm(request.POST or None) if not signed_in else None
    status = 200
    error = ""
    chosen: set[int] = set()
    if request.method == "POST":
        if limited := throttle.consume_or_429(request, "events_register"):
            return limited
        chosen = {i for i in (parse_id(v) for v in request.POST.getlist("atelier")[:100]) if i}
        try:
            if signed_in:
                result = actions.register(actor=request.actor, event=event, session_ids=chosen)
                return _to_ticket(result.registration)
            if form is not None and form.is_valid():
                actions.request_registration(
                    event=event,
                    data=actions.VisitorData(
                        email=form.cleaned_data["email"],
                        first_name=form.cleaned_data["first_name"],
                        last_name=form.cleaned_data["last_name"],
                    ),
                    session_ids=chosen,
                )
                return render(request, "events/check_your_mail.html", {"event": event})
            status = 422
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                _attach(form, exc)
            else:
                error = " ".join(exc.messages)
            status = 409 if getattr(exc, "code", "") in ("overlap", "full", "closed") else 422
        except PermissionDenied as exc:
            error = str(exc) or _("Connectez-vous pour vous inscrire.")
            status = 403
    tracks, grid = querysets.programme(event, day=day, track_id=track_id)
    mine: set[int] = set()
    my_ticket = ""
    if signed_in:
        mine_registration = (
            Registration.objects.filter(event=event, person=request.user)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        if mine_registration is not None:
            my_ticket = reverse("events:ticket", args=[actions.ticket_token(mine_registration)])
        mine = set(
            Enrolment.objects.filter(
                learner=request.user, session__workshop__event=event, status__in=ACTIVE
            ).values_list("session_id", flat=True)
        )
    return render(
        request,
        "events/programme.html",
        {
            "event": event,
            "days": days,
            "day": day,
            "all_tracks": event.tracks.all(),
            "track_id": track_id,
            "tracks": tracks,
            "grid": grid,
            "form": form,
            "error": error,
            "chosen": chosen,
            "mine": mine,
            "my_ticket": my_ticket,
        },
        status=status,
    )


def _to_ticket(registration: Registration) -> HttpResponse:
    """The ticket, with the summary of what was just registered (``?inscription=1``; no
    session write: one write transaction less per registration)."""
    url = reverse("events:ticket", args=[actions.ticket_token(registration)])
    return redirect(f"{url}?inscription=1")


def confirm(request: AuthedRequest, secret: str) -> HttpResponse:
    """The confirmation link: a page with one button (link checkers that open the link do
    not register anybody); the button registers the chosen workshops."""
    registration = actions.find_pending(secret)
    if registration is None:
        return render(request, "events/confirm_gone.html", status=404)
    if request.method == "POST":
        if limited := throttle.consume_or_429(request, "events_confirm"):
            return limited
        try:
            result = actions.confirm_registration(secret=secret)
        except ValidationError as exc:
            return render(
                request,
                "events/confirm.html",
                {"registration": registration, "error": " ".join(exc.messages)},
                status=409,
            )
        return _to_ticket(result.registration)
    wanted = list(
        Workshop.objects.filter(event=registration.event, session_id__in=registration.wanted)
        .select_related("session")
        .order_by("session__starts_at")
    )
    return render(request, "events/confirm.html", {"registration": registration, "wanted": wanted})


def qr_data_uri(payload: str) -> str:
    svg = segno.make(payload, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _ticket_seats(registration: Registration) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(
            learner=registration.person, session__workshop__event=registration.event
        )
        .exclude(status__in=("cancelled", "rejected"))
        .select_related("session", "session__workshop", "session__workshop__track")
        .order_by("session__starts_at")
    )


def ticket_pdf(request: AuthedRequest, token: str) -> HttpResponse:
    """The ticket as a PDF (lib.pdf: tagged, resources embedded): the same QR code and list."""
    registration = actions.registration_from_ticket(token)
    if registration is None:
        raise Http404
    html = render_to_string(
        "events/ticket_pdf.html",
        {
            "registration": registration,
            "event": registration.event,
            "seats": _ticket_seats(registration),
            "qr": qr_data_uri(registration.ticket_code),
        },
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="billet-{registration.ticket_code}.pdf"'
    return response


def _title(seat: Any) -> str:
    """A ticket seat's workshop title (the session's reverse one-to-one to its workshop)."""
    return str(seat.session.workshop.title)


def ticket(request: AuthedRequest, token: str) -> HttpResponse:
    """The visitor's ticket (the signed link is the key): their workshops, the QR code (its
    payload is the ticket code staff can also type)."""
    registration = actions.registration_from_ticket(token)
    if registration is None:
        raise Http404
    seats = _ticket_seats(registration)
    summary = None
    if request.GET.get("inscription") == "1":
        summary = {
            "confirmed": [_title(s) for s in seats if s.status in SEAT_HOLDING],
            "waitlisted": [_title(s) for s in seats if s.status == "waitlisted"],
        }
    return render(
        request,
        "events/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "seats": seats,
            "qr": qr_data_uri(registration.ticket_code),
            "summary": summary,
            "token": token,
        },
    )


# --- Cancelling --------------------------------------------------------------------------------


def ticket_cancel(request: AuthedRequest, token: str) -> HttpResponse:
    """The visitor cancels one workshop (``atelier``: its session id) or their whole
    registration from their ticket (the signed link is the key): a confirmation page, then
    the button (POST, CSRF)."""
    registration = actions.registration_from_ticket(token)
    if registration is None:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    session_id = parse_id(source.get("atelier"))
    seats = _ticket_seats(registration)
    seat = next((s for s in seats if s.session_id == session_id), None)
    if session_id is not None and seat is None and request.method != "POST":
        raise Http404
    ticket = reverse("events:ticket", args=[token])
    error = ""
    if request.method == "POST":
        if limited := throttle.consume_or_429(request, "events_confirm"):
            return limited
        try:
            done = actions.cancel_by_visitor(registration=registration, session_id=session_id)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if done.already:
                messages.info(request, _("Rien à annuler : c'était déjà fait."))
            elif session_id is None:
                messages.success(
                    request, _("Votre inscription est annulée. Merci de nous avoir prévenus.")
                )
            else:
                messages.success(
                    request,
                    _("Atelier annulé : %(t)s. Votre place est libérée.")
                    % {"t": ", ".join(w.title for w in done.workshops)},
                )
            return redirect(ticket)
    return render(
        request,
        "events/ticket_cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "seat": seat,
            "seats": seats,
            "session_id": session_id,
            "ticket": ticket,
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
def staff_cancel(request: AuthedRequest, pk: int, rid: int) -> HttpResponse:
    """A coordinator cancels a ticket, with a reason (audited): every seat is freed."""
    event = _event(request, pk)
    registration = get_object_or_404(
        Registration.objects.select_related("event", "event__organisation", "person"),
        pk=rid,
        event=event,
    )
    error = ""
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:300]
        try:
            done = actions.cancel_ticket(
                actor=request.actor, registration=registration, reason=reason
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if done.already:
                messages.info(request, _("Ce billet était déjà annulé."))
            else:
                messages.success(
                    request,
                    _("Billet %(c)s annulé : les places sont libérées.")
                    % {"c": registration.ticket_code},
                )
            return redirect("events:checkin", pk=event.pk)
    return render(
        request,
        "events/staff_cancel.html",
        {
            "event": event,
            "registration": registration,
            "seats": _ticket_seats(registration),
            "reason": reason,
            "error": error,
        },
        status=422 if error else 200,
    )
