"""The learner's portfolio page, its public shared page, and its exports (PDF, ZIP of the
OB 3.0 credentials). Thin: the person's own data only; writes through ``portfolio.actions``."""

from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.lib.http import AuthedRequest
from parcours.lib.pdf import render_pdf
from parcours.lib.urls import absolute_url
from parcours.portfolio import actions, queries
from parcours.portfolio.models import ShareLink


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    portfolio = queries.build(request.user)
    link = ShareLink.objects.filter(person=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "portfolio/mine.html",
        {"portfolio": portfolio, "link": link, "new_url": request.session.pop("portfolio_url", "")},
    )


@login_required
@require_POST
def toggle(request: AuthedRequest) -> HttpResponse:
    try:
        actions.set_public(
            person=request.user,
            kind=request.POST.get("kind", ""),
            ref=request.POST.get("ref", "")[:64],
            public=request.POST.get("public") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portfolio:mine")
    messages.success(request, _("Votre choix est enregistré."))
    return redirect("portfolio:mine")


@login_required
@require_POST
def create_link(request: AuthedRequest) -> HttpResponse:
    token = actions.create_link(person=request.user)
    # Shown once, on the next page: only the token's hash is stored.
    request.session["portfolio_url"] = absolute_url(reverse("portfolio:public", args=[token]))
    messages.success(request, _("Nouveau lien créé : l'ancien ne fonctionne plus."))
    return redirect("portfolio:mine")


@login_required
@require_POST
def revoke_link(request: AuthedRequest) -> HttpResponse:
    if actions.revoke_link(person=request.user):
        messages.success(request, _("Lien révoqué : votre portfolio n'est plus partagé."))
    return redirect("portfolio:mine")


def public(request: AuthedRequest, token: str) -> HttpResponse:
    """The shared page: only the items the person chose, never their e-mail."""
    person = actions.person_for_token(token)
    if person is None:
        raise Http404
    portfolio = queries.build(person, public_only=True)
    response = render(request, "portfolio/public.html", {"portfolio": portfolio})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def pdf(request: AuthedRequest) -> HttpResponse:
    portfolio = queries.build(request.user)
    html = render_to_string(
        "portfolio/pdf.html",
        {"portfolio": portfolio, "lang": get_language() or "fr", "today": timezone.localdate()},
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="portfolio.pdf"'
    return response


@login_required
def credentials_zip(request: AuthedRequest) -> HttpResponse:
    """The signed JSON of each of the person's badges, byte for byte as credentials serves it."""
    portfolio = queries.build(request.user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for credential, _public in portfolio.badges:
            name = slugify(credential.achievement.name_fr)[:50] or "badge"
            archive.writestr(f"{name}-{credential.uuid}.json", credential.document)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="badges-ob3.zip"'
    return response
