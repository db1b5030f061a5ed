"""Career pages: the caseload, a person's career file (log, milestones and outcomes, loans,
survey), assigning people from a session or an application, and the public survey page.
Thin: the role is checked first, reads are scoped to the current organisation, writes go
through ``careers.actions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation
from parcours.candidates.models import Application
from parcours.careers import actions, permissions
from parcours.careers.forms import (
    FollowUpForm,
    ManagerForm,
    OutcomeForm,
    SessionAssignForm,
    SurveyForm,
    TrainingDatesForm,
)
from parcours.careers.models import CareerFile, FollowUp, Milestone, Outcome
from parcours.enrolment.models import Session
from parcours.enrolment.states import ACTIVE
from parcours.lib.http import AuthedRequest
from parcours.scheduling.models import Loan

PAGE_SIZE = 50


def _org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Choisissez d'abord une organisation."))
    return org


def _career_org(request: AuthedRequest) -> Organisation:
    org = _org(request)
    permissions.require_career_manager(request.actor, org)
    return org


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def caseload(request: AuthedRequest) -> HttpResponse:
    """The career manager's caseload (``?tous=1``: every file of the organisation), overdue
    next actions first."""
    org = _career_org(request)
    today = timezone.localdate()
    everyone = request.GET.get("tous") == "1"
    files = CareerFile.objects.of_organisation(org.pk).active(today)
    if not everyone:
        files = files.filter(manager=request.user)
    files = (
        files.with_next_due(today)
        .caseload_order()
        .select_related("person", "manager", "session__module")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.filter(milestone=Milestone.M6),
                to_attr="six_months",
            )
        )
    )
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page", "")[:12])
    return render(
        request,
        "careers/caseload.html",
        {"files": page.object_list, "page": page, "everyone": everyone, "today": today},
    )


def _file_context(request: AuthedRequest, file: CareerFile, **forms: Any) -> dict[str, Any]:
    outcomes = {o.milestone: o for o in file.outcomes.all()}
    dates = file.milestone_dates
    rows = [(value, label, dates[value], outcomes.get(value)) for value, label in Milestone.choices]
    loans = (
        Loan.objects.filter(borrower=file.person, organisation=file.organisation)
        .select_related("resource")
        .order_by("-start")[:50]
    )
    return {
        "file": file,
        "milestones": rows,
        "followups": file.followups.select_related("author").all()[:200],
        "loans": loans,
        "surveys": file.surveys.all()[:5],
        "today": timezone.localdate(),
        "followup_form": forms.get("followup_form")
        or FollowUpForm(
            initial={"happened_on": timezone.localdate(), "kind": "meeting"}, auto_id="suivi_%s"
        ),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(auto_id="situation_%s"),
        "dates_form": forms.get("dates_form")
        or TrainingDatesForm(
            initial={"training_start": file.training_start, "training_end": file.training_end},
            auto_id="dates_%s",
        ),
    }


@login_required
def file_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _career_org(request)
    file = actions.open_file(request.actor, org, pk)
    return render(request, "careers/file.html", _file_context(request, file))


def _posted_file(request: AuthedRequest, pk: int) -> CareerFile:
    org = _career_org(request)
    return get_object_or_404(
        CareerFile.objects.select_related("person", "organisation", "session__module"),
        pk=pk,
        organisation=org,
    )


@login_required
@require_POST
def followup_add(request: AuthedRequest, pk: int) -> HttpResponse:
    file = _posted_file(request, pk)
    form = FollowUpForm(request.POST, auto_id="suivi_%s")
    if form.is_valid():
        try:
            actions.log_followup(actor=request.actor, file=file, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Suivi enregistré."))
            return redirect("careers:file", pk=file.pk)
    return render(
        request, "careers/file.html", _file_context(request, file, followup_form=form), status=422
    )


@login_required
@require_POST
def followup_done(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _career_org(request)
    followup = get_object_or_404(
        FollowUp.objects.select_related("file"), pk=pk, file__organisation=org
    )
    actions.complete_action(actor=request.actor, followup=followup)
    messages.success(request, _("Action marquée comme faite."))
    return redirect("careers:file", pk=followup.file_id)


@login_required
@require_POST
def outcome_record(request: AuthedRequest, pk: int) -> HttpResponse:
    file = _posted_file(request, pk)
    form = OutcomeForm(request.POST, auto_id="situation_%s")
    if form.is_valid():
        try:
            actions.record_outcome(actor=request.actor, file=file, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Situation enregistrée."))
            return redirect("careers:file", pk=file.pk)
    return render(
        request, "careers/file.html", _file_context(request, file, outcome_form=form), status=422
    )


@login_required
@require_POST
def training_dates(request: AuthedRequest, pk: int) -> HttpResponse:
    file = _posted_file(request, pk)
    form = TrainingDatesForm(request.POST, auto_id="dates_%s")
    if form.is_valid():
        try:
            actions.set_training_dates(
                actor=request.actor,
                file=file,
                start=form.cleaned_data["training_start"],
                end=form.cleaned_data["training_end"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Dates de formation enregistrées."))
            return redirect("careers:file", pk=file.pk)
    return render(
        request, "careers/file.html", _file_context(request, file, dates_form=form), status=422
    )


@login_required
@require_POST
def survey_send(request: AuthedRequest, pk: int) -> HttpResponse:
    file = _posted_file(request, pk)
    try:
        actions.request_survey(actor=request.actor, file=file)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("L'enquête a été envoyée par e-mail."))
    return redirect("careers:file", pk=file.pk)


# --- Assigning --------------------------------------------------------------------------------


@login_required
def assign_pick(request: AuthedRequest) -> HttpResponse:
    """The organisation's sessions of the last year and to come, to assign their learners."""
    org = _org(request)
    permissions.require_assigner(request.actor, org)
    since = timezone.now() - dt.timedelta(days=365)
    sessions = (
        Session.objects.filter(organisation=org, ends_at__gte=since)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("module", "site")
        .order_by("-starts_at", "-pk")[:200]
    )
    return render(request, "careers/assign_pick.html", {"sessions": sessions})


@login_required
def assign_session(request: AuthedRequest, pk: int) -> HttpResponse:
    """Put learners of a session into a career manager's caseload."""
    org = _org(request)
    permissions.require_assigner(request.actor, org)
    session = get_object_or_404(Session.objects.select_related("module"), pk=pk, organisation=org)
    learners = [
        e.learner
        for e in session.enrolments.filter(status__in=ACTIVE)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name")
    ]
    followed = set(
        CareerFile.objects.filter(organisation=org, person__in=learners).values_list(
            "person_id", flat=True
        )
    )
    form = SessionAssignForm(request.POST or None, organisation=org, learners=learners)
    if request.method == "POST" and form.is_valid():
        try:
            files = actions.assign_from_session(
                actor=request.actor,
                session=session,
                learner_ids=form.cleaned_data["learners"],
                manager=form.cleaned_data["manager"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d personne(s) confiée(s) à %(who)s.")
                % {"n": len(files), "who": form.cleaned_data["manager"].get_full_name()},
            )
            return redirect("careers:assign_session", pk=session.pk)
    return render(
        request,
        "careers/assign_session.html",
        {"session": session, "form": form, "followed": followed},
        status=422 if form.errors else 200,
    )


@login_required
def assign_application(request: AuthedRequest, pk: int) -> HttpResponse:
    """Put an applicant into a career manager's caseload (from the application on)."""
    org = _org(request)
    permissions.require_assigner(request.actor, org)
    application = get_object_or_404(
        Application.objects.select_related("call", "person"), pk=pk, call__organisation=org
    )
    form = ManagerForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_from_application(
                actor=request.actor, application=application, manager=form.cleaned_data["manager"]
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Candidat·e confié·e au suivi de carrière."))
            return redirect("careers:assign_application", pk=application.pk)
    return render(
        request,
        "careers/assign_application.html",
        {"application": application, "form": form},
        status=422 if form.errors else 200,
    )


# --- The survey (no login) --------------------------------------------------------------------


def survey(request: AuthedRequest, token: str) -> HttpResponse:
    found = actions.survey_for_token(token)
    if found is None:
        return render(request, "careers/survey_gone.html", status=410)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_survey(
                token=token,
                answer=actions.SurveyAnswer(
                    status=form.cleaned_data["status"],
                    contract=form.cleaned_data["contract"],
                    note=form.cleaned_data["note"],
                ),
            )
        except ValidationError as exc:
            _attach(form, exc)
        except PermissionDenied:
            return render(request, "careers/survey_gone.html", status=410)
        else:
            return render(request, "careers/survey_thanks.html", {"org": found.file.organisation})
    response = render(
        request,
        "careers/survey.html",
        {"form": form, "org": found.file.organisation},
        status=422 if form.errors else 200,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
