"""The events' figures for the reports (``lib.figures``): events, workshops, registrations and
check-ins whose workshops take place in the period. Anonymous counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.enrolment.models import Attendance, Enrolment
from parcours.enrolment.states import SEAT_HOLDING, SessionStatus
from parcours.events.models import Workshop
from parcours.lib import dates, figures


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = dates.platform_zone()
    start = dt.datetime.combine(first, dt.time.min).replace(tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min).replace(tzinfo=zone)
    return start, end


def provide(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> figures.Contribution:
    start, end = _bounds(first, last)
    workshops = (
        Workshop.objects.filter(event__organisation_id__in=list(organisation_ids))
        .filter(Q(session__starts_at__gte=start) & Q(session__starts_at__lt=end))
        .exclude(session__status=SessionStatus.CANCELLED)
    )
    session_ids = list(workshops.values_list("session_id", flat=True))
    events = workshops.values("event_id").distinct().count()
    registrations = Enrolment.objects.filter(
        session_id__in=session_ids, status__in=SEAT_HOLDING
    ).count()
    check_ins = (
        Attendance.objects.filter(present=True, enrolment__session_id__in=session_ids)
        .values("enrolment_id")
        .distinct()
        .count()
    )
    return figures.Contribution(
        figures=(
            figures.Figure("events.events", _("Événements"), events),
            figures.Figure("events.workshops", _("Ateliers d'événements"), len(session_ids)),
            figures.Figure(
                "events.registrations",
                _("Inscriptions aux ateliers"),
                registrations,
                definition=_("Places tenues (confirmées), hors liste d'attente et annulations."),
            ),
            figures.Figure(
                "events.check_ins",
                _("Présences aux ateliers"),
                check_ins,
                definition=_("Inscriptions dont le billet a été scanné (ou le nom pointé)."),
            ),
        )
    )


SOURCE = figures.Source(key="events", title=_("Événements"), order=70, provide=provide)
