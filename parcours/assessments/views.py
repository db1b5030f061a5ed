"""Assessment pages: the learner's projects and their history, the reviewers' queue, a review,
a session's grid, criteria, recognition of prior learning, the private file download and the
public evidence page. Thin: permission first, reads scoped, writes through the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, User
from parcours.assessments import actions, permissions, uploads
from parcours.assessments.forms import (
    CriteriaForm,
    PriorLearningForm,
    QuickReviewForm,
    ReviewForm,
    SubmissionForm,
    WithdrawForm,
)
from parcours.assessments.models import Criterion, Submission, SubmissionStatus
from parcours.catalogue.models import Module
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import ACTIVE
from parcours.lib.http import AuthedRequest, is_htmx
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Completion, Pathway, PathwayModule

ASSESSED = (Module.CompletionMode.ASSESSMENT, Module.CompletionMode.BOTH)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Choisissez d'abord une organisation."))
    return org


# --- Learner ---------------------------------------------------------------------------------


def _my_modules(user: User) -> list[Module]:
    """Modules passed by a project that the learner follows (a session, or a pathway)."""
    enrolled = Enrolment.objects.filter(learner=user, status__in=ACTIVE).values(
        "session__module_id"
    )
    followed_pathways = Pathway.objects.published().filter(
        Q(memberships__module_id__in=enrolled)
        | Q(memberships__module_id__in=Completion.objects.filter(learner=user).values("module_id"))
    )
    in_pathways = PathwayModule.objects.filter(pathway__in=followed_pathways).values("module_id")
    submitted = Submission.objects.filter(learner=user).values("module_id")
    return list(
        Module.objects.filter(completion_mode__in=ASSESSED)
        .filter(Q(pk__in=enrolled) | Q(pk__in=in_pathways) | Q(pk__in=submitted))
        .select_related("organisation")
        .order_by("code")
    )


@login_required
def my_projects(request: AuthedRequest) -> HttpResponse:
    modules = _my_modules(request.user)
    latest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(learner=request.user, module__in=modules).order_by(
        "module_id", "version"
    ):
        latest[submission.module_id] = submission
    rows = [(m, latest.get(m.pk)) for m in modules]
    reviewer = bool(
        request.actor.orgs_with_role(*permissions.COORDINATORS)
        or permissions.trained_module_ids(request.user)
    )
    return render(request, "assessments/my_projects.html", {"rows": rows, "is_reviewer": reviewer})


def _module_for_learner(request: AuthedRequest, pk: int) -> Module:
    module = get_object_or_404(
        Module.objects.select_related("organisation"), pk=pk, completion_mode__in=ASSESSED
    )
    mine = Submission.objects.filter(learner=request.user, module=module).exists()
    if not mine and not permissions.may_submit(request.user, module):
        raise Http404
    return module


def _module_context(request: AuthedRequest, module: Module, form: SubmissionForm) -> dict[str, Any]:
    history = list(
        Submission.objects.filter(learner=request.user, module=module)
        .select_related("reviewer")
        .prefetch_related("criterion_results")
        .order_by("-version")
    )
    can_submit = not any(
        s.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.PASSED) for s in history
    )
    return {
        "module": module,
        "criteria": list(Criterion.objects.filter(module=module)),
        "history": history,
        "form": form,
        "can_submit": can_submit,
        "completed": Completion.objects.filter(learner=request.user, module=module).first(),
    }


@login_required
def module_projects(request: AuthedRequest, pk: int) -> HttpResponse:
    """The learner's page for one module: criteria, history (each version, its review) and
    the form to hand in a (new) version."""
    module = _module_for_learner(request, pk)
    # A new version keeps the previous one's answer about the badge's evidence (changeable).
    last = (
        Submission.objects.filter(learner=request.user, module=module)
        .order_by("-version")
        .values_list("evidence_consent", flat=True)
        .first()
    )
    form = SubmissionForm(
        request.POST or None, request.FILES or None, initial={"evidence_consent": bool(last)}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.submit_project(
                    actor=request.actor,
                    module=module,
                    text=form.cleaned_data["text"],
                    link=form.cleaned_data["link"],
                    upload=form.cleaned_data.get("file"),
                    evidence_consent=form.cleaned_data["evidence_consent"],
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Projet remis. Votre formateur va le revoir."))
                return redirect("assessments:module", pk=module.pk)
        return render(
            request,
            "assessments/module.html",
            _module_context(request, module, form),
            status=422,
        )
    return render(request, "assessments/module.html", _module_context(request, module, form))


@login_required
@require_POST
def evidence_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=pk, learner=request.user)
    actions.set_evidence_consent(
        actor=request.actor, submission=submission, consent=request.POST.get("consent") == "1"
    )
    messages.success(request, _("Votre choix est enregistré."))
    target = request.POST.get("next")
    if target == "portfolio":
        return redirect("portfolio:mine")
    return redirect("assessments:module", pk=submission.module_id)


# --- Files -----------------------------------------------------------------------------------


def _file_response(submission: Submission) -> FileResponse:
    if not submission.stored_name:
        raise Http404
    try:
        handle = uploads.open_file(submission.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=submission.file_name,
        content_type=submission.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request: AuthedRequest, pk: int) -> FileResponse:
    """A project's file: to its learner, the module's trainers and its coordinators only."""
    submission = get_object_or_404(Submission.objects.select_related("module"), pk=pk)
    if submission.learner_id != request.user.pk and not permissions.may_review(
        request.actor, submission.module
    ):
        raise Http404
    return _file_response(submission)


def _public_submission(uuid: UUID) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("module__organisation", "learner"),
        uuid=uuid,
        status=SubmissionStatus.PASSED,
        evidence_consent=True,
    )


def evidence(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    """The public page a badge's evidence points to (only while the learner agrees)."""
    submission = _public_submission(uuid)
    return render(request, "assessments/evidence.html", {"submission": submission})


def evidence_file(request: AuthedRequest, uuid: UUID) -> FileResponse:
    return _file_response(_public_submission(uuid))


# --- Reviewers -------------------------------------------------------------------------------


def _reviewable(request: AuthedRequest) -> Any:
    org = _org(request)
    scope = permissions.reviewable_modules(request.actor)
    if request.actor.is_platform_admin:
        scope = Q()
    return Submission.objects.filter(scope, organisation=org)


@login_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    org = _org(request)
    if not (
        permissions.is_coordinator(request.actor, org.pk)
        or permissions.trained_module_ids(request.user)
    ):
        raise PermissionDenied(_("Cette page est réservée aux formateurs et coordinateurs."))
    pending = (
        _reviewable(request)
        .filter(status=SubmissionStatus.SUBMITTED)
        .select_related("module", "learner")
        .order_by("submitted_at")[:200]
    )
    coordinator = permissions.is_coordinator(request.actor, org.pk)
    sessions = Session.objects.filter(organisation=org, module__completion_mode__in=ASSESSED)
    if not coordinator:
        sessions = sessions.filter(trainers=request.user)
    sessions = sessions.select_related("module").order_by("-starts_at")[:50]
    return render(
        request,
        "assessments/queue.html",
        {
            "pending": pending,
            "sessions": sessions,
            "is_coordinator": coordinator,
        },
    )


def _review_context(submission: Submission, form: ReviewForm) -> dict[str, Any]:
    history = list(
        Submission.objects.filter(learner_id=submission.learner_id, module_id=submission.module_id)
        .select_related("reviewer")
        .prefetch_related("criterion_results")
        .order_by("-version")
    )
    return {"submission": submission, "form": form, "history": history}


@login_required
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(_reviewable(request).select_related("module", "learner"), pk=pk)
    criteria = list(Criterion.objects.filter(module=submission.module))
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = actions.review_submission(
                    actor=request.actor,
                    submission=submission,
                    result=form.cleaned_data["result"],
                    feedback=form.cleaned_data["feedback"],
                    criteria=form.judgements(),
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                if outcome.waits_for_attendance:
                    messages.success(
                        request,
                        _("Projet réussi. Le module sera terminé quand les présences suffiront."),
                    )
                elif outcome.completion is not None:
                    messages.success(request, _("Projet réussi : le module est terminé."))
                else:
                    messages.success(request, _("Revue enregistrée."))
                return redirect("assessments:queue")
        return render(
            request, "assessments/review.html", _review_context(submission, form), status=422
        )
    return render(request, "assessments/review.html", _review_context(submission, form))


def _grid_session(request: AuthedRequest, pk: int) -> Session:
    org = _org(request)
    session = get_object_or_404(
        Session.objects.select_related("module"),
        pk=pk,
        organisation=org,
        module__completion_mode__in=ASSESSED,
    )
    if not permissions.may_review(request.actor, session.module):
        raise Http404
    return session


def _grid_rows(session: Session) -> list[dict[str, Any]]:
    learners = list(
        User.objects.filter(
            pk__in=Enrolment.objects.filter(session=session, status__in=ACTIVE).values("learner_id")
        ).order_by("last_name", "first_name", "pk")
    )
    latest: dict[int, Submission] = {}
    counts: dict[int, int] = {}
    for s in Submission.objects.filter(module_id=session.module_id, learner__in=learners).order_by(
        "version"
    ):
        latest[s.learner_id] = s
        counts[s.learner_id] = counts.get(s.learner_id, 0) + 1
    return [_grid_row(session, p, latest.get(p.pk), counts.get(p.pk, 0)) for p in learners]


def _grid_row(
    session: Session, learner: User, submission: Submission | None, versions: int
) -> dict[str, Any]:
    """One row of the grid, its links built once here (hundreds of rows: no URL tag per row)."""
    row: dict[str, Any] = {"learner": learner, "submission": submission, "versions": versions}
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        row["post_url"] = reverse("assessments:grid_review", args=[session.pk, submission.pk])
        row["review_url"] = reverse("assessments:review", args=[submission.pk])
    return row


@login_required
def session_grid(request: AuthedRequest, pk: int) -> HttpResponse:
    """A session's learners and their project's status; pending versions reviewed in the row."""
    session = _grid_session(request, pk)
    return render(
        request,
        "assessments/grid.html",
        {"session": session, "rows": _grid_rows(session), "form": QuickReviewForm()},
    )


@login_required
@require_POST
def grid_review(request: AuthedRequest, pk: int, submission_pk: int) -> HttpResponse:
    """Review one row of the grid (htmx: the row comes back; on error, 422 and the row with
    its message, focus on it)."""
    session = _grid_session(request, pk)
    submission = get_object_or_404(
        Submission.objects.select_related("learner", "module").filter(
            learner__in=Enrolment.objects.filter(session=session).values("learner_id")
        ),
        pk=submission_pk,
        module_id=session.module_id,
    )
    form = QuickReviewForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            actions.review_submission(
                actor=request.actor,
                submission=submission,
                result=form.cleaned_data["result"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            _attach(form, exc)
            status = 422
        else:
            submission.refresh_from_db()
            form = QuickReviewForm()
    else:
        status = 422
    if not is_htmx(request):
        if status == 200:
            messages.success(request, _("Revue enregistrée."))
        else:
            messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect("assessments:grid", pk=session.pk)
    versions = Submission.objects.filter(
        module_id=session.module_id, learner_id=submission.learner_id
    ).count()
    row = _grid_row(session, submission.learner, submission, versions)
    return render(
        request,
        "assessments/_grid_row.html",
        {"session": session, "row": row, "form": form},
        status=status,
    )


# --- Coordinators ----------------------------------------------------------------------------


@login_required
def criteria(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _org(request)
    if not permissions.is_coordinator(request.actor, org.pk):
        raise PermissionDenied(_("Seul·e un·e coordinateur·rice modifie les critères."))
    module = get_object_or_404(Module, pk=pk, organisation=org)
    current = "\n".join(c.text_fr for c in Criterion.objects.filter(module=module))
    form = CriteriaForm(request.POST or None, initial={"criteria": current})
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.set_criteria(actor=request.actor, module=module, texts=form.texts())
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Critères enregistrés."))
                return redirect("assessments:criteria", pk=module.pk)
        return render(
            request, "assessments/criteria.html", {"module": module, "form": form}, status=422
        )
    return render(request, "assessments/criteria.html", {"module": module, "form": form})


def _rpl_context(org: Organisation, form: PriorLearningForm) -> dict[str, Any]:
    recent = (
        Completion.objects.filter(
            module__organisation=org,
            source__in=[Completion.Source.RECOGNITION, Completion.Source.MANUAL],
        )
        .select_related("learner", "module")
        .order_by("-created_at")[:50]
    )
    return {"form": form, "recent": recent, "withdraw_form": WithdrawForm()}


def _org_modules(org: Organisation) -> list[tuple[int, str]]:
    return [
        (m.pk, f"{m.code} — {m.title_fr}")
        for m in Module.objects.filter(organisation=org)
        .exclude(status=Module.Status.ARCHIVED)
        .order_by("code")
    ]


@login_required
def prior_learning(request: AuthedRequest) -> HttpResponse:
    """Recognition of prior learning: a coordinator records a completion with a reason."""
    org = _org(request)
    if not permissions.is_coordinator(request.actor, org.pk):
        raise PermissionDenied(_("Cette page est réservée aux coordinateurs."))
    form = PriorLearningForm(request.POST or None, modules=_org_modules(org))
    if request.method == "POST":
        if form.is_valid():
            learner = User.objects.filter(
                email__iexact=form.cleaned_data["email"], memberships__organisation=org
            ).first()
            module = Module.objects.filter(pk=form.cleaned_data["module"], organisation=org).first()
            if learner is None:
                form.add_error("email", _("Personne de votre organisation n'a cet e-mail."))
            elif module is None:
                form.add_error("module", _("Choisissez un module de votre organisation."))
            else:
                try:
                    pathway_actions.record_prior_learning(
                        actor=request.actor,
                        learner=learner,
                        module=module,
                        reason=form.cleaned_data["reason"],
                        completed_on=form.cleaned_data.get("completed_on"),
                    )
                except ValidationError as exc:
                    _attach(form, exc)
                else:
                    messages.success(request, _("Acquis reconnus : le module est terminé."))
                    return redirect("assessments:prior_learning")
        return render(
            request, "assessments/prior_learning.html", _rpl_context(org, form), status=422
        )
    return render(request, "assessments/prior_learning.html", _rpl_context(org, form))


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _org(request)
    if not permissions.is_coordinator(request.actor, org.pk):
        raise PermissionDenied(_("Cette page est réservée aux coordinateurs."))
    completion = get_object_or_404(
        Completion.objects.select_related("module"), pk=pk, module__organisation=org
    )
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la raison du retrait."))
        return redirect("assessments:prior_learning")
    revoke = form.cleaned_data["revoke_credentials"]
    pathway_actions.withdraw_completion(
        actor=request.actor,
        completion=completion,
        reason=form.cleaned_data["reason"],
        revoke_credentials=revoke,
    )
    if revoke:
        messages.success(
            request,
            _(
                "Module terminé retiré (le retrait est enregistré) ; les badges qu'il avait "
                "permis d'obtenir sont révoqués."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Module terminé retiré (le retrait est enregistré) ; les badges déjà délivrés "
                "sont conservés."
            ),
        )
    return redirect("assessments:prior_learning")
