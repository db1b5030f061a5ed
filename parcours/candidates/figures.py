"""The candidates' contribution to the reports (``parcours.lib.figures``): the funnel of the
calls that closed in the period, and its rates by gender and age band."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from parcours.candidates import funnel
from parcours.candidates.models import Call
from parcours.lib import figures


def funnel_figures(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> figures.Contribution:
    call_ids = list(
        Call.objects.filter(funnel.calls_of(organisation_ids, first, last)).values_list(
            "pk", flat=True
        )
    )
    rows = funnel.rows(call_ids, today=last)
    total = funnel.counts(rows)
    labels = dict(funnel.STEPS)
    headline = tuple(
        figures.Figure(
            key=f"candidates.{key}",
            label=labels[key],  # type: ignore[arg-type]
            value=total[key],
            unit="people",
            counts_people=True,
            definition=_(
                "Candidatures aux appels clos pendant la période ; une personne qui a postulé "
                "à deux appels compte deux fois."
            ),
        )
        for key, _label in funnel.STEPS
    )
    steps = [key for key, _label in funnel.STEPS]
    tables = []
    for by, title in (("gender", _("Entonnoir par genre")), ("age_band", _("Entonnoir par âge"))):
        table_rows = []
        for group, counts in funnel.breakdown(rows, by):
            applied = counts["applied"] or 0
            table_rows.append(
                (
                    group,
                    *[counts[key] for key in steps],
                    funnel.rate(counts["selected"], applied),
                )
            )
        tables.append(
            figures.Table(
                key=f"candidates.funnel.{by}",
                title=title,
                columns=(_("Groupe"), *[labels[k] for k in steps], _("Taux de sélection (%)")),  # type: ignore[arg-type]
                rows=tuple(table_rows),
                people_columns=tuple(range(1, len(steps) + 1)),
                chart="bar",
            )
        )
    return figures.Contribution(figures=headline, tables=tuple(tables))


def register() -> None:
    figures.register(
        figures.Source(
            key="candidates.funnel",
            title=_("Candidatures"),
            order=60,
            provide=funnel_figures,
        )
    )
