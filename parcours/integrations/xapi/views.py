"""The organisation administrator's xAPI page: the LRS, its connection test, the outbox
(pending, sent, failed with the reason) and the retry. Thin: every write is an action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parcours.accounts.models import Organisation
from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.permissions import admin_organisation
from parcours.integrations.xapi import actions
from parcours.integrations.xapi.forms import LrsForm
from parcours.lib.http import AuthedRequest
from parcours.lib.ids import MAX_ID

S = XapiStatement.Status
LISTED = 50


def queue_state(organisation: Organisation) -> dict[str, int]:
    counts = dict.fromkeys(S.values, 0)
    for status, n in (
        XapiStatement.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[status] = n
    return counts


def _context(organisation: Organisation, form: LrsForm | None = None) -> dict[str, Any]:
    config = LrsConfig.objects.filter(organisation=organisation).first()
    if form is None:
        initial = (
            {"endpoint": config.endpoint, "key": config.key, "enabled": config.enabled}
            if config
            else {}
        )
        form = LrsForm(initial=initial)
    mine = XapiStatement.objects.filter(organisation=organisation).only(
        "pk",
        "kind",
        "statement_id",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
        "next_attempt_at",
    )
    return {
        "organisation": organisation,
        "config": config,
        "form": form,
        "counts": queue_state(organisation),
        "failed": list(mine.filter(status=S.FAILED).order_by("-pk")[:LISTED]),
        "waiting": list(
            mine.filter(status=S.PENDING).exclude(last_error="").order_by("pk")[:LISTED]
        ),
        "recent": list(mine.filter(status=S.PENDING, last_error="").order_by("-pk")[:10]),
    }


def _home() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("integrations:xapi:home"))


@login_required
@require_http_methods(["GET", "POST"])
def home(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    if request.method != "POST":
        return render(request, "integrations/xapi/home.html", _context(organisation))
    form = LrsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_config(
                actor=request.actor,
                organisation=organisation,
                data=actions.LrsData(
                    endpoint=data["endpoint"],
                    key=data["key"],
                    secret=data["secret"],
                    enabled=data["enabled"],
                ),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Configuration du LRS enregistrée."))
            return _home()
    return render(request, "integrations/xapi/home.html", _context(organisation, form), status=422)


@login_required
@require_POST
def check(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    try:
        result = actions.test_connection(actor=request.actor, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _home()
    (messages.success if result.ok else messages.error)(request, result.message)
    return _home()


@login_required
@require_POST
def retry(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    ids: list[int] | None = None
    raw = request.POST.get("statement", "")
    if raw:
        if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
            messages.error(request, _("Trace inconnue."))
            return _home()
        ids = [int(raw)]
    count = actions.retry_failed(actor=request.actor, organisation=organisation, ids=ids)
    messages.success(
        request, _("Traces remises dans la file d'envoi : %(count)d.") % {"count": count}
    )
    return _home()


@login_required
@require_POST
def send_now(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    try:
        report = actions.send_now(actor=request.actor, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _home()
    text = _("Envoyées : %(sent)d ; en échec : %(failed)d ; reportées : %(deferred)d.") % {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
    }
    (messages.error if report.stopped else messages.success)(request, text)
    return _home()
