"""The network view: the same figures over several organisations (platform operator, funder).

``build_network_report(network, period, filters)`` is ``build_report`` over the network's
organisations: people trained with two member organisations count once, everything else is
summed. The caller checks ``permissions.may_view_network`` first.
"""

from __future__ import annotations

from parcours.reporting.figures import Report, build_report
from parcours.reporting.models import Network
from parcours.reporting.periods import Filters, Period


def network_organisation_ids(network: Network) -> list[int]:
    return sorted(network.organisations.filter(is_active=True).values_list("pk", flat=True))


def build_network_report(network: Network, period: Period, filters: Filters) -> Report:
    """Every figure of the network's active organisations for the period (see module doc).

    Filters naming a site, module or pathway apply as given (they belong to one member)."""
    return build_report(network_organisation_ids(network), period, filters)
