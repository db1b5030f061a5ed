"""LTI pages: the protocol endpoints the platform calls (login initiation, launch, key set,
dynamic registration) and the administrator's pages. Thin: the work is in ``actions``."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import require_role
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.integrations.lti import actions, keys
from parcours.integrations.lti.forms import ManualRegistrationForm, SearchForm
from parcours.integrations.lti.toolconf import DatabaseToolConf, as_pylti
from parcours.integrations.models import (
    LtiContext,
    LtiLaunchLog,
    LtiRegistration,
    LtiScore,
    LtiServiceFailure,
)
from parcours.integrations.permissions import admin_organisation
from parcours.lib.http import AuthedRequest
from parcours.lib.urls import absolute_url, site_host
from parcours.pathways.models import Pathway

logger = logging.getLogger("parcours.integrations.lti")

DEEP_LINK_KEY = "lti_deep_link"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def tool_urls(request: HttpRequest, organisation: Organisation) -> actions.ToolUrls:
    return actions.ToolUrls(
        login=absolute_url(reverse("integrations:lti:login"), request),
        launch=absolute_url(reverse("integrations:lti:launch"), request),
        jwks=absolute_url(reverse("integrations:lti:jwks", args=[organisation.slug]), request),
        domain=site_host(request),
    )


# --- Errors ----------------------------------------------------------------------------------


def _messages() -> dict[str, str]:
    return {
        "missing_state": _(
            "Le lancement ne contient pas d'état de connexion (state). Relancez l'activité "
            "depuis votre plateforme."
        ),
        "bad_state": _(
            "L'état de connexion ne correspond pas : votre navigateur a peut-être bloqué les "
            "cookies de Parcours. Relancez l'activité dans un nouvel onglet."
        ),
        "bad_nonce": _("Le jeton de lancement n'a pas été demandé par Parcours (nonce inconnu)."),
        "replayed": _("Ce jeton de lancement a déjà été utilisé : relancez l'activité."),
        "unknown_issuer": _(
            "Cette plateforme n'est pas enregistrée dans Parcours, ou son enregistrement est "
            "désactivé."
        ),
        "unknown_deployment": _("Ce déploiement de la plateforme n'est pas connu de Parcours."),
        "keyset_unavailable": _(
            "Les clés publiques de la plateforme n'ont pas pu être lues : la signature ne peut "
            "pas être vérifiée. Réessayez plus tard."
        ),
        "bad_signature": _("La signature du jeton de lancement n'est pas valide."),
        "expired": _("Le jeton de lancement a expiré : relancez l'activité."),
        "invalid_message": _("Le message de lancement est incomplet ou invalide."),
        "bad_target": _("La ressource demandée n'existe pas dans cette organisation."),
        "account_conflict": _(
            "Un compte Parcours existe déjà avec votre adresse e-mail et ne peut pas être relié "
            "automatiquement. Connectez-vous à Parcours une première fois avec ce compte, "
            "ou demandez de l'aide à votre coordinateur."
        ),
        "not_staff": _("Seuls les enseignants du cours peuvent choisir un contenu Parcours."),
    }


def error_page(request: HttpRequest, cause: str, status: int = 400) -> HttpResponse:
    message = _messages().get(cause, _messages()["invalid_message"])
    return render(
        request, "integrations/lti/error.html", {"message": message, "cause": cause}, status=status
    )


def _refused(request: HttpRequest, cause: str, detail: str, **where: Any) -> HttpResponse:
    actions.log_refusal(cause=cause, detail=detail, **where)
    status = 403 if cause in ("account_conflict", "not_staff", "unknown_issuer") else 400
    return error_page(request, cause, status)


# --- Protocol endpoints ------------------------------------------------------------------------


def _storage() -> Any:
    from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage

    return DjangoCacheDataStorage(cache_name="default")


@csrf_exempt  # called by the platform (a GET or a cross-site POST): no Parcours page before it
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponseBase:
    """OIDC third-party initiated login: remember state and nonce, go to the platform's
    authorisation endpoint (which posts the id_token to :func:`launch`)."""
    from pylti1p3.contrib.django import DjangoOIDCLogin
    from pylti1p3.exception import OIDCException

    params = request.POST if request.method == "POST" else request.GET
    issuer = str(params.get("iss", ""))[:300]
    client_id = str(params.get("client_id", ""))[:200]
    try:
        oidc = DjangoOIDCLogin(request, DatabaseToolConf(), launch_data_storage=_storage())
        return oidc.redirect(absolute_url(reverse("integrations:lti:launch"), request))
    except OIDCException as exc:
        return _refused(
            request, actions.cause_of(str(exc)), str(exc), issuer=issuer, client_id=client_id
        )


@csrf_exempt  # the platform's form post: pylti1p3 checks the OIDC state instead (see docs)
@require_POST
def launch(request: HttpRequest) -> HttpResponseBase:
    from pylti1p3.contrib.django import DjangoMessageLaunch
    from pylti1p3.exception import LtiException

    toolconf = DatabaseToolConf()
    message = None
    try:
        # Over HTTPS the constructor already needs pylti1p3's session cookie: inside the try.
        message = DjangoMessageLaunch(request, toolconf, launch_data_storage=_storage())
        message.set_public_key_caching(_storage(), cache_lifetime=3600)
        claims = dict(message.get_launch_data())
    except Exception as exc:  # LtiException, or anything a malformed token makes the library raise
        if not isinstance(exc, LtiException):
            logger.exception("LTI launch: unexpected error while validating")
        body = (getattr(message, "_jwt", None) or {}).get("body", {}) or {}
        aud = body.get("aud", "") if isinstance(body, dict) else ""
        aud = aud[0] if isinstance(aud, list) and aud else aud
        return _refused(
            request,
            actions.cause_of(str(exc)) if isinstance(exc, LtiException) else "invalid_message",
            str(exc),
            registration=toolconf.registration,
            issuer=str(body.get("iss", "") if isinstance(body, dict) else "")[:300],
            client_id=str(aud)[:200],
        )
    registration = toolconf.registration
    if registration is None:  # cannot happen: pylti1p3 found it to validate the launch
        return error_page(request, "unknown_issuer", 403)
    try:
        result = actions.complete_launch(
            registration=registration,
            claims=claims,
            picker_url=reverse("integrations:lti:deep_link"),
        )
    except actions.LaunchRefused as refused:
        return _refused(request, refused.cause, refused.detail, registration=registration)
    login(request, result.user, backend=BACKEND)
    if result.deep_linking:
        settings_claim = claims.get(
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings", {}
        )
        request.session[DEEP_LINK_KEY] = {
            "registration": registration.pk,
            "deployment": str(claims.get(actions.CLAIM + "deployment_id", "")),
            "settings": settings_claim if isinstance(settings_claim, dict) else {},
        }
    return redirect(result.url)


@require_GET
def jwks(request: HttpRequest, org_slug: str) -> JsonResponse:
    """The organisation's public tool key set (for the platform)."""
    organisation = get_object_or_404(Organisation, slug=org_slug, is_active=True)
    response = JsonResponse({"keys": [keys.public_jwk(keys.tool_key(organisation))]})
    response["Cache-Control"] = "public, max-age=300"
    return response


def _frameable_by(response: HttpResponse, origin: str) -> HttpResponse:
    """Let the platform show this page in its registration frame (Moodle 4 does)."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": ["'self'", origin]}  # type: ignore[attr-defined]
    return response


@require_GET
def dynamic_registration(request: HttpRequest, secret: str) -> HttpResponse:
    """LTI Dynamic Registration: the platform opens this URL with ``openid_configuration`` and
    ``registration_token``; Parcours registers itself, then the page tells the platform to
    close it (``org.imsglobal.lti.close``, from a static script)."""
    row = actions.usable_token(secret)
    if row is None:
        return render(
            request,
            "integrations/lti/registration_done.html",
            {"error": _("Ce lien d'enregistrement est inconnu, expiré ou déjà utilisé.")},
            status=404,
        )
    config_url = str(request.GET.get("openid_configuration", ""))[:500]
    parts = urlsplit(config_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    try:
        registration = actions.register_dynamically(
            secret=secret,
            openid_configuration=config_url,
            registration_token=str(request.GET.get("registration_token", ""))[:4000],
            urls=tool_urls(request, row.organisation),
        )
    except (ValidationError, PermissionDenied) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        response = render(
            request, "integrations/lti/registration_done.html", {"error": text}, status=400
        )
        return _frameable_by(response, origin) if origin else response
    response = render(
        request,
        "integrations/lti/registration_done.html",
        {"registration": registration, "organisation": row.organisation},
    )
    return _frameable_by(response, origin) if origin else response


# --- Deep linking ----------------------------------------------------------------------------


def _deep_link_state(request: AuthedRequest) -> tuple[dict[str, Any], LtiRegistration]:
    state = request.session.get(DEEP_LINK_KEY)
    if not isinstance(state, dict):
        raise PermissionDenied(_("Aucune demande de lien en cours : relancez-la depuis le cours."))
    registration = get_object_or_404(
        LtiRegistration.objects.select_related("organisation"),
        pk=state.get("registration"),
        is_active=True,
    )
    require_role(request.actor, registration.organisation, (Role.TRAINER, Role.COORDINATOR))
    return state, registration


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: AuthedRequest) -> HttpResponse:
    """A teacher picks what to place in their course; Parcours answers with the signed
    LtiDeepLinkingResponse, auto-posted to the platform."""
    state, registration = _deep_link_state(request)
    organisation = registration.organisation
    if request.method == "POST":
        from parcours.integrations.lti import deep_linking

        try:
            chosen = deep_linking.chosen(str(request.POST.get("choice", "")), organisation)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("integrations:lti:deep_link")
        jwt_value = deep_linking.response_jwt(
            as_pylti(registration),
            state["deployment"],
            state["settings"],
            chosen,
            launch_url=absolute_url(reverse("integrations:lti:launch"), request),
        )
        return_url = str(state["settings"].get("deep_link_return_url", ""))
        del request.session[DEEP_LINK_KEY]
        parts = urlsplit(return_url)
        response = render(
            request,
            "integrations/lti/deep_link_post.html",
            {"return_url": return_url, "jwt": jwt_value},
        )
        if parts.scheme in ("http", "https"):
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
        return response
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    modules = Module.objects.filter(organisation=organisation).exclude(status="archived")
    pathways = Pathway.objects.filter(organisation=organisation).exclude(status="archived")
    sessions = Session.objects.filter(organisation=organisation).select_related("module")
    if q:
        modules = modules.filter(Q(title_fr__icontains=q) | Q(code__icontains=q))
        pathways = pathways.filter(Q(title_fr__icontains=q) | Q(code__icontains=q))
        sessions = sessions.filter(Q(module__title_fr__icontains=q) | Q(code__icontains=q))
    return render(
        request,
        "integrations/lti/deep_link.html",
        {
            "organisation": organisation,
            "form": form,
            "modules": modules.order_by("title_fr")[:30],
            "pathways": pathways.order_by("title_fr")[:30],
            "sessions": sessions.order_by("-pk")[:30],
        },
    )


# --- NRPS: enrol a course's members in a session ----------------------------------------------


@login_required
@require_POST
def enrol_members(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = request.organisation
    if organisation is None:
        raise PermissionDenied
    require_role(request.actor, organisation, (Role.COORDINATOR, Role.TRAINER))
    session = get_object_or_404(Session, pk=pk, organisation=organisation)
    raw = str(request.POST.get("context", ""))
    if not raw.isdigit():
        raise Http404
    context = get_object_or_404(
        LtiContext.objects.select_related("registration"),
        pk=int(raw),
        registration__organisation=organisation,
    )
    try:
        report = actions.enrol_course_members(actor=request.actor, session=session, context=context)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _back_to_session(request, session)
    messages.success(
        request,
        _(
            "Membres du cours « %(course)s » : %(enrolled)d inscrits, %(waitlisted)d en liste "
            "d'attente, %(already)d déjà inscrits, %(skipped)d ignorés."
        )
        % {
            "course": context,
            "enrolled": report.enrolled,
            "waitlisted": report.waitlisted,
            "already": report.already,
            "skipped": report.skipped,
        },
    )
    return _back_to_session(request, session)


def _back_to_session(request: AuthedRequest, session: Session) -> HttpResponse:
    """Coordinators go back to the session's roster, its trainers to their sessions."""
    if request.actor.is_platform_admin or request.actor.has_role(
        session.organisation_id, Role.COORDINATOR
    ):
        return redirect("enrolment:manage_detail", pk=session.pk)
    return redirect("enrolment:trainer_sessions")


# --- Administration --------------------------------------------------------------------------


@login_required
@require_GET
def registrations(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    return render(
        request,
        "integrations/lti/registrations.html",
        {
            "organisation": organisation,
            "registrations": LtiRegistration.objects.filter(organisation=organisation),
            "urls": tool_urls(request, organisation),
        },
    )


@login_required
@require_POST
def new_token(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    row, secret = actions.create_registration_token(actor=request.actor, organisation=organisation)
    return render(
        request,
        "integrations/lti/token.html",
        {
            "organisation": organisation,
            "row": row,
            "url": absolute_url(
                reverse("integrations:lti:dynamic_registration", args=[secret]), request
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manual(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    form = ManualRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = actions.register_manually(
                actor=request.actor,
                organisation=organisation,
                data=actions.RegistrationData(
                    name=data["name"],
                    issuer=data["issuer"],
                    client_id=data["client_id"],
                    auth_login_url=data["auth_login_url"],
                    auth_token_url=data["auth_token_url"],
                    key_set_url=data["key_set_url"],
                    deployment_ids=form.deployments(),
                ),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Plateforme « %(name)s » enregistrée.") % {"name": registration.name}
            )
            return redirect("integrations:lti:registrations")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "integrations/lti/manual.html",
        {"organisation": organisation, "form": form, "urls": tool_urls(request, organisation)},
        status=status,
    )


@login_required
@require_POST
def change(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    registration = get_object_or_404(LtiRegistration, pk=pk, organisation=organisation)
    what = request.POST.get("action", "")
    if what == "delete":
        actions.delete_registration(actor=request.actor, registration=registration)
        messages.success(request, _("Plateforme supprimée."))
    elif what in ("enable", "disable"):
        actions.update_registration(
            actor=request.actor, registration=registration, is_active=what == "enable"
        )
        messages.success(request, _("Plateforme mise à jour."))
    elif what in ("admins_coordinators", "admins_trainers"):
        actions.update_registration(
            actor=request.actor,
            registration=registration,
            admin_as_coordinator=what == "admins_coordinators",
        )
        messages.success(request, _("Plateforme mise à jour."))
    else:
        return HttpResponse(_("Action inconnue."), status=400)
    return redirect("integrations:lti:registrations")


@login_required
@require_GET
def journal(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    return render(
        request,
        "integrations/lti/journal.html",
        {
            "organisation": organisation,
            "launches": LtiLaunchLog.objects.filter(organisation=organisation).select_related(
                "registration", "user"
            )[:100],
            "failures": LtiServiceFailure.objects.filter(organisation=organisation).select_related(
                "registration"
            )[:100],
            "scores": LtiScore.objects.filter(
                line_item__context__registration__organisation=organisation
            )
            .exclude(state=LtiScore.State.SENT)
            .select_related("user", "line_item__module", "line_item__context")
            .order_by("-updated_at")[:100],
        },
    )
