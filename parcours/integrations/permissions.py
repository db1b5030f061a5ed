"""Who may configure the organisation's integrations: its administrators."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Role
from parcours.lib.http import AuthedRequest


def admin_organisation(request: AuthedRequest) -> Organisation:
    """The current organisation, if the person administers it; else 403 (before any look-up)."""
    organisation = request.organisation
    if not organisation or not (
        request.actor.is_platform_admin or request.actor.has_role(organisation, Role.ADMINISTRATOR)
    ):
        raise PermissionDenied(_("Réservé aux administrateurs de l'organisation."))
    return organisation
