"""Signal receivers of the front door (connected in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parcours.accounts import auth_actions
from parcours.accounts.mfa import SESSION_FLAG, owes_second_factor
from parcours.accounts.models import User


def on_user_created(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """``post_save`` receiver: people made by staff, imports, invitations, commands and the demo
    get their address recorded as confirmed; self sign-ups (flagged by the adapter) do not."""
    if created and not getattr(instance, "_parcours_self_signup", False) and not kwargs.get("raw"):
        auth_actions.adopt_legacy_address(instance)


def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """allauth's ``password_reset`` receiver (the link came through that mailbox)."""
    auth_actions.verify_address_after_password_reset(user)


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: adopt a legacy address, note a missing second factor."""
    auth_actions.adopt_legacy_address(user)
    if request is None or not hasattr(request, "session"):
        return
    if owes_second_factor(user):
        request.session[SESSION_FLAG] = True
    else:
        request.session.pop(SESSION_FLAG, None)
