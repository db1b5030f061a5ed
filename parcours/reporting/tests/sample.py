"""A fabricated report laid out (the pages and files are tested without the figures engine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parcours.lib.figures import Figure, Table
from parcours.reporting.output import Document, KeyFigure, Section

MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def document(title: str = "Technofutur TIC") -> Document:
    trend = Table(
        key="training.by_month",
        title="Personnes formées par mois",
        columns=("Mois", "Personnes formées", "Heures-apprenant"),
        rows=tuple((m, 100 + 10 * i, Decimal("412.5") + i) for i, m in enumerate(MONTHS)),
        chart="line",
        definition="Personnes distinctes présentes au moins une fois dans le mois.",
    )
    audience = Table(
        key="training.by_audience",
        title="Personnes formées par public",
        columns=("Public", "Personnes"),
        rows=(("Enseignants", 2673), ("Demandeurs d'emploi", 812), ('=HYPERLINK("x")', 7)),
        chart="pie",
    )
    sites = Table(
        key="training.by_site",
        title="Personnes formées par site",
        columns=("Site", "Personnes", "Sessions"),
        rows=(("Gosselies", 1200, 80), ("Mons", 640, 41)),
        chart="bar",
    )
    return Document(
        title=title,
        period_label="Année civile 2026",
        previous_label="Année civile 2025",
        first=dt.date(2026, 1, 1),
        last=dt.date(2026, 12, 31),
        sections=(
            Section(
                key="training",
                title="Formation",
                figures=(
                    KeyFigure(
                        Figure(
                            key="training.people",
                            label="Personnes formées",
                            value=16214,
                            unit="people",
                            definition="Personnes distinctes présentes au moins une fois.",
                            counts_people=True,
                        ),
                        previous=15000,
                    ),
                    KeyFigure(
                        Figure(
                            key="training.fill_rate",
                            label="Taux de remplissage",
                            value=87.5,
                            unit="percent",
                        ),
                        previous=None,
                    ),
                ),
                tables=(trend, audience, sites),
            ),
        ),
    )
