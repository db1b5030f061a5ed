"""The invited person's pages: accept an invitation (set a password), ask for a new link.

A link that no longer works (unknown or tampered, used, revoked, expired) gets one clear page
that says why and offers to send a new link; asking answers the same whether or not an
invitation exists for the address.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parcours.accounts import invitations, throttle
from parcours.accounts.forms import AcceptInvitationForm, NewLinkForm
from parcours.accounts.models import Invitation

#: The secret in the address never goes to other sites through the Referer header. (Not
#: ``no-referrer``: the browser would then send ``Origin: null`` and fail the CSRF check.)
REFERRER_POLICY = "same-origin"


def _dead_link(request: HttpRequest, reason: str) -> HttpResponse:
    response = render(
        request,
        "accounts/invitations/invalid.html",
        {"reason": reason, "form": NewLinkForm()},
        status=410 if reason in ("used", "revoked", "expired") else 404,
    )
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, secret: str) -> HttpResponse:
    if request.method == "POST" and (
        limited := throttle.consume_or_429(
            request, "accept_invitation", key=Invitation.hash_secret(secret[:100])
        )
    ):
        return limited
    try:
        invitation = invitations.find(secret)
    except invitations.InvalidInvitation as exc:
        return _dead_link(request, exc.reason)
    form = AcceptInvitationForm(
        request.POST or None,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                accepted = invitations.accept(
                    secret,
                    data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    language=(get_language() or "fr")[:2],
                )
            except invitations.InvalidInvitation as exc:
                return _dead_link(request, exc.reason)
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                user = accepted.accepted_by
                assert user is not None  # noqa: S101 - accept() sets it
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return HttpResponseRedirect(invitations.landing_url(accepted))
    response = render(
        request,
        "accounts/invitations/accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


@require_POST
def new_link(request: HttpRequest) -> HttpResponse:
    email = str(request.POST.get("email", "")).strip().lower()[:254]
    if limited := throttle.consume_or_429(request, "request_invitation_link", key=email or None):
        return limited
    form = NewLinkForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/invitations/invalid.html",
            {"reason": "", "form": form},
            status=422,
        )
    invitations.request_new_link(email=form.cleaned_data["email"])
    return render(request, "accounts/invitations/link_requested.html")
