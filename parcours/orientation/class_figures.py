"""Class-mode figures for the reports (registered in ``apps.ready`` through ``lib.figures``):
pupils who took part in class visits, by year of study (counts only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from parcours.lib import figures
from parcours.lib.dates import platform_zone
from parcours.orientation.class_models import ClassVisit


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = platform_zone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def class_visit_figures(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> figures.Contribution:
    start, end = _bounds(first, last)
    rows = (
        ClassVisit.objects.filter(
            organisation_id__in=list(organisation_ids), opened_at__gte=start, opened_at__lt=end
        )
        .values("grade")
        .annotate(visits=Count("id"), total=Sum("participant_count"))
        .order_by("grade")
    )
    labels = dict(ClassVisit.Grade.choices)
    order = {grade: index for index, grade in enumerate(ClassVisit.Grade.values)}
    by_grade = sorted(rows, key=lambda row: order.get(row["grade"], len(order)))
    visits = sum(row["visits"] for row in by_grade)
    pupils = sum(row["total"] or 0 for row in by_grade)
    table_rows = tuple(
        (str(labels.get(row["grade"], _("Année non précisée"))), row["visits"], row["total"] or 0)
        for row in by_grade
    )
    return figures.Contribution(
        figures=(
            figures.Figure(
                key="orientation.class_visits",
                label=_("Visites de classe (mode classe)"),
                value=visits,
                definition=_("Activités de classe ouvertes par un animateur sur la période."),
            ),
            figures.Figure(
                key="orientation.class_pupils",
                label=_("Élèves participants (mode classe)"),
                value=pupils,
                unit="people",
                counts_people=True,
                definition=_(
                    "Élèves qui ont rejoint une activité de classe avec son code ; le nombre "
                    "reste après l'effacement des prénoms (30 jours)."
                ),
            ),
        ),
        tables=(
            figures.Table(
                key="orientation.class_pupils_by_grade",
                title=_("Élèves participants par année d'études"),
                columns=(_("Année"), _("Visites"), _("Élèves")),
                rows=table_rows,
                people_columns=(2,),
                chart="bar",
            ),
        ),
    )


SOURCE = figures.Source(
    key="orientation.class_visits",
    title=_("Orientation : visites de classe"),
    order=70,
    provide=class_visit_figures,
    public=True,
    tags=("outreach",),
)
