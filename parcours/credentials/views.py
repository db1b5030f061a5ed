"""Credential pages: the learner's badges and downloads, the public verification and share
pages, the documents verifiers fetch (issuer, keys, status lists, OB 2.0), and the
coordinator's achievements, issuance and revocation. Thin: writes go through actions."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.credentials import actions, documents, images, verification
from parcours.credentials.forms import (
    AchievementForm,
    EmailCheckForm,
    IssuerForm,
    RevokeForm,
    VerifyForm,
)
from parcours.credentials.models import (
    Achievement,
    IssuanceBatch,
    IssuedCredential,
    IssuerProfile,
    SigningKey,
    StatusList,
)
from parcours.credentials.permissions import can_view
from parcours.credentials.querysets import eligible_learner_ids
from parcours.credentials.states import ACHIEVEMENT_TRANSITIONS, AchievementStatus
from parcours.lib.http import AuthedRequest
from parcours.lib.ids import parse_id
from parcours.lib.urls import absolute_url

PAGE_SIZE = 50
WALLET_PREFIX = (
    '{\n  "@context": ["https://www.w3.org/ns/credentials/v2"],\n'
    '  "type": ["VerifiablePresentation"],\n  "verifiableCredential": [\n'
)


def _json(
    document: Any, *, status: int = 200, content_type: str = "application/json"
) -> HttpResponse:
    body = document if isinstance(document, str) else documents.dumps(document)
    response = HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")
    # Verifiers (web wallets, 1EdTech's validator) fetch these documents from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Learner ----------------------------------------------------------------------------


@login_required
def my_badges(request: AuthedRequest) -> HttpResponse:
    credentials = (
        IssuedCredential.objects.of_learner(request.user.pk)
        .select_related("achievement", "organisation")
        .order_by("-issued_at")
    )
    return render(request, "credentials/my_badges.html", {"credentials": credentials})


def _own_or_managed(request: AuthedRequest, uuid: UUID) -> IssuedCredential:
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("achievement", "organisation", "learner"),
        uuid=uuid,
    )
    if not request.user.is_authenticated or not can_view(request.actor, credential):
        raise Http404
    return credential


def _viewer(request: AuthedRequest) -> Actor | None:
    return request.actor if request.user.is_authenticated else None


@login_required
def badge_detail(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = _own_or_managed(request, uuid)
    report = verification.disclose_to(verification.verify_input(credential.document), request.actor)
    share_url = absolute_url(reverse("credentials:public_share", args=[credential.share_token]))
    return render(
        request,
        "credentials/badge_detail.html",
        {
            "credential": credential,
            "report": report,
            "share_url": share_url,
            "verify_url": documents.verify_url(credential.uuid),
            "is_owner": credential.learner_id == request.user.pk,
        },
    )


def _slug(credential: IssuedCredential) -> str:
    from django.utils.text import slugify

    return slugify(credential.achievement.name_fr)[:50] or "badge"


@login_required
def download_json(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = _own_or_managed(request, uuid)
    response = HttpResponse(credential.document, content_type="application/ld+json; charset=utf-8")
    return _attachment(response, f"{_slug(credential)}.json")


@login_required
def download_wallet(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    """An (unsigned) VerifiablePresentation holding the credential, byte for byte: the file
    wallets import."""
    credential = _own_or_managed(request, uuid)
    body = WALLET_PREFIX + credential.document + "\n  ]\n}\n"
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    return _attachment(response, f"{_slug(credential)}-portefeuille.json")


@login_required
def download_png(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = _own_or_managed(request, uuid)
    data = images.baked_png(credential.achievement, credential.document)
    return _attachment(HttpResponse(data, content_type="image/png"), f"{_slug(credential)}.png")


@login_required
def download_svg(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = _own_or_managed(request, uuid)
    data = images.baked_svg(credential.achievement, credential.document)
    response = HttpResponse(data, content_type="image/svg+xml; charset=utf-8")
    return _attachment(response, f"{_slug(credential)}.svg")


@login_required
def download_pdf(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = _own_or_managed(request, uuid)
    document = json.loads(credential.document)
    # The QR code carries a seal of the name printed beside it: the page it opens confirms
    # that name (or says it cannot), so a certificate cannot be re-issued to someone else.
    seal = verification.printed_name_seal(credential.uuid, verification.printed_name(credential))
    verify_link = (
        f"{documents.verify_url(credential.uuid)}?{verification.PRINTED_NAME_PARAMETER}={seal}"
    )
    html = render(
        request,
        "credentials/certificate.html",
        {
            "credential": credential,
            "printed_name": verification.printed_name(credential),
            "document": document,
            "issuer_name": document["issuer"].get("name", ""),
            "evidence": document.get("evidence", []),
            "verify_url": verify_link,
            "qr": images.qr_svg_data_uri(verify_link),
        },
    ).content.decode("utf-8")
    pdf = images.certificate_pdf(html)
    return _attachment(
        HttpResponse(pdf, content_type="application/pdf"), f"{_slug(credential)}.pdf"
    )


@login_required
@require_POST
def toggle_share(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = get_object_or_404(IssuedCredential, uuid=uuid, learner=request.user)
    shared = request.POST.get("shared") == "1"
    actions.set_shared(user=request.user, credential=credential, shared=shared)
    if shared:
        messages.success(request, _("Votre badge est public : le lien de partage est actif."))
    else:
        messages.success(request, _("Votre badge est privé : le lien de partage est désactivé."))
    return redirect("credentials:badge_detail", uuid=credential.uuid)


def public_share(request: AuthedRequest, token: str) -> HttpResponse:
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("achievement", "organisation", "learner"),
        share_token=token,
        shared=True,
    )
    report = verification.disclose_to(
        verification.verify_input(credential.document), _viewer(request)
    )
    return render(
        request,
        "credentials/public_share.html",
        {
            "credential": credential,
            "report": report,
            "verify_url": documents.verify_url(credential.uuid),
        },
    )


# --- Verification (public) --------------------------------------------------------------


def verify(request: AuthedRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    email_result = None
    email_form = EmailCheckForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            if upload.size > verification.MAX_INPUT_BYTES:
                data: bytes | str = b"x" * (verification.MAX_INPUT_BYTES + 1)
            else:
                data = upload.read()
        else:
            data = form.cleaned_data["credential"]
        report = verification.disclose_to(verification.verify_input(data), _viewer(request))
        if not request.POST.get("email"):  # checking an address is the same verification
            actions.record_verification(
                report.stored, channel="page", user_agent=request.headers.get("User-Agent", "")
            )
        if request.POST.get("email"):
            email_form = EmailCheckForm(request.POST)
            if email_form.is_valid():
                email_result = verification.check_email(report, email_form.cleaned_data["email"])
    pasted = ""
    if report is not None and report.document is not None:
        pasted = documents.dumps(report.document)
    return render(
        request,
        "credentials/verify.html",
        {
            "form": form,
            "report": report,
            "email_form": email_form,
            "email_result": email_result,
            "pasted": pasted,
        },
    )


def verify_stored(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = get_object_or_404(IssuedCredential, uuid=uuid)
    report = verification.disclose_to(
        verification.verify_input(credential.document), _viewer(request)
    )
    seal = request.GET.get(verification.PRINTED_NAME_PARAMETER)
    if seal is not None:
        verification.check_printed_name(report, seal)
    if request.method == "GET":  # a POST checks an e-mail address on the page already counted
        actions.record_verification(
            report.stored, channel="page", user_agent=request.headers.get("User-Agent", "")
        )
    email_form = EmailCheckForm(request.POST or None)
    email_result = None
    if request.method == "POST" and email_form.is_valid():
        email_result = verification.check_email(report, email_form.cleaned_data["email"])
    return render(
        request,
        "credentials/verify.html",
        {
            "form": None,
            "report": report,
            "email_form": email_form,
            "email_result": email_result,
            "stored_uuid": credential.uuid,
        },
    )


# --- Documents for verifiers ------------------------------------------------------------


def _profile(slug: str) -> IssuerProfile:
    return get_object_or_404(
        IssuerProfile.objects.select_related("organisation"), organisation__slug=slug
    )


def issuer_profile(request: AuthedRequest, slug: str) -> HttpResponse:
    profile = _profile(slug)
    keys = SigningKey.objects.filter(issuer=profile).order_by("number")
    return _json(documents.controller_document(profile, keys), content_type="application/ld+json")


def issuer_did(request: AuthedRequest, slug: str) -> HttpResponse:
    profile = _profile(slug)
    keys = SigningKey.objects.filter(issuer=profile).order_by("number")
    return _json(documents.did_document(profile, keys), content_type="application/did+ld+json")


def status_list(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    status = get_object_or_404(
        StatusList.objects.only("document"), issuer__organisation__slug=slug, number=number
    )
    if not status.document:
        raise Http404
    response = _json(status.document, content_type="application/vc+ld+json")
    response["Cache-Control"] = "max-age=300"
    return response


def achievement_json(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    achievement = get_object_or_404(
        Achievement.objects.select_related("organisation").exclude(status=AchievementStatus.DRAFT),
        uuid=uuid,
    )
    profile = actions.ensure_issuer_profile(achievement.organisation)
    return _json(
        documents.achievement_document(achievement, profile), content_type="application/ld+json"
    )


def achievement_image(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    """Public once the achievement is published (active, or archived: badges issued under it
    still show it); a draft's image only for its organisation's coordinators."""
    achievement = get_object_or_404(Achievement, uuid=uuid)
    draft = achievement.status == AchievementStatus.DRAFT
    if draft and not (
        request.user.is_authenticated
        and (
            request.actor.is_platform_admin
            or request.actor.has_role(achievement.organisation_id, Role.COORDINATOR)
        )
    ):
        raise Http404
    response = HttpResponse(images.badge_png(achievement), content_type="image/png")
    # A draft's image may change and must not be kept by shared caches.
    response["Cache-Control"] = "private, no-store" if draft else "max-age=3600"
    if not draft:
        response["Access-Control-Allow-Origin"] = "*"
    return response


def ob2_issuer(request: AuthedRequest, slug: str) -> HttpResponse:
    return _json(documents.ob2_issuer(_profile(slug)), content_type="application/ld+json")


def ob2_badgeclass(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    achievement = get_object_or_404(
        Achievement.objects.select_related("organisation").exclude(status=AchievementStatus.DRAFT),
        uuid=uuid,
    )
    profile = actions.ensure_issuer_profile(achievement.organisation)
    return _json(documents.ob2_badgeclass(achievement, profile), content_type="application/ld+json")


def ob2_assertion(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("achievement"), uuid=uuid
    )
    # OB 2.0 hosted verification: a revoked assertion answers 410 Gone with revoked: true.
    status = 410 if credential.is_revoked else 200
    return _json(
        documents.ob2_assertion(credential), status=status, content_type="application/ld+json"
    )


# --- Coordinator ------------------------------------------------------------------------


def _staff_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None or not request.actor.has_role(org, Role.COORDINATOR):
        raise PermissionDenied(_("Réservé aux coordinateurs de l'organisation."))
    return org


def _own_achievement(request: AuthedRequest, pk: int) -> Achievement:
    org = _staff_org(request)
    return get_object_or_404(
        Achievement.objects.select_related("organisation", "pathway", "module"),
        pk=pk,
        organisation=org,
    )


@login_required
def manage_list(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    achievements = (
        Achievement.objects.of_organisation(org.pk)
        .select_related("pathway", "module")
        .annotate(
            issued=Count("credentials", filter=Q(credentials__status="issued")),
            revoked=Count("credentials", filter=Q(credentials__status="revoked")),
        )
        .order_by("status", "name_fr")
    )
    return render(
        request, "credentials/manage_list.html", {"achievements": achievements, "org": org}
    )


def _data_from(form: AchievementForm) -> actions.AchievementData:
    cd = form.cleaned_data
    return actions.AchievementData(
        name_fr=cd["name_fr"],
        name_en=cd.get("name_en", ""),
        description_fr=cd["description_fr"],
        description_en=cd.get("description_en", ""),
        criteria_fr=cd["criteria_fr"],
        criteria_en=cd.get("criteria_en", ""),
        kind=cd["kind"],
        color=cd.get("color") or "#1d4f91",
        expiry_days=cd.get("expiry_days"),
        pathway_id=cd["pathway"].pk if cd.get("pathway") else None,
        module_id=cd["module"].pk if cd.get("module") else None,
        competences=form.competences(),
    )


def _apply_errors(form: Any, exc: ValidationError) -> None:
    mapping = getattr(exc, "message_dict", None)
    if mapping is None:
        form.add_error(None, exc)
        return
    for name, errors in mapping.items():
        target = {"target": "pathway", "image": "image"}.get(name, name)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


@login_required
def manage_create(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    form = AchievementForm(request.POST or None, request.FILES or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            achievement = actions.create_achievement(
                actor=request.actor,
                organisation=org,
                data=_data_from(form),
                image=form.cleaned_data.get("image"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Badge créé (brouillon). Activez-le pour le délivrer."))
            return redirect("credentials:manage_detail", pk=achievement.pk)
    return render(
        request, "credentials/manage_form.html", {"form": form, "achievement": None, "org": org}
    )


@login_required
def manage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = _own_achievement(request, pk)
    links = list(achievement.competence_links.order_by("pk"))
    initial: dict[str, Any] = {
        "name_fr": achievement.name_fr,
        "name_en": achievement.name_en,
        "description_fr": achievement.description_fr,
        "description_en": achievement.description_en,
        "criteria_fr": achievement.criteria_fr,
        "criteria_en": achievement.criteria_en,
        "kind": achievement.kind,
        "pathway": achievement.pathway_id,
        "module": achievement.module_id,
        "expiry_days": achievement.expiry_days,
        "color": achievement.color,
    }
    for row, link in enumerate(links):
        initial[f"competence_{row}"] = link.competence_id
        initial[f"level_{row}"] = link.level_id
    form = AchievementForm(
        request.POST or None,
        request.FILES or None,
        organisation=achievement.organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_achievement(
                actor=request.actor,
                achievement=achievement,
                data=_data_from(form),
                image=form.cleaned_data.get("image"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Badge enregistré."))
            return redirect("credentials:manage_detail", pk=achievement.pk)
    return render(
        request,
        "credentials/manage_form.html",
        {"form": form, "achievement": achievement, "org": achievement.organisation},
    )


@login_required
def manage_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = _own_achievement(request, pk)
    credentials = (
        IssuedCredential.objects.filter(achievement=achievement)
        .select_related("learner")
        .order_by("-issued_at", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        credentials = credentials.filter(
            Q(learner__email__icontains=query)
            | Q(learner__last_name__icontains=query)
            | Q(learner__first_name__icontains=query)
        )
    page = Paginator(credentials, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting: list[User] = []
    waiting_count = 0
    if achievement.is_active:
        issued_ids = set(
            IssuedCredential.objects.filter(achievement=achievement).values_list(
                "learner_id", flat=True
            )
        )
        pending = sorted(eligible_learner_ids(achievement) - issued_ids)
        waiting_count = len(pending)
        waiting = list(User.objects.filter(pk__in=pending[:100]).order_by("last_name", "email"))
    batches = IssuanceBatch.objects.filter(achievement=achievement).order_by("-created_at")[:5]
    return render(
        request,
        "credentials/manage_detail.html",
        {
            "achievement": achievement,
            "page": page,
            "query": query,
            "waiting": waiting,
            "waiting_count": waiting_count,
            "batches": batches,
            "transitions": sorted(ACHIEVEMENT_TRANSITIONS.get(achievement.status, ())),
            "statuses": dict(AchievementStatus.choices),
            "revoke_form": RevokeForm(),
        },
    )


@login_required
@require_POST
def manage_status(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = _own_achievement(request, pk)
    try:
        actions.set_achievement_status(
            actor=request.actor, achievement=achievement, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Statut du badge mis à jour."))
    return redirect("credentials:manage_detail", pk=achievement.pk)


@login_required
@require_POST
def manage_issue_one(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = _own_achievement(request, pk)
    learner_id = parse_id(request.POST.get("learner", ""))
    learner = User.objects.filter(pk=learner_id).first() if learner_id else None
    if learner is None:
        messages.error(request, _("Choisissez un apprenant."))
        return redirect("credentials:manage_detail", pk=achievement.pk)
    try:
        result = actions.issue_credential(
            achievement=achievement,
            learner=learner,
            actor=request.actor,
            source=IssuedCredential.Source.MANUAL,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if result.created:
            messages.success(request, _("Badge délivré à %(name)s.") % {"name": learner})
        else:
            messages.success(request, _("%(name)s avait déjà ce badge.") % {"name": learner})
    return redirect("credentials:manage_detail", pk=achievement.pk)


@login_required
@require_POST
def manage_bulk(request: AuthedRequest, pk: int) -> HttpResponse:
    achievement = _own_achievement(request, pk)
    try:
        batch = actions.start_bulk_issuance(actor=request.actor, achievement=achievement)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("credentials:manage_detail", pk=achievement.pk)
    return redirect("credentials:batch_detail", uuid=batch.uuid)


def _own_batch(request: AuthedRequest, uuid: UUID) -> IssuanceBatch:
    org = _staff_org(request)
    return get_object_or_404(
        IssuanceBatch.objects.select_related("achievement"),
        uuid=uuid,
        achievement__organisation=org,
    )


@login_required
def batch_detail(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    batch = _own_batch(request, uuid)
    return render(request, "credentials/batch_detail.html", {"batch": batch})


@login_required
def batch_progress(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    """htmx fragment polled every second while the batch runs."""
    batch = _own_batch(request, uuid)
    response = render(request, "credentials/_batch_progress.html", {"batch": batch})
    if batch.is_finished:
        response["HX-Trigger"] = "batch-finished"
    return response


@login_required
@require_POST
def batch_resume(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    batch = _own_batch(request, uuid)
    try:
        actions.resume_batch(actor=request.actor, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("L'émission reprend là où elle s'était arrêtée."))
    return redirect("credentials:batch_detail", uuid=batch.uuid)


@login_required
@require_POST
def manage_revoke(request: AuthedRequest, uuid: UUID) -> HttpResponse:
    org = _staff_org(request)
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("learner"), uuid=uuid, organisation=org
    )
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la raison de la révocation."))
    else:
        try:
            actions.revoke_credential(
                actor=request.actor, credential=credential, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Badge de %(name)s révoqué.") % {"name": credential.learner}
            )
    return redirect("credentials:manage_detail", pk=credential.achievement_id)


@login_required
def manage_issuer(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    profile = actions.ensure_issuer_profile(org)
    form = IssuerForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": profile.name,
            "url": profile.url,
            "email": profile.email,
            "description": profile.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            actions.update_issuer_profile(
                actor=request.actor,
                organisation=org,
                data=actions.IssuerData(
                    name=cd["name"],
                    url=cd.get("url", ""),
                    email=cd.get("email", ""),
                    description=cd.get("description", ""),
                ),
                logo=cd.get("logo"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Profil d'émetteur enregistré."))
            return redirect("credentials:manage_issuer")
    keys = SigningKey.objects.filter(issuer=profile).order_by("-number")
    return render(
        request,
        "credentials/manage_issuer.html",
        {
            "form": form,
            "profile": profile,
            "keys": keys,
            "did_url": documents.issuer_url(org.slug) + "did.json",
            "profile_url": documents.issuer_url(org.slug),
        },
    )


@login_required
@require_POST
def manage_rotate(request: AuthedRequest) -> HttpResponse:
    org = _staff_org(request)
    key = actions.rotate_signing_key(actor=request.actor, organisation=org)
    messages.success(
        request,
        _("Nouvelle clé de signature : %(key)s. Les badges déjà délivrés restent valides.")
        % {"key": key.fragment},
    )
    return redirect("credentials:manage_issuer")
