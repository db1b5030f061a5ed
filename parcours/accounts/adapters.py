"""How django-allauth fits Parcours: e-mails in the person's language, safe redirects, audit.

allauth runs the front door (sign-up, login, e-mail confirmation, password reset, e-mail change,
second factors, sessions). This adapter is the one place where Parcours changes its behaviour:

- every e-mail goes out in the recipient's language (``User.language``; for an address that
  belongs to nobody, the language of the page that asked for it);
- a new account takes the language of the page it was created from, and is audited;
- people created by staff, an import, an invitation or a command have no allauth address row:
  at their first login their address is recorded as verified instead of blocking them
  (``LegacyAwareEmailVerificationStage``);
- a login a few minutes old counts as a fresh password for adding a second factor;
- the ``next`` page survives sign-up and e-mail confirmation, and is only ever a page of this
  site (allauth checks it with ``url_has_allowed_host_and_scheme``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.stages import EmailVerificationStage
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from parcours.accounts import audit, auth_actions
from parcours.accounts.models import User

if TYPE_CHECKING:
    from django.http import HttpRequest

SUPPORTED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def language_for_address(email: str, context: dict[str, Any] | None = None) -> str:
    """The language to write to ``email`` in: its owner's, else the current page's."""
    user = (context or {}).get("user")
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=email.strip()).only("language").first()
        if user is None:
            from allauth.account.models import EmailAddress

            address = (
                EmailAddress.objects.filter(email__iexact=email.strip())
                .select_related("user")
                .first()
            )
            user = address.user if address is not None else None
    if user is not None and user.language in SUPPORTED_LANGUAGES:
        return str(user.language)
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in SUPPORTED_LANGUAGES else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        with translation.override(language_for_address(email, context)):
            super().send_mail(template_prefix, email, context)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in SUPPORTED_LANGUAGES else settings.LANGUAGE_CODE
        user._parcours_self_signup = (
            True  # its address must be confirmed (receivers.on_user_created)
        )
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            audit.record("user.signup", actor=user, obj=user)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Someone who signed in moments ago need not type their password again.

        allauth asks for a fresh password before adding a second factor or changing the
        address, even right after the login; a staff member sent to set up a second factor at
        login would type it twice. A login within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` counts.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        if request is None or not request.user.is_authenticated:
            return True
        records = get_authentication_records(request, request.user)
        if not records:
            return True
        return time.time() - float(records[-1]["at"]) >= app_settings.REAUTHENTICATION_TIMEOUT

    def get_login_stages(self) -> list[str]:
        return [
            "parcours.accounts.adapters.LegacyAwareEmailVerificationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]


class LegacyAwareEmailVerificationStage(EmailVerificationStage):
    """Mandatory confirmation, except for people who never had an allauth address.

    A self sign-up always creates an (unverified) address row, so it must be confirmed. Only
    accounts made outside allauth (staff, imports, invitations, ``createsuperuser``, the demo)
    have none: their address is recorded as verified, and they log in.
    """

    def handle(self) -> Any:
        user = self.login.user
        if user is not None and not self.login.signup:
            auth_actions.adopt_legacy_address(user)
        return super().handle()
