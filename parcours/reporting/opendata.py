"""Open data: the public figures of a report as one aggregated CSV, small groups suppressed.

Only the sections marked public (training, gender and age, outreach, and the registered sources
that say ``public=True``) are exported. Every cell counting people (``Figure.counts_people``,
``Table.people_columns``) whose value is 1 to 4 is replaced by ``SUPPRESSED`` ("< 5"), so that
minors and small groups cannot be identified; 0 stays 0 (nobody to identify).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from parcours.lib import exports
from parcours.lib.figures import Cell
from parcours.reporting.figures import Report

SUPPRESSED = "< 5"
THRESHOLD = 5


def suppress(value: Any) -> Any:
    """``SUPPRESSED`` for a people count of 1 to 4, else the value."""
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return SUPPRESSED if number and 0 < value < THRESHOLD else value


def header() -> list[str]:
    return [
        _("période"),
        _("section"),
        _("indicateur"),
        _("catégorie"),
        _("mesure"),
        _("valeur"),
        _("même période l'année précédente"),
    ]


def rows(report: Report) -> Iterator[list[Cell]]:
    """The long-format rows of the public figures and tables, suppression applied."""
    period = report.period.label
    for section in report.sections:
        if not section.public:
            continue
        for item in section.figures:
            people = item.figure.counts_people
            now, before = item.value, item.previous_value
            yield [
                period,
                str(section.title),
                item.key,
                "",
                str(item.label),
                suppress(now) if people else now,
                suppress(before) if people else before,
            ]
        for table in section.tables:
            for row in table.rows:
                category = " / ".join(
                    str(cell)
                    for index, cell in enumerate(row)
                    if index == 0 or not isinstance(cell, int | float | Decimal)
                )
                for index, cell in enumerate(row):
                    if index == 0 or not isinstance(cell, int | float | Decimal | None):
                        continue
                    people = index in table.people_columns
                    yield [
                        period,
                        str(section.title),
                        table.key,
                        category,
                        str(table.columns[index]),
                        suppress(cell) if people else cell,
                        None,
                    ]


def csv_bytes(report: Report) -> bytes:
    """The open-data CSV (UTF-8 with BOM, ``;``, formula-safe cells through lib.exports)."""
    return exports.csv_bytes(header(), rows(report))
