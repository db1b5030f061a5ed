"""Session pages: public list and detail, the learner space, the coordinator's sessions and
roster (approval, one-by-one enrolment, import), the trainer's roll call and the QR check-in.
Thin: reads via querysets/learner, writes via actions."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role
from parcours.catalogue.models import Module
from parcours.enrolment import actions, bounds, checkin, importing, learner, permissions
from parcours.enrolment.actions import pattern as pattern_actions
from parcours.enrolment.forms import (
    AudienceForm,
    DuplicateForm,
    EnrolPersonForm,
    ImportForm,
    LearnerProfileForm,
    PatternSessionForm,
    SessionForm,
)
from parcours.enrolment.models import Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.querysets import names_seen_by
from parcours.enrolment.states import ACTIVE, ON_ROLL, EnrolmentStatus, SessionStatus
from parcours.lib import urls
from parcours.lib.http import AuthedRequest, is_htmx

IMPORT_SESSION_KEY = "enrolment_import_{pk}"


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- Public ------------------------------------------------------------------------------


def _page(request: AuthedRequest, items: Any, size: int = bounds.PAGE_SIZE) -> Page:
    """One page of ``items`` (``?page=``; anything unreadable is the first page, anything
    beyond the end the last one)."""
    return Paginator(items, size).get_page(request.GET.get("page", "")[:12])


def public_list(request: AuthedRequest) -> HttpResponse:
    """Upcoming public sessions (published, of a published module), by page; ``?module=``
    narrows to one published module (any other id shows no title and no session)."""
    sessions = Session.objects.public().upcoming().for_listing()
    module_id = bounds.parse_id(request.GET.get("module"))
    module = None
    if request.GET.get("module"):
        module = Module.objects.published().filter(pk=module_id).first() if module_id else None
        sessions = sessions.filter(module_id=module.pk if module else 0)
    page = _page(request, sessions)
    return render(
        request,
        "enrolment/public_list.html",
        {"sessions": page.object_list, "page": page, "module": module},
    )


def module_upcoming(request: AuthedRequest, module_id: int) -> HttpResponse:
    """Fragment for the catalogue's module page: the module's upcoming public sessions."""
    actor = request.actor if request.user.is_authenticated else None
    module = get_object_or_404(Module.objects.visible_to(actor), pk=module_id)
    sessions = Session.objects.public().upcoming().filter(module=module).for_listing()[:20]
    return render(
        request, "enrolment/_module_upcoming.html", {"module": module, "sessions": sessions}
    )


def _visible_session(request: AuthedRequest, pk: int) -> Session:
    session = get_object_or_404(Session.objects.with_details(), pk=pk)
    actor = request.actor if request.user.is_authenticated else None
    if not permissions.can_see_session(actor, session):
        raise Http404
    return session


def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    mine = None
    needs_audience = False
    if request.user.is_authenticated:
        mine = session.enrolments.filter(learner=request.user, status__in=ACTIVE).first()
        if mine is not None:
            mine.session = session
            mine.cancellable = permissions.can_be_cancelled(request.actor, mine)
        if session.audience and session.audience != Module.Audience.EVERYONE:
            declared = (
                LearnerProfile.objects.filter(user=request.user)
                .values_list("audience", flat=True)
                .first()
            )
            needs_audience = not declared
    return render(
        request,
        "enrolment/detail.html",
        {
            "session": session,
            "mine": mine,
            "is_open": session.enrolment_is_open(),
            "audience_form": AudienceForm() if needs_audience else None,
            "can_manage": request.user.is_authenticated
            and permissions.can_manage(request.actor, session),
        },
    )


@login_required
@require_POST
def enrol_self(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    form = AudienceForm(request.POST)
    audience = form.cleaned_data["audience"] if form.is_valid() else ""
    try:
        enrolment = actions.enrol(
            actor=request.actor, session=session, learner=request.user, audience=audience
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("enrolment:detail", pk=pk)
    texts: dict[str, str] = {
        EnrolmentStatus.CONFIRMED: _("Votre inscription est confirmée."),
        EnrolmentStatus.WAITLISTED: _(
            "La session est complète : vous êtes en liste d'attente. Vous serez inscrit·e "
            "automatiquement si une place se libère."
        ),
        EnrolmentStatus.REQUESTED: _(
            "Votre demande est enregistrée : un coordinateur doit l'approuver."
        ),
    }
    messages.success(request, texts.get(enrolment.status, _("Inscription enregistrée.")))
    return redirect("enrolment:my_sessions")


def _safe_next(request: AuthedRequest, default: str) -> str:
    return urls.next_url(request, default)


@login_required
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (a page, or the dialog's content for htmx); POST: cancel.

    The freed seat goes to the first person on the waitlist at once: whoever may see them
    (a coordinator, the school contact who enrolled them) is told who got it."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("session", "session__module", "learner"), pk=pk
    )
    if not permissions.can_cancel(request.actor, enrolment):
        raise Http404
    back = _safe_next(request, reverse("enrolment:my_sessions"))
    if request.method != "POST":
        refusal = permissions.cancel_refusal(request.actor, enrolment)
        page = "_cancel_confirm" if is_htmx(request) else "cancel_confirm"
        return render(
            request,
            f"enrolment/{page}.html",
            {
                "enrolment": enrolment,
                "session": enrolment.session,
                "refusal": refusal[0] if refusal else None,
                "own": enrolment.learner_id == request.user.pk,
                "who": names_seen_by(enrolment.session.organisation_id, [enrolment.learner])[
                    enrolment.learner_id
                ],
                "next": back,
            },
        )
    try:
        cancelled = actions.cancel(
            actor=request.actor, enrolment=enrolment, reason=request.POST.get("reason", "")[:300]
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("L'inscription est annulée."))
        if enrolment.learner_id == request.user.pk:
            # No undo button: a freed seat goes at once to the waitlist; the way back is to
            # enrol again from the session page (a full session puts them on the waitlist).
            messages.info(
                request,
                _(
                    "Changé d'avis ? Réinscrivez-vous depuis la page de la session (si elle "
                    "est complète, vous serez en liste d'attente)."
                ),
            )
        _announce_promoted(request, enrolment.session, getattr(cancelled, "promoted", []))
    return redirect(back)


def _announce_promoted(request: AuthedRequest, session: Session, promoted: list[Enrolment]) -> None:
    """ "X a obtenu la place libérée" for each promoted person the actor may see, named as
    the organisation may name them (``names_seen_by``)."""
    for enrolment in promoted:
        enrolment.session = session
    shown = [e for e in promoted if permissions.can_see_enrolment(request.actor, e)]
    names = names_seen_by(session.organisation_id, [e.learner for e in shown])
    for enrolment in shown:
        messages.info(
            request,
            _("%(who)s a obtenu la place libérée (prévenu·e par e-mail).")
            % {"who": names[enrolment.learner_id]},
        )


@login_required
def my_sessions(request: AuthedRequest) -> HttpResponse:
    space = learner.learner_space(request.user)
    now = timezone.now()
    for enrolment in space.upcoming:
        enrolment.cancellable = permissions.can_be_cancelled(request.actor, enrolment, now)
    return render(
        request, "enrolment/my_sessions.html", {"space": space, "postcode": request.user.postcode}
    )


@login_required
def my_profile(request: AuthedRequest) -> HttpResponse:
    """The learner's optional profile (audience, gender, birth year or age band, school year)."""
    profile = LearnerProfile.objects.filter(user=request.user).first()
    initial = {f: getattr(profile, f) for f in actions.PROFILE_FIELDS} if profile else {}
    # Not ``request.POST or None``: a post with every field blank is valid (and empty).
    posted = request.POST if request.method == "POST" else None
    form = LearnerProfileForm(posted, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_learner_profile(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Votre profil est enregistré."))
                return redirect("enrolment:my_profile")
        status = 422
    return render(request, "enrolment/my_profile.html", {"form": form}, status=status)


# --- Coordinator -------------------------------------------------------------------------


def _manager_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None or not request.actor.has_role(org, Role.COORDINATOR):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    return org


def _own_session(request: AuthedRequest, pk: int, *, school_ok: bool = False) -> Session:
    """A session of the current organisation (404 for other tenants' sessions)."""
    org = request.organisation
    if org is None:
        raise Http404
    session = get_object_or_404(Session.objects.with_details(), pk=pk, organisation=org)
    if permissions.can_manage(request.actor, session):
        return session
    if school_ok and permissions.is_school_contact(request.actor, session):
        return session
    raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))


@login_required
def manage_list(request: AuthedRequest) -> HttpResponse:
    org = _manager_org(request)
    sessions = Session.objects.of_organisation(org).for_listing().order_by("-starts_at", "-pk")
    page = _page(request, sessions)
    return render(
        request,
        "enrolment/manage_list.html",
        {"sessions": page.object_list, "page": page, "org": org},
    )


@login_required
def manage_create(request: AuthedRequest) -> HttpResponse:
    org = _manager_org(request)
    initial: dict[str, Any] = {}
    module_id = bounds.parse_id(request.GET.get("module"))
    if module_id is not None:
        initial["module"] = module_id
    form = SessionForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.create_session(
                actor=request.actor, organisation=org, data=form.to_data()
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Session créée (brouillon)."))
            return redirect("enrolment:manage_detail", pk=session.pk)
    return render(
        request,
        "enrolment/manage_form.html",
        {"form": form, "session": None},
        status=422 if form.errors else 200,
    )


@login_required
def manage_create_pattern(request: AuthedRequest) -> HttpResponse:
    """A long session from a weekly pattern: "Aperçu" lists its dates (holidays and the site's
    closures left out, the room's conflicts shown), the coordinator ticks or unticks dates,
    then "Créer" writes the session, its slots and its room bookings in one step."""
    org = _manager_org(request)
    form = PatternSessionForm(
        request.POST or None,
        organisation=org,
        initial={"morning_start": "09:00", "morning_end": "12:30"}
        | {"afternoon_start": "13:30", "afternoon_end": "16:30", "weekdays": [0, 1, 2, 3]},
    )
    preview = None
    keep: list[Any] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        signature = form.signature()
        keep = form.cleaned_data.get("keep")
        if request.POST.get("previewed") != signature:
            keep = None  # a new or changed pattern: preview it first
        try:
            if "create" in request.POST and keep is not None:
                session = actions.create_session_from_pattern(
                    actor=request.actor,
                    organisation=org,
                    data=data,
                    pattern=form.pattern(),
                    skip_school_holidays=form.cleaned_data["skip_school_holidays"],
                    keep=keep,
                )
                messages.success(
                    request,
                    _("Session créée (brouillon) : %(n)d créneaux.") % {"n": session.slots.count()},
                )
                return redirect("enrolment:manage_detail", pk=session.pk)
        except ValidationError as exc:
            _attach_errors(form, exc)
        try:
            # The preview (again, after a refused creation: the dates and conflicts stay shown).
            preview = actions.preview_pattern(
                actor=request.actor,
                organisation=org,
                pattern=form.pattern(),
                site_id=data.site_id,
                room_id=data.room_id,
                skip_school_holidays=form.cleaned_data["skip_school_holidays"],
                keep=keep,
            )
        except ValidationError as exc:
            if not form.errors:
                _attach_errors(form, exc)
    rows = []
    if preview is not None:
        kept = set(keep) if keep is not None else {d.day for d in preview.kept}
        taken = preview.conflict_days
        rows = [
            {
                "day": d.day,
                "slots": d.slots,
                "reason": pattern_actions.reason_label(d.reason),
                "label": d.label,
                "kept": d.day in kept,
                "taken": d.day in taken,
            }
            for d in preview.days
        ]
    return render(
        request,
        "enrolment/manage_pattern.html",
        {
            "form": form,
            "preview": preview,
            "rows": rows,
            "signature": form.signature() if preview is not None else "",
            "kept_count": sum(1 for r in rows if r["kept"]),
        },
        status=422 if form.errors else 200,
    )


def _attach_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def manage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    form = SessionForm(
        request.POST or None,
        organisation=session.organisation,
        initial=SessionForm.initial_from(session),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.update_session(
                actor=request.actor, session=session, data=form.to_data()
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Session enregistrée."))
            _announce_promoted(request, saved, getattr(saved, "promoted", []))
            return redirect("enrolment:manage_detail", pk=session.pk)
    return render(
        request,
        "enrolment/manage_form.html",
        {"form": form, "session": session},
        status=422 if form.errors else 200,
    )


@login_required
def manage_duplicate(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    form = DuplicateForm(
        request.POST or None,
        organisation=session.organisation,
        starts_at=session.starts_at,
        initial={"code": f"{session.code}-copie"},
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            copy = actions.duplicate_session(
                actor=request.actor,
                session=session,
                code=c["code"],
                site_id=c["site"].pk if c["site"] else None,
                first_day=c["first_day"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(
                request, _("Session dupliquée (brouillon) : vérifiez-la puis publiez-la.")
            )
            return redirect("enrolment:manage_detail", pk=copy.pk)
    return render(
        request,
        "enrolment/manage_duplicate.html",
        {"form": form, "session": session},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def manage_status(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    status = request.POST.get("status", "")
    try:
        actions.set_session_status(actor=request.actor, session=session, status=status)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        if status == SessionStatus.PUBLISHED:
            messages.success(request, _("Session publiée : les inscriptions sont ouvertes."))
        else:
            messages.success(request, _("Session annulée : les inscrits sont prévenus."))
    return redirect("enrolment:manage_detail", pk=pk)


ROSTER_PAGE = bounds.MAX_PAGE_SIZE
ROSTER_ORDER = [
    EnrolmentStatus.REQUESTED,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.ATTENDED,
    EnrolmentStatus.NO_SHOW,
    EnrolmentStatus.CANCELLED,
    EnrolmentStatus.REJECTED,
]


@login_required
def manage_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancelling a whole session asks first (a page, or the dialog's content with htmx):
    everyone enrolled is told, and it cannot be undone."""
    session = _own_session(request, pk)
    if request.method == "POST":
        return manage_status(request, pk)
    page = "_session_cancel_confirm" if is_htmx(request) else "session_cancel_confirm"
    return render(
        request,
        f"enrolment/{page}.html",
        {
            "session": session,
            "people": session.enrolments.filter(status__in=ACTIVE).count(),
            "possible": session.status != SessionStatus.CANCELLED,
        },
    )


@login_required
def manage_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The roster: enrolments by status, approvals, enrol one person, import a list."""
    session = _own_session(request, pk, school_ok=True)
    manager = permissions.can_manage(request.actor, session)
    enrolments = session.enrolments.select_related("learner")
    if not manager:  # a school contact sees the people they enrolled
        enrolments = enrolments.filter(requested_by=request.user)
    rank = Case(
        *(When(status=s, then=Value(i)) for i, s in enumerate(ROSTER_ORDER)),
        output_field=IntegerField(),
    )
    counts = dict(
        enrolments.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    page = _page(
        request, enrolments.alias(rank=rank).order_by("rank", "queued_at", "pk"), ROSTER_PAGE
    )
    before = page.start_index() - 1 if page.object_list else 0
    groups: dict[str, list[Enrolment]] = {s: [] for s in EnrolmentStatus.values}
    now = timezone.now()
    names = names_seen_by(session.organisation_id, [e.learner for e in page.object_list])
    for enrolment in page.object_list:
        enrolment.display_name = names[enrolment.learner_id]
        enrolment.session = session
        enrolment.cancellable = permissions.can_be_cancelled(request.actor, enrolment, now)
        groups[enrolment.status].append(enrolment)
    rows_before_group = 0
    for status in ROSTER_ORDER:
        earlier = max(0, before - rows_before_group)  # of this status, on earlier pages
        for position, enrolment in enumerate(groups[status], start=earlier + 1):
            enrolment.position = position
        rows_before_group += counts.get(status, 0)
    return render(
        request,
        "enrolment/manage_detail.html",
        {
            "session": session,
            "manager": manager,
            "groups": [
                (EnrolmentStatus(s), groups[s], counts.get(s, 0)) for s in ROSTER_ORDER if groups[s]
            ],
            "page": page,
            "enrol_form": EnrolPersonForm(),
            "import_form": ImportForm(),
            "slots": list(session.slots.all()),
        },
    )


def _enrol_source(request: AuthedRequest, session: Session) -> str:
    if permissions.can_manage(request.actor, session):
        return Enrolment.Source.COORDINATOR
    return Enrolment.Source.SCHOOL


@login_required
@require_POST
def manage_enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk, school_ok=True)
    form = EnrolPersonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form[name].label} : {' '.join(str(e) for e in errs)}"
                for name, errs in form.errors.items()
            ),
        )
        return redirect("enrolment:manage_detail", pk=pk)
    try:
        enrolment = actions.enrol_person(
            actor=request.actor,
            session=session,
            source=_enrol_source(request, session),
            **form.cleaned_data,
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        # Only what the coordinator typed: never the stored name of an existing account.
        messages.success(
            request,
            _("%(email)s : %(status)s.")
            % {"email": form.cleaned_data["email"], "status": enrolment.get_status_display()},
        )
    return redirect("enrolment:manage_detail", pk=pk)


@login_required
def manage_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload → report. With errors nothing is written; the report offers "import the valid
    rows", which re-validates the rows kept in the user's session and writes the valid ones."""
    session = _own_session(request, pk, school_ok=True)
    source = (
        Enrolment.Source.IMPORT
        if permissions.can_manage(request.actor, session)
        else Enrolment.Source.SCHOOL
    )
    key = IMPORT_SESSION_KEY.format(pk=session.pk)
    report = None
    form = ImportForm()
    if request.method == "POST":
        if request.POST.get("valid_only") == "1" and key in request.session:
            kept = request.session[key]
            rows = [importing.ImportRow(**r) for r in kept["rows"]]
            errors = [importing.RowError(**e) for e in kept["errors"]]
            report = actions.import_enrolments(
                actor=request.actor,
                session=session,
                rows=rows,
                parse_errors=errors,
                valid_only=True,
                source=source,
            )
            del request.session[key]
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                parsed = importing.parse_file(upload.name, upload.read())
                report = actions.import_enrolments(
                    actor=request.actor,
                    session=session,
                    rows=parsed.rows,
                    parse_errors=parsed.errors,
                    source=source,
                )
                if not report.written:
                    request.session[key] = {
                        "rows": [r.__dict__ for r in parsed.rows],
                        "errors": [e.__dict__ for e in parsed.errors],
                    }
        if report is not None and report.written:
            messages.success(
                request,
                ngettext(
                    "%(n)d inscription importée.",
                    "%(n)d inscriptions importées.",
                    len(report.created),
                )
                % {"n": len(report.created)},
            )
            if not report.errors:
                return redirect("enrolment:manage_detail", pk=pk)
    return render(
        request,
        "enrolment/manage_import.html",
        {"session": session, "form": form, "report": report},
    )


@login_required
@require_POST
def manage_decide(request: AuthedRequest, pk: int, decision: str) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("session"), pk=pk)
    session = _own_session(request, enrolment.session_id)
    try:
        if decision == "approve":
            enrolment = actions.approve(actor=request.actor, enrolment=enrolment)
            messages.success(
                request,
                _("Demande approuvée : %(status)s.") % {"status": enrolment.get_status_display()},
            )
        else:
            actions.reject(
                actor=request.actor,
                enrolment=enrolment,
                reason=request.POST.get("reason", "")[:300],
            )
            messages.success(request, _("Demande refusée."))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    return redirect("enrolment:manage_detail", pk=session.pk)


# --- Trainer: roll call and QR -----------------------------------------------------------


@login_required
def trainer_sessions(request: AuthedRequest) -> HttpResponse:
    mine = Session.objects.filter(trainers=request.user).exclude(status=SessionStatus.CANCELLED)
    now = timezone.now()
    upcoming = mine.filter(ends_at__gt=now).with_details().order_by("starts_at", "pk")
    past = mine.exclude(ends_at__gt=now).with_details().order_by("-starts_at", "-pk")
    return render(
        request,
        "enrolment/trainer_sessions.html",
        {
            "upcoming": list(upcoming[: bounds.MAX_PAGE_SIZE]),
            "past": list(past[:50]),
            "now": now,
        },
    )


def _attendance_slot(request: AuthedRequest, slot_id: int) -> SessionSlot:
    slot = get_object_or_404(
        SessionSlot.objects.select_related("session", "session__module", "session__site"),
        pk=slot_id,
    )
    if not permissions.can_take_attendance(request.actor, slot.session):
        raise Http404
    return slot


@login_required
def roll_call(request: AuthedRequest, slot_id: int) -> HttpResponse:
    """Phone-friendly: everyone present by default, tick the absent, one POST."""
    slot = _attendance_slot(request, slot_id)
    session = slot.session
    if request.method == "POST":
        values = request.POST.getlist("absent")[: bounds.MAX_CAPACITY]
        absent = [i for i in (bounds.parse_id(v) for v in values) if i is not None]
        try:
            result = actions.record_roll_call(actor=request.actor, slot=slot, absent=absent)
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request,
                _("Présences enregistrées : %(present)s, %(absent)s.")
                % {
                    "present": ngettext(
                        "%(n)d personne présente", "%(n)d personnes présentes", result.present
                    )
                    % {"n": result.present},
                    "absent": ngettext("%(n)d absente", "%(n)d absentes", result.absent)
                    % {"n": result.absent},
                },
            )
            return redirect("enrolment:roll_call", slot_id=slot.pk)
    roll = list(
        session.enrolments.filter(status__in=ON_ROLL)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name")
    )
    recorded = {a.enrolment_id: a for a in slot.attendances.all()}
    names = names_seen_by(session.organisation_id, [e.learner for e in roll])
    rows = [(e, recorded.get(e.pk), names[e.learner_id]) for e in roll]
    slots = list(session.slots.all())
    return render(
        request,
        "enrolment/roll_call.html",
        {
            "slot": slot,
            "session": session,
            "rows": rows,
            "taken": bool(recorded),
            "future": slot.start > timezone.now(),
            "slots": slots,
        },
    )


@login_required
def qr_screen(request: AuthedRequest, slot_id: int) -> HttpResponse:
    slot = _attendance_slot(request, slot_id)
    return render(request, "enrolment/qr_screen.html", {"slot": slot, **_qr_context(request, slot)})


@login_required
def qr_code(request: AuthedRequest, slot_id: int) -> HttpResponse:
    """htmx fragment: the current QR code (the screen reloads it every minute)."""
    slot = _attendance_slot(request, slot_id)
    return render(request, "enrolment/_qr.html", {"slot": slot, **_qr_context(request, slot)})


def _qr_context(request: AuthedRequest, slot: SessionSlot) -> dict[str, Any]:
    import segno

    token = checkin.make_token(slot.checkin_secret, slot.pk, time.time())
    url = request.build_absolute_uri(reverse("enrolment:check_in", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return {"qr_svg": svg, "qr_url": url}


@login_required
def check_in(request: AuthedRequest, token: str) -> HttpResponse:
    """The learner scanned the room's QR code: confirm with one tap (POST)."""
    done = None
    error = None
    if request.method == "POST":
        try:
            done = actions.check_in(user=request.user, token=token)
        except ValidationError as exc:
            error = _message(exc)
    return render(
        request,
        "enrolment/check_in.html",
        {"token": token, "done": done, "error": error},
        status=400 if error else 200,
    )
