"""Reading a period and filters from what people send (query strings, API parameters).

Shared by the pages and the API so both accept and refuse the same things, with the same
French messages. ``ReportRequestError`` is a 4xx (422 in the API, the form error on pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Site
from parcours.catalogue.models import Module
from parcours.pathways.models import Pathway
from parcours.reporting.periods import Filters, Period, PeriodError


class ReportRequestError(PeriodError):
    """A period or filter that cannot be reported on; the message is for the person."""


def parse_period(
    *,
    year: int | None = None,
    school_year: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    today: dt.date | None = None,
) -> Period:
    """One of: a calendar ``year``; a ``school_year`` (its starting year); ``first`` and
    ``last``. Nothing: the current calendar year."""
    given = [year is not None, school_year is not None, first is not None or last is not None]
    if sum(given) > 1:
        raise ReportRequestError(
            _("Choisissez une année civile, une année scolaire ou des dates, pas plusieurs.")
        )
    if year is not None:
        return Period.calendar_year(year)
    if school_year is not None:
        return Period.school_year(school_year)
    if first is not None or last is not None:
        if first is None or last is None:
            raise ReportRequestError(_("Donnez le premier et le dernier jour de la période."))
        return Period.between(first, last)
    return Period.calendar_year((today or timezone.localdate()).year)


def clean_filters(
    organisation_ids: Sequence[int],
    *,
    site: int | None = None,
    module: int | None = None,
    pathway: int | None = None,
    audience: str = "",
    format: str = "",
) -> Filters:
    """Filters whose site, module and pathway belong to the organisations (else an error that
    does not say whether they exist elsewhere)."""
    ids = list(organisation_ids)
    if site is not None and not Site.objects.filter(pk=site, organisation_id__in=ids).exists():
        raise ReportRequestError(_("Site inconnu."))
    if (
        module is not None
        and not Module.objects.filter(pk=module, organisation_id__in=ids).exists()
    ):
        raise ReportRequestError(_("Module inconnu."))
    if (
        pathway is not None
        and not Pathway.objects.filter(pk=pathway, organisation_id__in=ids).exists()
    ):
        raise ReportRequestError(_("Parcours inconnu."))
    if audience and audience not in Module.Audience.values:
        raise ReportRequestError(_("Public inconnu."))
    if format and format not in Module.Format.values:
        raise ReportRequestError(_("Format inconnu."))
    return Filters(site=site, module=module, pathway=pathway, audience=audience, format=format)
