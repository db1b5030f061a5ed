"""Webinar and replay figures contributed to the reports (``lib.figures``): webinars held,
live participants, hours attended live, replay hours viewed. Anonymous counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from parcours.enrolment.states import SessionStatus
from parcours.lib import dates, figures
from parcours.webinars.models import ParticipantMinutes, ReplayView, Webinar


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = dates.platform_zone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _hours(value: int | None, per_hour: int) -> Decimal:
    return (Decimal(value or 0) / Decimal(per_hour)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def webinar_counts(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> dict[str, int | Decimal]:
    """Webinars that ended within ``[first, last]`` (not cancelled), their distinct live
    participants (people with imported minutes), the hours attended, and the replay hours
    viewed on those days (player beacons and imported statistics)."""
    start, end = _bounds(first, last)
    held = Webinar.objects.filter(
        organisation_id__in=list(organisation_ids),
        session__ends_at__gte=start,
        session__ends_at__lt=end,
    ).exclude(session__status=SessionStatus.CANCELLED)
    live = ParticipantMinutes.objects.filter(webinar__in=held, minutes__gt=0).aggregate(
        people=Count("learner_id", distinct=True), minutes=Sum("minutes")
    )
    viewed = ReplayView.objects.filter(
        replay__organisation_id__in=list(organisation_ids),
        viewed_on__gte=first,
        viewed_on__lte=last,
    ).aggregate(seconds=Sum("seconds"))
    return {
        "held": held.count(),
        "people": live["people"] or 0,
        "live_hours": _hours(live["minutes"], 60),
        "replay_hours": _hours(viewed["seconds"], 3600),
    }


def provide(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> figures.Contribution:
    counts = webinar_counts(organisation_ids, first, last)
    return figures.Contribution(
        figures=(
            figures.Figure(
                key="webinars.held",
                label=_("Webinaires tenus"),
                value=counts["held"],
                definition=_("Sessions en ligne avec webinaire terminées dans la période."),
            ),
            figures.Figure(
                key="webinars.live_people",
                label=_("Participants en direct"),
                value=counts["people"],
                unit="people",
                counts_people=True,
                definition=_(
                    "Personnes inscrites reconnues dans un rapport de participation importé "
                    "(chaque personne une fois par webinaire, quel que soit le nombre de "
                    "connexions)."
                ),
            ),
            figures.Figure(
                key="webinars.live_hours",
                label=_("Heures suivies en direct"),
                value=counts["live_hours"],
                unit="hours",
                definition=_(
                    "Somme des minutes de présence importées (intervalles fusionnés, limités "
                    "aux heures de la session)."
                ),
            ),
            figures.Figure(
                key="webinars.replay_hours",
                label=_("Heures de rediffusion visionnées"),
                value=counts["replay_hours"],
                unit="hours",
                definition=_(
                    "Secondes comptées par le lecteur des pages de rediffusion et statistiques "
                    "importées de la plateforme vidéo, par jour de visionnage."
                ),
            ),
        )
    )


SOURCE = figures.Source(
    key="webinars.activity",
    title=_("Webinaires et rediffusions"),
    order=70,
    provide=provide,
    tags=("webinars",),
)
