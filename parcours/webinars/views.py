"""Webinar pages: a session's webinar details, the join page, the participant-report import
(upload → preview → confirm), the attendance it gave, the organisation's rule; the replay
library, a replay's page, its captions and the player's beacon; the replays' management.

Thin: the role is checked first, reads are scoped to the current organisation (404 for another
tenant's objects), writes go through ``webinars.actions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import require_role
from parcours.catalogue.models import Module
from parcours.enrolment import permissions as enrolment_permissions
from parcours.enrolment.models import Session
from parcours.enrolment.states import ON_ROLL
from parcours.lib.http import AuthedRequest
from parcours.lib.ids import parse_id
from parcours.webinars import actions
from parcours.webinars.forms import (
    MappingForm,
    PolicyForm,
    ReplayForm,
    UploadForm,
    ViewingUploadForm,
    WebinarForm,
    key_labels,
)
from parcours.webinars.models import (
    ParticipantMinutes,
    Replay,
    ReportUpload,
    Webinar,
    WebinarPolicy,
)
from parcours.webinars.players import csp_for, player_for
from parcours.webinars.report import reasons

PAGE_SIZE = 50
SHOWN_IGNORED = 200
SHOWN_PEOPLE = 500


def _org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Choisissez d'abord une organisation."))
    return org


def _manager_org(request: AuthedRequest) -> Organisation:
    org = _org(request)
    require_role(request.actor, org, actions.MANAGERS)
    return org


def _staff_org(request: AuthedRequest) -> Organisation:
    org = _org(request)
    require_role(request.actor, org, (Role.COORDINATOR, Role.TRAINER))
    return org


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _webinar(request: AuthedRequest, pk: int) -> Webinar:
    """A webinar of the current organisation that the person may import attendance for."""
    org = _staff_org(request)
    webinar = get_object_or_404(
        Webinar.objects.select_related("session__module", "session__organisation"),
        pk=pk,
        organisation=org,
    )
    if not enrolment_permissions.can_take_attendance(request.actor, webinar.session):
        raise PermissionDenied(
            _("Seuls les formateurs de la session et les coordinateurs importent les présences.")
        )
    return webinar


@login_required
def webinar_list(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    webinars = (
        Webinar.objects.filter(organisation=org)
        .select_related("session__module")
        .order_by("-session__starts_at", "-pk")
    )
    page = Paginator(webinars, PAGE_SIZE).get_page(request.GET.get("page"))
    policy = WebinarPolicy.objects.filter(organisation=org).first()
    return render(
        request,
        "webinars/list.html",
        {"page": page, "webinars": page.object_list, "org": org, "policy": policy},
    )


@login_required
def policy(request: AuthedRequest) -> HttpResponse:
    org = _manager_org(request)
    current = WebinarPolicy.objects.filter(organisation=org).first()
    form = PolicyForm(
        request.POST or None,
        initial={"presence_percent": current.presence_percent if current else 75},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_policy(
                actor=request.actor,
                organisation=org,
                presence_percent=form.cleaned_data["presence_percent"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Règle de présence enregistrée."))
            return redirect("webinars:list")
    status = 422 if request.method == "POST" else 200
    return render(request, "webinars/policy.html", {"form": form}, status=status)


@login_required
def session_webinar(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Make a session a webinar, or change its details (coordinators)."""
    org = _manager_org(request)
    session = get_object_or_404(
        Session.objects.select_related("module"), pk=session_id, organisation=org
    )
    webinar = Webinar.objects.filter(session=session).first()
    initial = (
        {
            "provider": webinar.provider,
            "live_url": webinar.live_url,
            "show_link_minutes": webinar.show_link_minutes,
            "presence_percent": webinar.presence_percent,
        }
        if webinar
        else {"show_link_minutes": 15}
    )
    form = WebinarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_webinar(actor=request.actor, session=session, data=form.data_object())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Webinaire enregistré."))
            return redirect("enrolment:manage_detail", pk=session.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "webinars/session_webinar.html",
        {"form": form, "session": session, "webinar": webinar},
        status=status,
    )


def join(request: AuthedRequest, session_id: int) -> HttpResponse:
    """The join page (the session's "virtual class" link points here): the « Rejoindre »
    button and the live link only for registered people and staff, only in the window."""
    session = get_object_or_404(
        Session.objects.select_related("module", "organisation"), pk=session_id
    )
    actor = request.actor if request.user.is_authenticated else None
    if not enrolment_permissions.can_see_session(actor, session):
        raise Http404
    webinar = get_object_or_404(Webinar, session=session)
    webinar.session = session
    now = timezone.now()
    window = actions.link_window(webinar)
    return render(
        request,
        "webinars/join.html",
        {
            "session": session,
            "webinar": webinar,
            "link": actions.live_link(actor, webinar, now),
            "may_join": actions.may_join(actor, webinar),
            "opens": window[0] if window else None,
            "ended": bool(window and now > window[1]),
        },
    )


@login_required
def report_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    webinar = _webinar(request, pk)
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"provider": webinar.provider}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = actions.upload_report(
                actor=request.actor,
                webinar=webinar,
                filename=upload.name or "",
                content=upload.read(actions.MAX_REPORT_BYTES + 1),
                provider=form.cleaned_data["provider"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("webinars:report_preview", pk=webinar.pk, upload_id=kept.pk)
    status = 422 if request.method == "POST" else 200
    reports = list(webinar.reports.select_related("imported_by")[:20])
    return render(
        request,
        "webinars/report_upload.html",
        {"form": form, "webinar": webinar, "session": webinar.session, "reports": reports},
        status=status,
    )


@login_required
def report_preview(request: AuthedRequest, pk: int, upload_id: int) -> HttpResponse:
    """GET: the preview with the proposed columns. POST ``apercu``: the preview again with the
    columns chosen; POST ``confirmer``: the import (one transaction), then the attendance."""
    webinar = _webinar(request, pk)
    upload = get_object_or_404(
        ReportUpload, pk=upload_id, webinar=webinar, uploaded_by=request.user
    )
    upload.webinar = webinar
    mapping: dict[str, str] | None = None
    mapping_form: MappingForm | None = None
    if request.method == "POST":
        header = actions.header_of(upload)
        mapping_form = MappingForm(request.POST, header=header)
        if mapping_form.is_valid():
            mapping = mapping_form.mapping()
        if "confirmer" in request.POST and mapping_form.is_valid():
            try:
                result = actions.confirm_report(actor=request.actor, upload=upload, mapping=mapping)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if result.already:
                    messages.info(request, _("Ce rapport a déjà été importé : rien n'a changé."))
                else:
                    messages.success(
                        request,
                        _(
                            "Rapport importé : %(n)d personnes reconnues, %(p)d présentes, "
                            "%(c)d formations terminées."
                        )
                        % {"n": result.recorded, "p": result.present, "c": len(result.completed)},
                    )
                    if result.badges_queued:
                        messages.info(
                            request,
                            _(
                                "%(b)d badges sont en préparation : ils seront délivrés dans "
                                "quelques minutes, avec les attestations."
                            )
                            % {"b": result.badges_queued},
                        )
                return redirect("webinars:attendance", pk=webinar.pk)
    found = actions.preview(upload, mapping=mapping)
    if mapping_form is None or not mapping_form.is_bound:
        mapping_form = MappingForm(initial=found.read.mapping(), header=found.read.header)
    analysis = found.analysis
    texts = reasons()
    return render(
        request,
        "webinars/report_preview.html",
        {
            "webinar": webinar,
            "session": webinar.session,
            "upload": upload,
            "preview": found,
            "analysis": analysis,
            "mapping_form": mapping_form,
            "labels": key_labels(),
            "people": analysis.people[:SHOWN_PEOPLE] if analysis else [],
            "ignored": analysis.ignored[:SHOWN_IGNORED] if analysis else [],
            "ignored_counts": [
                (texts.get(code, code), count)
                for code, count in (analysis.ignored_by_reason().items() if analysis else [])
            ],
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who was there (minutes from the reports) and where their enrolment stands."""
    webinar = _webinar(request, pk)
    session = webinar.session
    minutes = {m.enrolment_id: m for m in ParticipantMinutes.objects.filter(webinar=webinar)}
    enrolments = (
        session.enrolments.filter(status__in=ON_ROLL)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, minutes.get(e.pk)) for e in page.object_list]
    totals = ParticipantMinutes.objects.filter(webinar=webinar).aggregate(total=Sum("minutes"))
    return render(
        request,
        "webinars/attendance.html",
        {
            "webinar": webinar,
            "session": session,
            "rows": rows,
            "page": page,
            "people": len(minutes),
            "present": sum(1 for m in minutes.values() if m.present),
            "hours": round((totals["total"] or 0) / 60, 1),
            "percent": actions.presence_percent(webinar),
            "reports": list(webinar.reports.select_related("imported_by")[:20]),
        },
    )


# --- Replays -------------------------------------------------------------------------------


def library(request: AuthedRequest, org_slug: str) -> HttpResponse:
    """An organisation's published replays, filtered by module and theme."""
    org = get_object_or_404(Organisation, slug=org_slug[:100])
    replays = Replay.objects.filter(organisation=org, published=True).select_related("module")
    module_id = parse_id(request.GET.get("module"))
    theme = request.GET.get("theme", "").strip()[:100]
    if module_id is not None:
        replays = replays.filter(module_id=module_id)
    if theme:
        replays = replays.filter(theme=theme)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        replays = replays.filter(Q(title__icontains=query) | Q(description__icontains=query))
    page = Paginator(replays.order_by("-created_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    published = Replay.objects.filter(organisation=org, published=True)
    modules = Module.objects.filter(
        pk__in=published.exclude(module=None).values("module_id")
    ).order_by("code")
    themes = sorted(set(published.exclude(theme="").values_list("theme", flat=True)))
    return render(
        request,
        "webinars/library.html",
        {
            "org": org,
            "page": page,
            "replays": page.object_list,
            "modules": modules,
            "themes": themes,
            "module_id": module_id,
            "theme": theme,
            "q": query,
        },
    )


def _published_replay(org_slug: str, pk: int) -> Replay:
    return get_object_or_404(
        Replay.objects.select_related("organisation", "module", "session"),
        pk=pk,
        organisation__slug=org_slug[:100],
        published=True,
    )


def replay_detail(request: AuthedRequest, org_slug: str, pk: int) -> HttpResponse:
    replay = _published_replay(org_slug, pk)
    player = player_for(replay.video_url)
    response = render(
        request,
        "webinars/replay.html",
        {"replay": replay, "org": replay.organisation, "beat_seconds": 15, "player": player},
    )
    extra = csp_for(player)
    if extra:  # this page only: the one origin its player needs (django-csp)
        response._csp_update = extra  # type: ignore[attr-defined]
    return response


def replay_captions(request: AuthedRequest, org_slug: str, pk: int) -> HttpResponse:
    replay = _published_replay(org_slug, pk)
    if not replay.captions_vtt:
        raise Http404
    response = HttpResponse(replay.captions_vtt, content_type="text/vtt; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def replay_beat(request: AuthedRequest, org_slug: str, pk: int) -> HttpResponse:
    """The player's beacon (CSRF-protected): ``view`` (the page's viewing id), ``beat`` (its
    number) and ``seconds`` (watched since the previous beat)."""
    replay = _published_replay(org_slug, pk)
    beat = parse_id(request.POST.get("beat"))
    seconds_text = request.POST.get("seconds", "")
    seconds = int(seconds_text) if seconds_text.isdigit() and len(seconds_text) <= 6 else None
    if beat is None or seconds is None:
        return JsonResponse({"detail": _("Battement invalide.")}, status=400)
    try:
        view = actions.record_beat(
            replay=replay,
            viewer=request.user if request.user.is_authenticated else None,
            view_key=request.POST.get("view", "")[:100],
            beat=beat,
            seconds=seconds,
        )
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    return JsonResponse({"seconds": view.seconds})


@login_required
def replay_manage(request: AuthedRequest) -> HttpResponse:
    org = _manager_org(request)
    replays = (
        Replay.objects.filter(organisation=org)
        .annotate(seconds=Sum("views__seconds"))
        .select_related("module")
        .order_by("-created_at", "pk")
    )
    page = Paginator(replays, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webinars/replay_manage.html",
        {"org": org, "page": page, "replays": page.object_list},
    )


@login_required
def replay_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    org = _manager_org(request)
    replay = get_object_or_404(Replay, pk=pk, organisation=org) if pk is not None else None
    initial = ReplayForm.initial_of(replay) if replay else {"published": True}
    form = ReplayForm(
        request.POST or None, request.FILES or None, initial=initial, organisation_id=org.pk
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_replay(
                actor=request.actor, organisation=org, data=form.data_object(), replay=replay
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Rediffusion enregistrée : %(t)s.") % {"t": saved.title})
            return redirect("webinars:replay_manage")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "webinars/replay_form.html", {"form": form, "replay": replay}, status=status
    )


VIEWING_KEY = "webinars_viewing_import"


@login_required
def viewing_import(request: AuthedRequest) -> HttpResponse:
    """The video platform's statistics: upload → preview (kept in the person's session) →
    confirm (one transaction; a day already imported for a replay is replaced, not added)."""
    org = _manager_org(request)
    form = ViewingUploadForm(request.POST or None, request.FILES or None)
    found = None
    if request.method == "POST" and "confirmer" in request.POST:
        kept = request.session.pop(VIEWING_KEY, None)
        if not kept or kept.get("org") != org.pk:
            messages.error(request, _("Aperçu expiré : envoyez le fichier à nouveau."))
            return redirect("webinars:viewing_import")
        written = actions.import_viewing(
            actor=request.actor,
            organisation=org,
            totals=[(r, dt.date.fromisoformat(d), s) for r, d, s in kept["totals"]],
            provider=kept["provider"],
            mapping=kept["mapping"],
        )
        messages.success(
            request, _("Statistiques importées : %(n)d lignes (vidéo et jour).") % {"n": written}
        )
        return redirect("webinars:replay_manage")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            found = actions.preview_viewing(
                actor=request.actor,
                organisation=org,
                filename=upload.name or "",
                content=upload.read(actions.MAX_VIEWS_BYTES + 1),
                provider=form.cleaned_data["provider"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if not found.error:
                request.session[VIEWING_KEY] = {
                    "org": org.pk,
                    "provider": form.cleaned_data["provider"],
                    "mapping": found.mapping(),
                    "totals": [[r, d.isoformat(), s] for (r, d), s in found.totals().items()],
                }
    titles = dict(Replay.objects.filter(organisation=org).values_list("pk", "title"))
    totals = (
        [(titles.get(r, ""), d, round(s / 3600, 2)) for (r, d), s in sorted(found.totals().items())]
        if found is not None and not found.error
        else []
    )
    status = 422 if request.method == "POST" and (found is None or found.error) else 200
    return render(
        request,
        "webinars/viewing_import.html",
        {"form": form, "found": found, "totals": totals[:SHOWN_PEOPLE]},
        status=status,
    )
