"""Pages: "Mes données" (download, erasure request) and an administrator's erasure of a learner.

Thin: reads through querysets and ``export``, writes through ``actions``.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.accounts.models import Membership, Organisation, Role, User
from parcours.credentials.models import IssuedCredential
from parcours.documents.models import Attestation
from parcours.enrolment.models import Enrolment
from parcours.lib.http import AuthedRequest
from parcours.pathways.models import Completion
from parcours.privacy import actions, export
from parcours.privacy.forms import EraseForm, FindLearnerForm
from parcours.scheduling.models import Booking, Loan


def _summary(person: User) -> dict[str, int]:
    """Counts shown on the page: one small query each (a single query joining every history
    would multiply the rows)."""
    return {
        "enrolments": Enrolment.objects.filter(learner=person).count(),
        "completions": Completion.objects.filter(learner=person).count(),
        "bookings": Booking.objects.filter(requester=person).count(),
        "loans": Loan.objects.filter(borrower=person).count(),
        "attestations": Attestation.objects.filter(learner=person, revoked_at=None).count(),
        "credentials": IssuedCredential.objects.filter(learner=person).count(),
    }


def _my_data_page(request: AuthedRequest, form: EraseForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": form,
            "summary": _summary(request.user),
            "open_loan": actions.has_open_loan(request.user),
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def my_data(request: AuthedRequest) -> HttpResponse:
    return _my_data_page(request, EraseForm(user=request.user))


@login_required
@require_GET
@never_cache
def download(request: AuthedRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        export.stream_zip(request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(request.user)}"'
    return response


def _without_password(request: HttpRequest) -> bool:
    """A passkey-only account: allauth has the person sign in again instead of a password."""
    user = request.user
    return user.is_authenticated and not user.has_usable_password()


@login_required
@require_POST
@reauthentication_required(enabled=_without_password)  # else the form asks for the password
def erase_mine(request: AuthedRequest) -> HttpResponse:
    form = EraseForm(request.POST, user=request.user)
    if not form.is_valid():
        return _my_data_page(request, form, status=422)
    try:
        actions.erase_person(
            actor=request.actor,
            person=request.user,
            reason=actions.Reason.SELF,
            revoke_credentials=form.cleaned_data["revoke_credentials"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _my_data_page(request, form, status=422)
    logout(request)
    return redirect("privacy:erased")


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erased.html")


# --- Administrators: erase a learner of their organisation -------------------------------------


def _administered(request: AuthedRequest) -> Organisation:
    """The current organisation, if the actor administers it (checked before any look-up)."""
    organisation = request.organisation
    if organisation is None or not (
        request.actor.is_platform_admin or request.actor.has_role(organisation, Role.ADMINISTRATOR)
    ):
        raise PermissionDenied(_("Réservé aux administrateurs de l'organisation."))
    return organisation


def _learner_of(organisation: Organisation, user_id: int) -> User:
    """A learner of the organisation, not erased; anyone else is a 404."""
    member = (
        Membership.objects.filter(
            organisation=organisation,
            role=Role.LEARNER,
            user_id=user_id,
            user__erased_at__isnull=True,
        )
        .select_related("user")
        .first()
    )
    if member is None:
        raise Http404
    return member.user


@login_required
@require_http_methods(["GET", "POST"])
def find_learner(request: AuthedRequest) -> HttpResponse:
    organisation = _administered(request)
    form = FindLearnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = Membership.objects.filter(
            organisation=organisation,
            role=Role.LEARNER,
            user__email__iexact=form.cleaned_data["email"],
            user__erased_at__isnull=True,
        ).first()
        if member is not None:
            return redirect("privacy:erase_learner", user_id=member.user_id)
        form.add_error("email", _("Aucun apprenant de votre organisation avec cette adresse."))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "privacy/find_learner.html",
        {"form": form, "organisation": organisation},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(enabled=_without_password, allow_get=True)
def erase_learner(request: AuthedRequest, user_id: int) -> HttpResponse:
    organisation = _administered(request)
    person = _learner_of(organisation, user_id)
    form = EraseForm(request.POST or None, user=request.user)
    problem = ""
    try:
        actions.check_administrator_may_erase(request.actor, organisation, person)
    except PermissionDenied as exc:
        problem = str(exc)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            actions.erase_person(
                actor=request.actor,
                person=person,
                reason=actions.Reason.ADMINISTRATOR,
                organisation=organisation,
                revoke_credentials=form.cleaned_data["revoke_credentials"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Les données de l'apprenant ont été effacées."))
            return redirect("privacy:find_learner")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "privacy/erase_learner.html",
        {
            "form": form,
            "person": person,
            "organisation": organisation,
            "problem": problem,
            "summary": _summary(person),
            "open_loan": actions.has_open_loan(person),
        },
        status=status,
    )
