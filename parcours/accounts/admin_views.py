"""An organisation's self-administration: members and roles, invitations, settings, API
tokens, the audit log; and the platform operator's "new organisation" page.

Every page is for the administrators of the *current* organisation (``request.organisation``):
the role is checked first (403), then objects are fetched inside that organisation only (404
for anything else). Writes go through ``actions`` and ``invitations``; an invalid submit answers
422 with the page and its error summary, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.accounts import actions, invitations
from parcours.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    BulkInviteForm,
    ChangeRoleForm,
    CreateOrganisationForm,
    InviteForm,
    MemberFilterForm,
    OrganisationSettingsForm,
    RoleForm,
    SignupDomainForm,
)
from parcours.accounts.models import (
    ApiToken,
    AuditEntry,
    Invitation,
    MemberDeactivation,
    Membership,
    Organisation,
    Role,
    SignupDomain,
    User,
)
from parcours.lib.dates import format_datetime
from parcours.lib.exports import stream_csv
from parcours.lib.http import AuthedRequest

MEMBERS_PER_PAGE = 25
INVITATIONS_PER_PAGE = 25
AUDIT_PER_PAGE = 50
#: Most rows an audit export writes.
AUDIT_EXPORT_MAX = 10_000


def _admin_organisation(request: AuthedRequest) -> Organisation:
    """The current organisation, if the person administers it; else 403 (before any look-up)."""
    organisation = request.organisation
    if not organisation or not request.actor.has_role(organisation, Role.ADMINISTRATOR):
        raise PermissionDenied(_("Réservé aux administrateurs de l'organisation."))
    return organisation


def _page(request: AuthedRequest, items: QuerySet[Any], per_page: int) -> Page[Any]:
    """The requested page; a page number that is not one (huge, negative, text) is a 404."""
    paginator = Paginator(items, per_page)
    raw = request.GET.get("page") or "1"
    if len(raw) > 9:
        raise Http404(_("Cette page n'existe pas."))
    try:
        return paginator.page(raw)
    except InvalidPage:
        raise Http404(_("Cette page n'existe pas.")) from None


def _error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Action non autorisée.")


# --- Members -----------------------------------------------------------------------------------


def _members_of(organisation: Organisation) -> QuerySet[User]:
    """Everyone with a role in the organisation, or deactivated there."""
    return User.objects.filter(
        Q(memberships__organisation=organisation) | Q(deactivations__organisation=organisation)
    ).distinct()


def _member(organisation: Organisation, user_id: int) -> User:
    return get_object_or_404(_members_of(organisation), pk=user_id)


@login_required
@require_GET
def members(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    form = MemberFilterForm(request.GET)
    people = _members_of(organisation)
    deactivated_ids = MemberDeactivation.objects.filter(organisation=organisation).values("user_id")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            people = people.filter(
                Q(email__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
            )
        if form.cleaned_data["status"] == "deactivated":
            people = people.filter(pk__in=deactivated_ids)
        else:
            people = people.exclude(pk__in=deactivated_ids)
        role = form.cleaned_data["role"]
        if role:
            people = people.filter(
                pk__in=Membership.objects.filter(organisation=organisation, role=role).values(
                    "user_id"
                )
            )
    else:
        people = people.exclude(pk__in=deactivated_ids)
    page = _page(request, people.order_by("last_name", "first_name", "email"), MEMBERS_PER_PAGE)
    ids = [user.pk for user in page.object_list]
    roles: dict[int, list[str]] = {}
    labels = dict(Role.choices)
    for user_id, role in Membership.objects.filter(
        organisation=organisation, user_id__in=ids
    ).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(str(labels.get(role, role)))
    rows = [(user, sorted(roles.get(user.pk, []))) for user in page.object_list]
    return render(
        request,
        "accounts/admin/members.html",
        {"organisation": organisation, "form": form, "page": page, "rows": rows},
    )


def _member_context(organisation: Organisation, user: User) -> dict[str, Any]:
    held = list(
        Membership.objects.filter(organisation=organisation, user=user)
        .order_by("role")
        .values_list("role", flat=True)
    )
    deactivation = MemberDeactivation.objects.filter(organisation=organisation, user=user).first()
    labels = dict(Role.choices)
    return {
        "organisation": organisation,
        "member": user,
        "held": [(role, labels.get(role, role)) for role in held],
        "deactivation": deactivation,
        "suspended_roles": [labels.get(r, r) for r in (deactivation.roles if deactivation else [])],
        "role_choices": Role.choices,
        "addable": [(v, label) for v, label in Role.choices if v not in held],
        "recent": AuditEntry.objects.filter(
            organisation=organisation, object_type="accounts.user", object_id=str(user.pk)
        ).select_related("actor")[:10],
    }


@login_required
@require_GET
def member_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    organisation = _admin_organisation(request)
    user = _member(organisation, user_id)
    return render(request, "accounts/admin/member.html", _member_context(organisation, user))


def _member_action(request: AuthedRequest, user_id: int, do: Any, done: str) -> HttpResponse:
    """Run ``do(organisation, user)``; on refusal show the member page with the reason (422)."""
    organisation = _admin_organisation(request)
    user = _member(organisation, user_id)
    try:
        do(organisation, user)
    except (ValidationError, PermissionDenied) as exc:
        context = _member_context(organisation, user)
        context["error"] = _error_text(exc)
        return render(request, "accounts/admin/member.html", context, status=422)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("accounts:admin_member", args=[user.pk]))


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(_("Choisissez un rôle dans la liste."))
    return dict(form.cleaned_data)


@login_required
@require_POST
def member_add_role(request: AuthedRequest, user_id: int) -> HttpResponse:
    def do(organisation: Organisation, user: User) -> None:
        role = _valid(RoleForm(request.POST))["role"]
        actions.add_role(user=user, organisation=organisation, role=role, actor=request.user)

    return _member_action(request, user_id, do, _("Rôle ajouté."))


@login_required
@require_POST
def member_remove_role(request: AuthedRequest, user_id: int) -> HttpResponse:
    def do(organisation: Organisation, user: User) -> None:
        role = _valid(RoleForm(request.POST))["role"]
        actions.remove_role(user=user, organisation=organisation, role=role, actor=request.user)

    return _member_action(request, user_id, do, _("Rôle retiré."))


@login_required
@require_POST
def member_change_role(request: AuthedRequest, user_id: int) -> HttpResponse:
    def do(organisation: Organisation, user: User) -> None:
        data = _valid(ChangeRoleForm(request.POST))
        actions.change_role(
            user=user,
            organisation=organisation,
            old_role=data["old_role"],
            new_role=data["new_role"],
            actor=request.user,
        )

    return _member_action(request, user_id, do, _("Rôle modifié."))


@login_required
@require_POST
def member_deactivate(request: AuthedRequest, user_id: int) -> HttpResponse:
    def do(organisation: Organisation, user: User) -> None:
        actions.deactivate_member(user=user, organisation=organisation, actor=request.user)

    return _member_action(
        request, user_id, do, _("Membre désactivé : son accès à l'organisation est suspendu.")
    )


@login_required
@require_POST
def member_reactivate(request: AuthedRequest, user_id: int) -> HttpResponse:
    def do(organisation: Organisation, user: User) -> None:
        actions.reactivate_member(user=user, organisation=organisation, actor=request.user)

    return _member_action(request, user_id, do, _("Membre réactivé : ses rôles sont rétablis."))


# --- Invitations -------------------------------------------------------------------------------


def _invitations_context(
    request: AuthedRequest, organisation: Organisation, form: InviteForm
) -> dict[str, Any]:
    show = request.GET.get("show", "")
    qs = Invitation.objects.filter(organisation=organisation).select_related("invited_by")
    if show != "all":
        qs = qs.filter(accepted_at=None, revoked_at=None)
    return {
        "organisation": organisation,
        "form": form,
        "page": _page(request, qs.order_by("-created_at"), INVITATIONS_PER_PAGE),
        "show": show,
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = invitations.invite(
                    organisation=organisation,
                    email=data["email"],
                    role=data["role"],
                    invited_by=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                if invitation.accepted_at:
                    messages.success(
                        request,
                        _(
                            "%(email)s a déjà un compte : le rôle lui est donné, "
                            "et un e-mail l'en informe."
                        )
                        % {"email": invitation.email},
                    )
                else:
                    messages.success(
                        request,
                        _("Invitation envoyée à %(email)s.") % {"email": invitation.email},
                    )
                return HttpResponseRedirect(reverse("accounts:admin_invitations"))
        return render(
            request,
            "accounts/admin/invitations.html",
            _invitations_context(request, organisation, form),
            status=422,
        )
    return render(
        request,
        "accounts/admin/invitations.html",
        _invitations_context(request, organisation, InviteForm()),
    )


def _invitation_action(
    request: AuthedRequest, invitation_id: int, do: Any, done: str
) -> HttpResponse:
    organisation = _admin_organisation(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    try:
        do(invitation)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"email": invitation.email})
    return HttpResponseRedirect(reverse("accounts:admin_invitations"))


@login_required
@require_POST
def invitation_resend(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    return _invitation_action(
        request,
        invitation_id,
        lambda inv: invitations.resend(invitation=inv, actor=request.user),
        _("Nouveau lien envoyé à %(email)s ; l'ancien ne fonctionne plus."),
    )


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    return _invitation_action(
        request,
        invitation_id,
        lambda inv: invitations.revoke(invitation=inv, actor=request.user),
        _("Invitation de %(email)s annulée."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_import(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    context: dict[str, Any] = {"organisation": organisation}
    if request.method != "POST":
        context["form"] = BulkInviteForm()
        return render(request, "accounts/admin/invitation_import.html", context)
    form = BulkInviteForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "accounts/admin/invitation_import.html", context, status=422)
    data = form.cleaned_data
    upload = data.get("file")
    try:
        if upload is not None and upload.size > invitations.MAX_FILE_BYTES:
            raise ValidationError(_("Le fichier dépasse 2 Mo."))
        rows = invitations.parse_rows(
            text=data["text"] or "",
            filename=upload.name if upload else "",
            content=upload.read() if upload else b"",
            default_role=data["default_role"],
        )
        report = invitations.invite_many(
            organisation=organisation,
            rows=rows,
            invited_by=request.user,
            all_or_nothing=data["mode"] == "all",
        )
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, _error_text(exc))
        return render(request, "accounts/admin/invitation_import.html", context, status=422)
    context["report"] = report
    labels = dict(Role.choices)
    context["report_rows"] = [(r, labels.get(r.role, r.role)) for r in report.results]
    status = 422 if report.errors else 200
    return render(request, "accounts/admin/invitation_import.html", context, status=status)


# --- Settings ----------------------------------------------------------------------------------


def _settings_context(
    organisation: Organisation,
    form: OrganisationSettingsForm | None = None,
    domain_form: SignupDomainForm | None = None,
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "form": form
        or OrganisationSettingsForm(
            initial={
                "signup_policy": organisation.signup_policy,
                "require_staff_mfa": organisation.require_staff_mfa,
                "learner_retention_days": organisation.learner_retention_days,
            }
        ),
        "domain_form": domain_form or SignupDomainForm(),
        "domains": SignupDomain.objects.filter(organisation=organisation),
    }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    if request.method != "POST":
        return render(request, "accounts/admin/settings.html", _settings_context(organisation))
    form = OrganisationSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_organisation_settings(
                organisation=organisation,
                actor=request.user,
                signup_policy=data["signup_policy"],
                require_staff_mfa=data["require_staff_mfa"],
                learner_retention_days=data["learner_retention_days"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Paramètres enregistrés."))
            return HttpResponseRedirect(reverse("accounts:admin_settings"))
    return render(
        request, "accounts/admin/settings.html", _settings_context(organisation, form), status=422
    )


@login_required
@require_POST
def domain_add(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    form = SignupDomainForm(request.POST)
    if form.is_valid():
        try:
            actions.add_signup_domain(
                organisation=organisation, domain=form.cleaned_data["domain"], actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("domain", _error_text(exc))
        else:
            messages.success(request, _("Domaine ajouté."))
            return HttpResponseRedirect(reverse("accounts:admin_settings"))
    return render(
        request,
        "accounts/admin/settings.html",
        _settings_context(organisation, domain_form=form),
        status=422,
    )


@login_required
@require_POST
def domain_remove(request: AuthedRequest, domain_id: int) -> HttpResponse:
    organisation = _admin_organisation(request)
    domain = get_object_or_404(SignupDomain, pk=domain_id, organisation=organisation)
    actions.remove_signup_domain(domain=domain, actor=request.user)
    messages.success(request, _("Domaine retiré."))
    return HttpResponseRedirect(reverse("accounts:admin_settings"))


# --- API tokens --------------------------------------------------------------------------------


def _tokens_context(organisation: Organisation, form: ApiTokenForm) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "form": form,
        "tokens": ApiToken.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("revoked_at", "-created_at")[:200],
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    if request.method != "POST":
        return render(
            request, "accounts/admin/tokens.html", _tokens_context(organisation, ApiTokenForm())
        )
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # The token works until the end of the chosen day (Brussels time).
        end_of_day = dt.datetime.combine(
            data["expires_on"], dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone()
        )
        try:
            token, secret = actions.create_api_token(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_at=end_of_day,
                organisation=organisation,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            context = _tokens_context(organisation, ApiTokenForm())
            context["created"], context["secret"] = token, secret
            return render(request, "accounts/admin/tokens.html", context)
    return render(
        request, "accounts/admin/tokens.html", _tokens_context(organisation, form), status=422
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    organisation = _admin_organisation(request)
    token = get_object_or_404(ApiToken, pk=token_id, organisation=organisation)
    actions.revoke_api_token(token=token, actor=request.user)
    messages.success(request, _("Jeton « %(name)s » révoqué.") % {"name": token.name})
    return HttpResponseRedirect(reverse("accounts:admin_tokens"))


# --- Audit log ---------------------------------------------------------------------------------


def _audit_entries(organisation: Organisation, form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("actor")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["actor"]:
        entries = entries.filter(actor_id=data["actor"])
    if data["action"]:
        entries = entries.filter(action=data["action"])
    zone = timezone.get_current_timezone()
    if data["start"]:
        entries = entries.filter(at__gte=dt.datetime.combine(data["start"], dt.time(), zone))
    if data["end"]:
        next_day = data["end"] + dt.timedelta(days=1)
        entries = entries.filter(at__lt=dt.datetime.combine(next_day, dt.time(), zone))
    return entries


@login_required
@require_GET
def audit_log(request: AuthedRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    form = AuditFilterForm(request.GET)
    entries = _audit_entries(organisation, form)
    actor_ids = (
        AuditEntry.objects.filter(organisation=organisation, actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )
    return render(
        request,
        "accounts/admin/audit.html",
        {
            "organisation": organisation,
            "form": form,
            "page": _page(request, entries.order_by("-at", "-pk"), AUDIT_PER_PAGE),
            "actors": User.objects.filter(pk__in=actor_ids).order_by("last_name", "first_name"),
            "action_names": AuditEntry.objects.filter(organisation=organisation)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct(),
            "export_query": request.GET.urlencode(),
        },
        status=200 if form.is_valid() else 422,
    )


@login_required
@require_GET
def audit_export(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    organisation = _admin_organisation(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Filtres invalides."), status=422, content_type="text/plain")
    entries = _audit_entries(organisation, form).order_by("-at", "-pk")[:AUDIT_EXPORT_MAX]
    header = [_("Quand"), _("Qui"), _("Action"), _("Objet"), _("Détails")]
    rows = (
        [
            format_datetime(entry.at, style="short"),
            entry.actor.email if entry.actor else _("Système"),
            entry.action,
            entry.object_repr,
            _changes_text(entry.changes),
        ]
        for entry in entries.iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(stream_csv(header, rows), content_type="text/csv")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="journal-{organisation.slug}-{stamp}.csv"'
    )
    return response


def _changes_text(changes: object) -> str:
    if not isinstance(changes, dict):
        return ""
    return "; ".join(f"{key}: {value}" for key, value in changes.items())[:1000]


# --- Platform operator -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def platform_new_organisation(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Réservé aux opérateurs de la plateforme."))
    form = CreateOrganisationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                organisation, invitation, created = invitations.set_up_organisation(
                    name=data["name"],
                    slug=data["slug"],
                    admin_email=data["admin_email"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                if created:
                    text = _("Organisation « %(name)s » créée.") % {"name": organisation.name}
                else:
                    text = _("L'organisation « %(name)s » existait déjà.") % {
                        "name": organisation.name
                    }
                if invitation is not None:
                    text += " " + _("Invitation de l'administrateur : %(email)s.") % {
                        "email": invitation.email
                    }
                messages.success(request, text)
                return HttpResponseRedirect(reverse("accounts:platform_new_organisation"))
        return render(
            request, "accounts/admin/platform_new_organisation.html", {"form": form}, status=422
        )
    return render(
        request,
        "accounts/admin/platform_new_organisation.html",
        {"form": form, "organisations": Organisation.objects.order_by("name")[:200]},
    )
