"""The career outcomes contributed to the reports (``lib.figures``): where people stand six
months after their training, by situation, with rates. Anonymous counts only."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from parcours.careers import milestones
from parcours.careers.models import CareerFile, Milestone, Outcome, OutcomeStatus
from parcours.lib import figures


def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def outcome_counts(
    organisation_ids: Sequence[int], first: dt.date, last: dt.date
) -> tuple[int, Counter[str]]:
    """People whose +6 months milestone falls within ``[first, last]`` and the count of their
    recorded situations at +6 months (people without one are ``unknown``)."""
    # +6 months in [first, last] <=> the training ended in [first - 6 months, last - 6 months]
    # (to the day, months of different lengths aside: add_months clamps to the month's end).
    ends_from = milestones.add_months(first, -6)
    ends_to = milestones.add_months(last, -6)
    files = CareerFile.objects.filter(
        organisation_id__in=list(organisation_ids),
        training_end__gte=ends_from,
        training_end__lte=ends_to,
    )
    people = files.count()
    counts: Counter[str] = Counter(
        Outcome.objects.filter(file__in=files, milestone=Milestone.M6)
        .order_by()
        .values_list("status", flat=True)
    )
    counts[OutcomeStatus.UNKNOWN] += people - sum(counts.values())
    return people, counts


def employed_at_six_months(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> int:
    """People employed or self-employed at +6 months (the funnel's last step)."""
    _people, counts = outcome_counts(organisation_ids, first, last)
    return counts[OutcomeStatus.EMPLOYED] + counts[OutcomeStatus.SELF_EMPLOYED]


def provide(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> figures.Contribution:
    people, counts = outcome_counts(organisation_ids, first, last)
    employed = counts[OutcomeStatus.EMPLOYED] + counts[OutcomeStatus.SELF_EMPLOYED]
    definition = _(
        "Personnes suivies dont les 6 mois après la formation tombent dans la période ; "
        "situation enregistrée par le·la chargé·e de suivi ou par l'enquête ; sans réponse : "
        "« Inconnu »."
    )
    rows = tuple(
        (str(label), counts[value], rate(counts[value], people))
        for value, label in OutcomeStatus.choices
    )
    return figures.Contribution(
        figures=(
            figures.Figure(
                key="careers.followed_6m",
                label=_("Personnes à 6 mois après leur formation"),
                value=people,
                unit="people",
                definition=definition,
                counts_people=True,
            ),
            figures.Figure(
                key="careers.employed_6m",
                label=_("En emploi à 6 mois (salarié·es et indépendant·es)"),
                value=employed,
                unit="people",
                definition=definition,
                counts_people=True,
            ),
            figures.Figure(
                key="careers.employed_6m_rate",
                label=_("Taux d'emploi à 6 mois"),
                value=rate(employed, people),
                unit="percent",
                definition=definition,
            ),
        ),
        tables=(
            figures.Table(
                key="careers.outcomes_6m",
                title=_("Situation à 6 mois après la formation"),
                columns=(_("Situation"), _("Personnes"), _("Part (%)")),
                rows=rows,
                people_columns=(1,),
                chart="bar",
                definition=definition,
            ),
        ),
    )


SOURCE = figures.Source(
    key="careers.outcomes", title=_("Suivi de carrière"), provide=provide, order=65
)


WORKING = (OutcomeStatus.EMPLOYED, OutcomeStatus.SELF_EMPLOYED)


def employed_applications(application_ids: Sequence[int]) -> set[int]:
    """The funnel's last step (``candidates.funnel.register_employment``): which of these
    applications belong to people employed or self-employed at +6 months, per the career
    file of the call's organisation (linked to the application, or to the same person)."""
    from parcours.candidates.models import Application

    ids = list(application_ids)
    if not ids:
        return set()
    apps = list(
        Application.objects.filter(pk__in=ids).values_list(
            "pk", "person_id", "call__organisation_id"
        )
    )
    people = {person for _pk, person, _org in apps if person is not None}
    working = Outcome.objects.filter(milestone=Milestone.M6, status__in=WORKING)
    by_person = set(
        working.filter(file__person_id__in=people).values_list(
            "file__person_id", "file__organisation_id"
        )
    )
    by_application = set(
        working.filter(file__application_id__in=ids).values_list("file__application_id", flat=True)
    )
    return {
        pk
        for pk, person, org in apps
        if pk in by_application or (person is not None and (person, org) in by_person)
    }
