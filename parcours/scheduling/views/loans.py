"""Equipment loans: list, lend, return, reminders, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role
from parcours.lib import clock
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.forms import (
    LoanForm,
    ReturnForm,
)
from parcours.scheduling.models import (
    Loan,
    Resource,
)
from parcours.scheduling.views._common import _current_org, _form_errors, _next_url, _paginate


def _loans(org: Organisation) -> Any:
    return Loan.objects.filter(organisation=org).select_related("resource", "borrower")


@login_required
def loan_list(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    moment = clock.now(request)
    page = _paginate(request, _loans(org).outstanding().order_by("due"))
    outstanding = list(page.object_list)
    today = planning.local_day(moment)
    overdue = [loan for loan in outstanding if loan.due < moment]
    context = {
        "organisation": org,
        "page_obj": page,
        "today": today,
        "overdue": overdue,
        "remindable": [loan for loan in overdue if loan.last_reminded != today],
        "outstanding": [loan for loan in outstanding if loan.due >= moment],
        "recent": list(_loans(org).filter(returned_at__isnull=False).order_by("-returned_at")[:20]),
        "items": list(
            Resource.objects.filter(organisation=org, kind=Resource.Kind.EQUIPMENT).order_by("name")
        ),
    }
    return render(request, "scheduling/loans.html", context)


@login_required
def loan_create(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    items = list(Resource.objects.active().filter(organisation=org, kind=Resource.Kind.EQUIPMENT))
    conflict: BookingConflict | None = None
    if request.method == "POST":
        form = LoanForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            start, due = actions.loan_times(data["start"], data["due"])
            try:
                loan = actions.checkout_loan(
                    actor=request.actor,
                    resource=data["resource"],
                    borrower_email=data["borrower_email"],
                    first_name=data.get("borrower_first_name") or "",
                    last_name=data.get("borrower_last_name") or "",
                    start=start,
                    due=due,
                    condition_out=data.get("condition_out") or "",
                )
            except BookingConflict as exc:
                conflict = exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("« %(item)s » prêté à %(who)s.")
                    % {"item": loan.resource.name, "who": loan.borrower},
                )
                return redirect("scheduling:loans")
    else:
        today = planning.local_day(timezone.now())
        form = LoanForm(
            initial={
                "resource": request.GET.get("resource"),
                "start": today,
                "due": today + dt.timedelta(days=7),
            },
            items=items,
        )
    return render(
        request,
        "scheduling/loan_form.html",
        {"form": form, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def loan_return(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loan = get_object_or_404(_loans(org), pk=pk)
    if loan.returned_at is not None:
        messages.info(request, _("Ce prêt est déjà rendu."))
        return redirect("scheduling:loans")
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                actions.return_loan(
                    actor=request.actor,
                    loan=loan,
                    condition_in=form.cleaned_data.get("condition_in") or "",
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Retour de « %s » enregistré.") % loan.resource.name)
                return redirect("scheduling:loans")
    else:
        form = ReturnForm()
    return render(request, "scheduling/loan_return.html", {"form": form, "loan": loan})


@login_required
@require_POST
def loan_reminders(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    count = actions.send_loan_reminders(
        actor=request.actor, organisation=org, now=clock.now(request)
    )
    if count:
        messages.success(
            request,
            ngettext("%(n)d rappel envoyé.", "%(n)d rappels envoyés.", count) % {"n": count},
        )
    else:
        messages.info(
            request, _("Aucun prêt en retard sans rappel aujourd'hui : aucun rappel envoyé.")
        )
    return redirect("scheduling:loans")


@login_required
@require_POST
def loan_remind(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loan = get_object_or_404(_loans(org), pk=pk)
    try:
        actions.remind_loan(actor=request.actor, loan=loan, now=clock.now(request))
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Rappel envoyé à %(who)s pour « %(item)s ».")
            % {"who": loan.borrower, "item": loan.resource.name},
        )
    return redirect(_next_url(request, reverse("scheduling:loans")))


@login_required
def loan_item_history(request: AuthedRequest, resource_id: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    item = get_object_or_404(Resource, pk=resource_id, organisation=org)
    loans = _paginate(request, _loans(org).filter(resource=item).order_by("-start"))
    return render(
        request,
        "scheduling/loan_history.html",
        {
            "subject": item.name,
            "loans": loans,
            "page_obj": loans,
            "by": "item",
            "now": clock.now(request),
        },
    )


@login_required
def loan_person_history(request: AuthedRequest, user_id: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loans = _paginate(request, _loans(org).filter(borrower_id=user_id).order_by("-start"))
    if not loans.object_list:
        raise Http404
    return render(
        request,
        "scheduling/loan_history.html",
        {
            "subject": str(loans[0].borrower),
            "loans": loans,
            "page_obj": loans,
            "by": "person",
            "now": clock.now(request),
        },
    )
