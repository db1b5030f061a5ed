"""Candidates pages: the public call page and its application form (no account), and the staff
pages of a call (board, list, a candidate's file, decisions, the funnel). Thin: reads here or in
``funnel``, writes through ``actions``. Staff pages need a coordinator or career manager of the
organisation that runs the call (permission first, then the look-up: 404 for other tenants)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parcours.accounts import throttle
from parcours.accounts.models import Organisation
from parcours.candidates import actions, funnel, uploads
from parcours.candidates.forms import (
    ApplicationForm,
    CallForm,
    DecisionForm,
    InterviewForm,
    InviteForm,
    ListFilterForm,
    MessageForm,
    MoveForm,
    ScoreForm,
    StagesForm,
)
from parcours.candidates.models import Application, ApplicationFile, Call, Decision
from parcours.lib import exports
from parcours.lib.http import AuthedRequest

BOARD_CARDS = 25  # cards shown per column; the list shows everyone
LIST_PAGE = 100


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Public ------------------------------------------------------------------------------------


def _public_call(org_slug: str, call_slug: str) -> Call:
    return get_object_or_404(
        Call.objects.select_related("organisation").filter(published=True),
        organisation__slug=org_slug[:100],
        slug=call_slug[:80],
    )


def apply(request: AuthedRequest, org_slug: str, call_slug: str) -> HttpResponse:
    """The call's page and its form: no account needed. A re-application link
    (``?reprise=``) pre-fills the earlier answers."""
    call = _public_call(org_slug, call_slug)
    now = timezone.now()
    status = 200
    if request.method == "POST":
        # Counted per IP when ACCOUNT_RATE_LIMITS has a "candidates_apply" rate (else free).
        if limited := throttle.consume_or_429(request, "candidates_apply"):
            return limited
        form = ApplicationForm(call, request.POST, request.FILES)
        if form.is_valid():
            data = actions.ApplicationData(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                phone=form.cleaned_data.get("phone") or "",
                consent=bool(form.cleaned_data.get("consent")),
                answers=form.answers(),
                reapply_token=form.cleaned_data.get("reprise") or "",
                audience=form.cleaned_data.get("audience") or "",
            )
            try:
                actions.apply(call=call, data=data, files=form.uploads())
            except ValidationError as exc:
                _attach(form, exc)
                status = 409 if getattr(exc, "code", "") in ("duplicate", "closed") else 422
            else:
                return redirect("candidates:thanks", org_slug=org_slug, call_slug=call_slug)
        else:
            status = 422
    else:
        initial: dict[str, Any] = {}
        token = request.GET.get("reprise", "")[:500]
        earlier = actions.application_from_token(token) if token else None
        if earlier is not None:
            initial = actions.prefill(call, earlier)
            initial["reprise"] = token
        form = ApplicationForm(call, initial=initial)
    return render(
        request,
        "candidates/apply.html",
        {"call": call, "form": form, "is_open": call.is_open(now)},
        status=status,
    )


def thanks(request: AuthedRequest, org_slug: str, call_slug: str) -> HttpResponse:
    call = _public_call(org_slug, call_slug)
    return render(request, "candidates/thanks.html", {"call": call})


# --- Staff -------------------------------------------------------------------------------------


def _organisation(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise Http404
    if not (request.actor.is_platform_admin or request.actor.has_role(org, *actions.READERS)):
        raise PermissionDenied(_("Réservé aux coordinateurs et chargé·es de suivi de carrière."))
    return org


def _own_call(request: AuthedRequest, pk: int) -> Call:
    org = _organisation(request)
    return get_object_or_404(Call.objects.select_related("organisation"), pk=pk, organisation=org)


def _manager(request: AuthedRequest, call: Call) -> bool:
    return actions.manages(request.actor, call.organisation_id)


def _managed_call(request: AuthedRequest, pk: int) -> Call:
    """One of the organisation's calls, for those who may change it (not only read it)."""
    call = _own_call(request, pk)
    if not _manager(request, call):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    return call


@login_required
def call_list(request: AuthedRequest) -> HttpResponse:
    org = _organisation(request)
    calls = (
        Call.objects.filter(organisation=org)
        .annotate(n=Count("applications"))
        .order_by("-opens_at", "pk")
    )
    return render(request, "candidates/call_list.html", {"calls": calls, "org": org})


@login_required
def call_create(request: AuthedRequest) -> HttpResponse:
    """A coordinator opens a call: dates, places, audiences, sessions, stages, questions,
    interview grid."""
    org = _organisation(request)
    if not actions.manages(request.actor, org.pk):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    form = CallForm(org, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            data = actions.CallData(
                title=d["title"],
                slug=d["slug"],
                kind=d["kind"],
                description=d.get("description") or "",
                opens_at=d["opens_at"],
                closes_at=d["closes_at"],
                places=d["places"],
                retention_days=d["retention_days"],
                audiences=list(d.get("audiences") or []),
                session_ids=[s.pk for s in d.get("sessions") or []],
                referral_call_id=d["referral_call"].pk if d.get("referral_call") else None,
                followup_call_id=d["followup_call"].pk if d.get("followup_call") else None,
                stages=d.get("stages") or [],
                questions=d.get("questions") or [],
                criteria=d.get("criteria") or [],
            )
            try:
                call = actions.open_call(actor=request.actor, organisation=org, data=data)
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Appel ouvert."))
                return redirect("candidates:board", pk=call.pk)
        status = 422
    return render(request, "candidates/call_form.html", {"form": form}, status=status)


@login_required
def stages(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit the call's stages (names and order, one per line)."""
    call = _managed_call(request, pk)
    current = "\n".join(s.label for s in call.stages.order_by("order", "id"))
    form = StagesForm(request.POST or None, initial={"stages": current})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.set_stages(
                    actor=request.actor, call=call, labels=form.cleaned_data["stages"]
                )
            except ValidationError as exc:
                form.add_error("stages", exc.messages)
            else:
                messages.success(request, _("Étapes enregistrées."))
                return redirect("candidates:board", pk=call.pk)
        status = 422
    return render(request, "candidates/stages.html", {"call": call, "form": form}, status=status)


@login_required
def board(request: AuthedRequest, pk: int) -> HttpResponse:
    """The candidates by stage: one column per stage (the first cards of each; the list shows
    everyone), each card with a keyboard move."""
    call = _own_call(request, pk)
    stages = list(call.stages.order_by("order", "id"))
    counts = dict(
        Application.objects.filter(call=call, purged_at=None)
        .order_by()
        .values_list("stage_id")
        .annotate(n=Count("pk"))
        .values_list("stage_id", "n")
    )
    columns = []
    for stage in stages:
        cards = list(
            Application.objects.filter(call=call, stage=stage, purged_at=None)
            .only("pk", "first_name", "last_name", "decision", "submitted_at", "stage_id")
            .order_by("submitted_at", "pk")[:BOARD_CARDS]
        )
        columns.append({"stage": stage, "cards": cards, "count": counts.get(stage.pk, 0)})
    return render(
        request,
        "candidates/board.html",
        {
            "call": call,
            "columns": columns,
            "stages": stages,
            "manager": _manager(request, call),
            "board_cards": BOARD_CARDS,
        },
    )


def _filtered(call: Call, form: ListFilterForm) -> Any:
    rows = Application.objects.filter(call=call, purged_at=None).select_related("stage")
    if form.is_valid():
        text = form.cleaned_data.get("q") or ""
        if text:
            rows = rows.filter(
                Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
                | Q(email__icontains=text)
            )
        if form.cleaned_data.get("stage"):
            rows = rows.filter(stage=form.cleaned_data["stage"])
        if form.cleaned_data.get("decision"):
            rows = rows.filter(decision=form.cleaned_data["decision"])
        sort = form.cleaned_data.get("sort") or "submitted"
    else:
        sort = "submitted"
    order = {
        "submitted": ("submitted_at", "pk"),
        "name": ("last_name", "first_name", "pk"),
        "stage": ("stage__order", "submitted_at", "pk"),
        "decision": ("decision", "submitted_at", "pk"),
    }[sort]
    return rows.order_by(*order)


@login_required
def application_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every candidate of the call, filtered and sorted, with bulk actions (move, invite,
    decide)."""
    from django.core.paginator import Paginator

    call = _own_call(request, pk)
    form = ListFilterForm(call, request.GET or None)
    rows = _filtered(call, form)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page", "")[:12])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/list.html",
        {
            "call": call,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "manager": _manager(request, call),
            # Their own ids: the filters above have a "stage" field too.
            "move_form": MoveForm(call, auto_id="move_%s"),
            "invite_form": InviteForm(call, auto_id="invite_%s"),
        },
    )


def _form_errors(form: Any) -> str:
    """The errors of a bulk-action form as one plain sentence for a message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label} : {error}" if label else str(error))
    return " ".join(parts)


def _back(request: AuthedRequest, call: Call) -> str:
    target = request.POST.get("back", "")
    allowed = {
        reverse("candidates:board", args=[call.pk]),
        reverse("candidates:list", args=[call.pk]),
    }
    return target if target in allowed else reverse("candidates:board", args=[call.pk])


@login_required
@require_POST
def move(request: AuthedRequest, pk: int) -> HttpResponse:
    call = _own_call(request, pk)
    form = MoveForm(call, request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_back(request, call))
    try:
        rows = actions.move(
            actor=request.actor,
            call=call,
            application_ids=form.picked,
            stage=form.cleaned_data["stage"],
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s candidature déplacée vers « %(s)s ».",
                "%(n)s candidatures déplacées vers « %(s)s ».",
                len(rows),
            )
            % {"n": len(rows), "s": form.cleaned_data["stage"].label},
        )
    return redirect(_back(request, call))


@login_required
@require_POST
def invite(request: AuthedRequest, pk: int) -> HttpResponse:
    call = _own_call(request, pk)
    form = InviteForm(call, request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_back(request, call))
    try:
        enrolled = actions.invite_to_session(
            actor=request.actor,
            call=call,
            application_ids=form.picked,
            session=form.cleaned_data["session"],
            purpose=form.cleaned_data["purpose"],
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s personne invitée : elle reçoit un e-mail et son agenda.",
                "%(n)s personnes invitées : elles reçoivent un e-mail et leur agenda.",
                len(enrolled),
            )
            % {"n": len(enrolled)},
        )
    return redirect(_back(request, call))


@login_required
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Step 1 (GET, from the list): the decision e-mail's template, editable. Step 2 (POST):
    decide and queue the e-mails."""
    call = _managed_call(request, pk)
    status = 200
    if request.method == "POST" and "confirm" in request.POST:
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                rows = actions.decide(
                    actor=request.actor,
                    call=call,
                    application_ids=form.picked,
                    decision=form.cleaned_data["decision"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as exc:
                _attach(form, exc)
                status = 422
            else:
                messages.success(
                    request,
                    ngettext(
                        "Décision enregistrée pour %(n)s candidature ; l'e-mail part sous peu.",
                        "Décision enregistrée pour %(n)s candidatures ; "
                        "les e-mails partent sous peu.",
                        len(rows),
                    )
                    % {"n": len(rows)},
                )
                return redirect("candidates:list", pk=call.pk)
        else:
            status = 422
    else:
        source = request.POST if request.method == "POST" else request.GET
        decision = source.get("decision", Decision.SELECTED)
        if decision not in actions.TEMPLATES or decision == Decision.REFERRED:
            decision = Decision.SELECTED
        subject, body = actions.template_for(decision)
        form = DecisionForm(
            initial={"decision": decision, "subject": subject, "body": body},
        )
        form.picked = actions_ids(source.getlist("ids"))
        if not form.picked:
            messages.error(request, _("Choisissez au moins une candidature."))
            return redirect("candidates:list", pk=call.pk)
    people = Application.objects.filter(call=call, pk__in=form.picked[:2000], purged_at=None)
    return render(
        request,
        "candidates/decide.html",
        {"call": call, "form": form, "people": people, "picked": form.picked},
        status=status,
    )


def actions_ids(values: list[str]) -> list[int]:
    from parcours.lib.ids import parse_id

    return [i for i in (parse_id(v) for v in values[:2000]) if i is not None]


@login_required
def candidate(request: AuthedRequest, pk: int, application_id: int) -> HttpResponse:
    """A candidate's file: identity, answers, files, scores, interview grids, messages, the
    linked applications. Every read is audited."""
    call = _own_call(request, pk)
    application = get_object_or_404(
        Application.objects.select_related("stage", "previous__call", "person"),
        pk=application_id,
        call=call,
        purged_at=None,
    )
    actions.record_read(actor=request.actor, application=application)
    manager = _manager(request, call)
    score_form = ScoreForm()
    interview_form = InterviewForm(call)
    return render(
        request,
        "candidates/candidate.html",
        _candidate_context(call, application, manager, score_form, interview_form),
    )


def _candidate_context(
    call: Call,
    application: Application,
    manager: bool,
    score_form: ScoreForm,
    interview_form: InterviewForm,
) -> dict[str, Any]:
    subject, body = actions.template_for(Decision.REFERRED)
    return {
        "call": call,
        "a": application,
        "answers": application.answers.select_related("question").order_by("question__order"),
        "files": application.files.all(),
        "scores": application.scores.order_by("test"),
        "interviews": application.interview_scores.select_related(
            "criterion", "interviewer"
        ).order_by("interviewer_id", "criterion__order"),
        "interview_result": actions.interview_result(application),
        "messages_sent": application.messages.order_by("-created_at"),
        "followups": application.followups.select_related("call"),
        "stages": call.stages.order_by("order"),
        "manager": manager,
        "score_form": score_form,
        "interview_form": interview_form,
        "can_refer": manager
        and call.referral_call_id is not None
        and application.decision not in (Decision.SELECTED, Decision.REFERRED),
        "refer_subject": subject,
        "refer_body": body,
    }


def _own_application(
    request: AuthedRequest, pk: int, application_id: int
) -> tuple[Call, Application]:
    call = _managed_call(request, pk)
    application = get_object_or_404(Application, pk=application_id, call=call, purged_at=None)
    return call, application


@login_required
@require_POST
def score(request: AuthedRequest, pk: int, application_id: int) -> HttpResponse:
    call, application = _own_application(request, pk, application_id)
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            actions.record_score(
                actor=request.actor,
                application=application,
                test=form.cleaned_data["test"],
                score=form.cleaned_data["score"],
                out_of=form.cleaned_data["out_of"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Note enregistrée."))
            return redirect("candidates:candidate", pk=call.pk, application_id=application.pk)
    return render(
        request,
        "candidates/candidate.html",
        _candidate_context(call, application, True, form, InterviewForm(call)),
        status=422,
    )


@login_required
@require_POST
def interview(request: AuthedRequest, pk: int, application_id: int) -> HttpResponse:
    call, application = _own_application(request, pk, application_id)
    form = InterviewForm(call, request.POST)
    if form.is_valid():
        try:
            actions.record_interview(
                actor=request.actor, application=application, scores=form.scores()
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Grille d'entretien enregistrée."))
            return redirect("candidates:candidate", pk=call.pk, application_id=application.pk)
    return render(
        request,
        "candidates/candidate.html",
        _candidate_context(call, application, True, ScoreForm(), form),
        status=422,
    )


@login_required
@require_POST
def refer(request: AuthedRequest, pk: int, application_id: int) -> HttpResponse:
    call, application = _own_application(request, pk, application_id)
    subject = request.POST.get("subject", "")[:200]
    body = request.POST.get("body", "")[:5000]
    try:
        referred = actions.refer(
            actor=request.actor, application=application, subject=subject, body=body
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("candidates:candidate", pk=call.pk, application_id=application.pk)
    messages.success(
        request,
        _("Candidature orientée vers « %(c)s » ; l'e-mail part sous peu.")
        % {"c": referred.call.title},
    )
    return redirect("candidates:candidate", pk=call.pk, application_id=application.pk)


@login_required
def reapply(request: AuthedRequest, pk: int) -> HttpResponse:
    """At the end of a preparatory programme: invite its people to apply again."""
    call = _managed_call(request, pk)
    status = 200
    if request.method == "POST" and "confirm" in request.POST:
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                sent = actions.invite_to_reapply(
                    actor=request.actor,
                    call=call,
                    application_ids=form.picked,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as exc:
                _attach(form, exc)
                status = 422
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s invitation à postuler à nouveau part sous peu.",
                        "%(n)s invitations à postuler à nouveau partent sous peu.",
                        len(sent),
                    )
                    % {"n": len(sent)},
                )
                return redirect("candidates:list", pk=call.pk)
        else:
            status = 422
    else:
        source = request.POST if request.method == "POST" else request.GET
        subject, body = actions.template_for("reapply")
        form = MessageForm(initial={"subject": subject, "body": body})
        form.picked = actions_ids(source.getlist("ids"))
        if not form.picked:
            messages.error(request, _("Choisissez au moins une candidature."))
            return redirect("candidates:list", pk=call.pk)
    people = Application.objects.filter(call=call, pk__in=form.picked[:2000], purged_at=None)
    return render(
        request,
        "candidates/reapply.html",
        {"call": call, "form": form, "people": people, "picked": form.picked},
        status=status,
    )


@login_required
def download_file(request: AuthedRequest, pk: int, file_id: int) -> FileResponse:
    """A candidate's file, only to the organisation's staff who may read candidates; the read
    is audited. Served as an attachment, never inline."""
    call = _own_call(request, pk)
    item = get_object_or_404(
        ApplicationFile.objects.select_related("application__call"),
        pk=file_id,
        application__call=call,
        application__purged_at=None,
    )
    actions.record_read(actor=request.actor, application=item.application, what="document")
    try:
        handle = uploads.open_file(item.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def funnel_page(request: AuthedRequest, pk: int) -> HttpResponse:
    call = _own_call(request, pk)
    rows = funnel.rows([call.pk])
    total = funnel.counts(rows)
    steps = [
        {
            "label": label,
            "value": total[key],
            "rate": funnel.rate(total[key], total["applied"] or 0),
        }
        for key, label in funnel.STEPS
    ]
    return render(
        request,
        "candidates/funnel.html",
        {
            "call": call,
            "steps": steps,
            "by_gender": funnel.breakdown(rows, "gender"),
            "by_age": funnel.breakdown(rows, "age_band"),
            "keys": [k for k, _label in funnel.STEPS],
            "labels": [label for _k, label in funnel.STEPS],
        },
    )


@login_required
def funnel_csv(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The funnel as CSV: one line per step, then per gender and per age band."""
    call = _own_call(request, pk)
    rows = funnel.rows([call.pk])
    keys = [k for k, _label in funnel.STEPS]
    header = [_("Groupe"), *[str(label) for _k, label in funnel.STEPS]]
    lines: list[list[Any]] = [[_("Tous"), *[funnel.counts(rows)[k] for k in keys]]]
    for by, prefix in (("gender", _("Genre")), ("age_band", _("Âge"))):
        for group, counts in funnel.breakdown(rows, by):
            lines.append([f"{prefix} : {group}", *[counts[k] for k in keys]])
    response = StreamingHttpResponse(
        exports.stream_csv(header, lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="entonnoir-{call.slug}.csv"'
    return response
