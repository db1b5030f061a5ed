"""Staff second-factor requirement: who owes one, and whether they have set it up.

An organisation may require a second factor from its staff (``Organisation.require_staff_mfa``,
set by its administrators). At login, a person holding a staff role in such an organisation and
without an authenticator app or passkey gets a flag in their session;
``StaffMfaMiddleware`` then sends every page they ask for to the set-up page (a short
allow-list excepted) until they have one. The flag is computed at login only: a requirement
switched on later applies from the person's next login.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

from parcours.accounts.models import STAFF_ROLES, Membership, User

SESSION_FLAG = "parcours_mfa_owed"
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def staff_mfa_required(user: User) -> bool:
    """Does one of the person's organisations require a second factor from them?"""
    return Membership.objects.filter(
        user=user,
        role__in=STAFF_ROLES,
        organisation__require_staff_mfa=True,
        organisation__is_active=True,
    ).exists()


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey/security key (recovery codes alone do not count)."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def owes_second_factor(user: User) -> bool:
    return staff_mfa_required(user) and not has_second_factor(user)


def security_panel(request: Any) -> dict[str, Any]:
    """Home-page panel with the account's security pages (links only: no query)."""
    return {}


def register_panel() -> None:
    from parcours.accounts import dashboard

    dashboard.register(
        dashboard.Panel(
            key="accounts.security",
            order=90,
            applies=dashboard.everyone,
            build=security_panel,
            template="account/dashboard/security.html",
        )
    )
