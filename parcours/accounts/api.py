"""Accounts API: organisations (public), the token auth every private endpoint uses."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from parcours.accounts.models import ApiToken, Organisation, User
from parcours.accounts.permissions import Actor

router = Router(tags=["organisations"])

#: Methods a read-only token may use.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer prc_…``; also accepts a logged-in browser session."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        parsed = ApiToken.parse(token)
        if parsed is None:
            return None
        key_id, secret = parsed
        api_token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
        if api_token is None or not api_token.matches(secret) or not api_token.is_usable:
            return None  # unknown, tampered, revoked or expired: 401
        if not api_token.user.is_active:
            return None
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise HttpError(403, _("Ce jeton est en lecture seule."))
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        request.actor = Actor.of(api_token.user)  # type: ignore[attr-defined]
        return api_token.user


class CsrfFailed(HttpError):
    """A session call without a valid CSRF token (config/api.py words the 403 problem)."""

    def __init__(self) -> None:
        super().__init__(403, "CSRF")


class SessionAuth(APIKeyCookie):
    """The browser's session cookie. Unsafe methods (POST, PUT, PATCH, DELETE) need Django's CSRF
    token (``X-CSRFToken`` header), so another site cannot post on a signed-in person's behalf;
    token (Bearer) calls are not cookie-based and need none."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: a 401, not a CSRF 403
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if key is not None and user is not None and user.is_authenticated:
            return user
        return None


session_auth = SessionAuth()
token_auth = [TokenAuth(), session_auth]


def optional_actor(request: HttpRequest) -> Actor | None:
    """The caller on public endpoints: token or session if given, else anonymous."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user is not None:
            return Actor.of(user)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor.of(user)
    return None


class SiteOut(Schema):
    id: int
    slug: str
    name: str
    street: str
    postcode: str
    city: str


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    website: str
    sites: list[SiteOut]


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations actives")
def list_organisations(request: HttpRequest) -> list[Organisation]:
    return list(Organisation.objects.active().prefetch_related("sites").order_by("name"))
