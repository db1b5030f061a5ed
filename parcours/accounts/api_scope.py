"""Which organisation an API call is about, among those the caller may act for."""

from __future__ import annotations

from collections.abc import Sequence

from ninja.errors import HttpError

from parcours.accounts.models import Organisation


def chosen_organisation(org_ids: Sequence[int], slug: str | None) -> Organisation:
    """The organisation named by ``slug`` among ``org_ids``; without a slug, the only one.
    404 for a slug outside them, 422 when several are allowed and none is named. The caller
    answers 403 itself when ``org_ids`` is empty (its message names the role)."""
    orgs = Organisation.objects.filter(pk__in=org_ids)
    if slug:
        org = orgs.filter(slug=slug[:100]).first()
        if org is None:
            raise HttpError(404, "Organisation inconnue.")
        return org
    if len(org_ids) > 1:
        raise HttpError(422, "Précisez l'organisation (paramètre organisation).")
    org = orgs.first()
    if org is None:
        raise HttpError(404, "Organisation inconnue.")
    return org
