"""Pages: my attestations, the public verification page, a session's attestations for its
coordinators (one by one or as a ZIP), my calendar subscriptions, and the feeds themselves.
Thin: reads via querysets, writes via actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from parcours.accounts.models import Role, Site
from parcours.accounts.permissions import Actor
from parcours.documents import actions, calendars, pdf, permissions
from parcours.documents.forms import FeedForm, RevokeForm, VerifyForm
from parcours.documents.models import Attestation, CalendarFeed, normalise_code
from parcours.documents.querysets import ATTESTABLE, attestable_enrolments
from parcours.enrolment.models import Enrolment, Session
from parcours.lib.http import AuthedRequest

NEW_FEED_KEY = "documents.new_feed"


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- The learner's attestations -------------------------------------------------------------


@login_required
def my_attestations(request: AuthedRequest) -> HttpResponse:
    enrolments = list(
        Enrolment.objects.filter(learner=request.user, status__in=ATTESTABLE)
        .select_related("session", "session__module", "session__organisation", "session__site")
        .order_by("-session__starts_at", "-pk")
    )
    issued = {
        a.enrolment_id: a
        for a in Attestation.objects.valid().filter(enrolment__in=[e.pk for e in enrolments])
    }
    rows = [(enrolment, issued.get(enrolment.pk)) for enrolment in enrolments]
    return render(request, "documents/my_attestations.html", {"rows": rows})


@login_required
@require_POST
def request_attestation(request: AuthedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment, pk=enrolment_id, learner=request.user)
    try:
        actions.issue_attestation(actor=request.actor, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Votre attestation est prête : téléchargez-la ci-dessous."))
    return redirect("documents:my_attestations")


@login_required
@require_GET
def download(request: AuthedRequest, pk: int) -> HttpResponse:
    attestation = get_object_or_404(Attestation.objects.for_pdf(), pk=pk)
    if not permissions.can_download(request.actor, attestation):
        raise Http404  # another person's document: as if it did not exist
    response = HttpResponse(pdf.render_pdf(attestation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attestation.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public verification ----------------------------------------------------------------------


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("documents:verify", code=form.cleaned_data["code"])
    return render(request, "documents/verify_form.html", {"form": form})


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    wanted = normalise_code(code)
    if wanted != code:
        return redirect("documents:verify", code=wanted)
    attestation = Attestation.objects.filter(code=wanted).first()
    if attestation is None:
        response = render(request, "documents/verify.html", {"code": wanted}, status=404)
    else:
        response = render(request, "documents/verify.html", {"attestation": attestation})
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Coordinators: a session's attestations ----------------------------------------------------


def _managed_session(request: AuthedRequest, session_id: int) -> Session:
    """The session, if the person coordinates its organisation; 404 otherwise."""
    actor = request.actor
    sessions = Session.objects.select_related("module", "organisation", "site")
    if not actor.is_platform_admin:
        sessions = sessions.filter(organisation__in=actor.orgs_with_role(Role.COORDINATOR))
    return get_object_or_404(sessions, pk=session_id)


@login_required
def session_attestations(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _managed_session(request, session_id)
    enrolments = list(attestable_enrolments(session))
    issued: dict[int, Attestation] = {}
    revoked: dict[int, list[Attestation]] = {}
    for attestation in Attestation.objects.filter(session=session).order_by("issued_at"):
        if attestation.is_valid:
            issued[attestation.enrolment_id] = attestation
        else:
            revoked.setdefault(attestation.enrolment_id, []).append(attestation)
    rows = [(e, issued.get(e.pk), revoked.get(e.pk, [])) for e in enrolments]
    return render(
        request,
        "documents/session_attestations.html",
        {
            "session": session,
            "rows": rows,
            "missing": sum(1 for _e, a, _r in rows if a is None),
            "issued_count": len(issued),
            "revoke_form": RevokeForm(),
        },
    )


@login_required
@require_POST
def session_issue(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _managed_session(request, session_id)
    try:
        issued = actions.issue_session_attestations(actor=request.actor, session=session)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d attestation disponible.", "%(n)d attestations disponibles.", len(issued)
            )
            % {"n": len(issued)},
        )
    return redirect("documents:session_attestations", session_id=session.pk)


@login_required
@require_GET
def session_zip(request: AuthedRequest, session_id: int) -> HttpResponseBase:
    session = _managed_session(request, session_id)
    attestations = list(
        Attestation.objects.valid().filter(session=session).for_pdf().order_by("learner_name")
    )
    if not attestations:
        messages.error(request, _("Aucune attestation n'est encore émise pour cette session."))
        return redirect("documents:session_attestations", session_id=session.pk)
    response = StreamingHttpResponse(pdf.stream_zip(attestations), content_type="application/zip")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"attestations-{session.code}.zip")
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    attestation = get_object_or_404(Attestation, pk=pk)
    if not permissions.can_manage_attestations(request.actor, attestation.organisation_id):
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif de la révocation."))
    else:
        try:
            actions.revoke_attestation(
                actor=request.actor, attestation=attestation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Attestation révoquée."))
    return redirect("documents:session_attestations", session_id=attestation.session_id)


# --- Calendar subscriptions ---------------------------------------------------------------------


def feed_url(token: str) -> str:
    return calendars.absolute(reverse("documents:feed", args=[token]))


@login_required
@never_cache
def calendar(request: AuthedRequest) -> HttpResponse:
    actor = request.actor
    mine = {
        (f.kind, f.site_id): f
        for f in CalendarFeed.objects.active()
        .filter(user=request.user, site__isnull=True)
        .order_by("created_at")
    }
    site_orgs = permissions.site_feed_organisations(actor)
    sites = list(
        Site.objects.filter(organisation__in=site_orgs).select_related("organisation")
        if site_orgs
        else []
    )
    site_feeds = {
        f.site_id: f
        for f in CalendarFeed.objects.active().filter(site__in=sites).select_related("user")
    }
    new = request.session.pop(NEW_FEED_KEY, None)
    personal = [(CalendarFeed.Kind.LEARNER, mine.get((CalendarFeed.Kind.LEARNER, None)))]
    if actor.is_platform_admin or permissions.is_trainer(actor):
        personal.append((CalendarFeed.Kind.TRAINER, mine.get((CalendarFeed.Kind.TRAINER, None))))
    return render(
        request,
        "documents/calendar.html",
        {
            "personal": [(kind, CalendarFeed.Kind(kind).label, feed) for kind, feed in personal],
            "sites": [(site, site_feeds.get(site.pk)) for site in sites],
            "new": new,
        },
    )


@login_required
@require_POST
def calendar_generate(request: AuthedRequest) -> HttpResponse:
    form = FeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Demande invalide."))
        return redirect("documents:calendar")
    site = None
    if form.cleaned_data["kind"] == CalendarFeed.Kind.SITE:
        site_orgs = permissions.site_feed_organisations(request.actor)
        sites = (
            Site.objects.all()
            if request.actor.is_platform_admin
            else Site.objects.filter(organisation__in=site_orgs)
        )
        site = get_object_or_404(sites, pk=form.cleaned_data.get("site") or 0)
    try:
        feed, token = actions.create_calendar_feed(
            actor=request.actor, kind=form.cleaned_data["kind"], site=site
        )
    except (ValidationError, PermissionDenied) as exc:
        text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect("documents:calendar")
    request.session[NEW_FEED_KEY] = {"feed": feed.pk, "url": feed_url(token)}
    messages.success(
        request,
        _("Nouvelle adresse créée. Copiez-la maintenant : elle ne sera plus affichée ensuite."),
    )
    return redirect(f"{reverse('documents:calendar')}#agenda-{feed.pk}")


@login_required
@require_POST
def calendar_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("site"), pk=pk)
    try:
        actions.revoke_calendar_feed(actor=request.actor, feed=feed)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request, _("Adresse désactivée : les agendas abonnés ne se mettent plus à jour.")
    )
    return redirect("documents:calendar")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed behind a secret address (no login: calendar apps cannot log in)."""
    subscription = CalendarFeed.objects.by_token(token).select_related("site", "user").first()
    if subscription is None or not subscription.user.is_active:
        raise Http404
    if subscription.site is not None:
        creator = Actor.of(subscription.user)
        if not (
            creator.is_platform_admin
            or subscription.site.organisation_id in permissions.site_feed_organisations(creator)
        ):
            raise Http404  # its creator left the organisation: the address stops working
    now = timezone.now()
    actions.mark_feed_used(subscription, now)
    language = subscription.user.language if subscription.site_id is None else None
    with translation.override(language or settings.LANGUAGE_CODE):
        body = calendars.feed_document(subscription, now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="parcours.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
