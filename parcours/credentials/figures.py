"""The credentials' figures for the reports (``lib.figures`` source, registered in ``ready()``):
badge verifications recorded by the public verification page and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from parcours.credentials.models import Verification
from parcours.lib import dates
from parcours.lib import figures as registry

DEFINITION = _(
    "Vérifications d'un badge de l'organisation par la page publique de vérification ou l'API, "
    "datées dans la période : chaque consultation de la page d'un badge ou envoi à l'API "
    "compte une fois (vérifier l'adresse e-mail sur la même page ne compte pas de nouveau)."
)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = dates.platform_zone()
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def verifications(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> registry.Contribution:
    start, end = _bounds(first, last)
    counts = Verification.objects.filter(
        organisation_id__in=list(organisation_ids), verified_at__gte=start, verified_at__lt=end
    ).aggregate(
        total=Count("pk"),
        badges=Count("credential_id", distinct=True),
        api=Count("pk", filter=Q(channel=Verification.Channel.API)),
    )
    return registry.Contribution(
        figures=(
            registry.Figure(
                "credentials.verifications",
                _("Badges vérifiés"),
                counts["total"],
                "count",
                DEFINITION,
            ),
            registry.Figure(
                "credentials.verified_badges",
                _("Badges distincts vérifiés"),
                counts["badges"],
                "count",
                _("Badges de l'organisation vérifiés au moins une fois dans la période."),
            ),
            registry.Figure(
                "credentials.verifications_api",
                _("Vérifications par l'API"),
                counts["api"],
                "count",
                _("Parmi les vérifications, celles reçues par l'API."),
            ),
        )
    )


def register() -> None:
    registry.register(
        registry.Source(
            key="credentials",
            title=_("Badges : vérifications"),
            provide=verifications,
            order=20,
        )
    )
