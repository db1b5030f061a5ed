"""Open data: the public figures of a report as one aggregated CSV, small groups suppressed.

Only the sections marked public (training, gender and age, outreach, and the registered sources
that say ``public=True``) are exported. Every cell counting people (``Figure.counts_people``,
``Table.people_columns``) whose value is 1 to 4 is replaced by ``SUPPRESSED`` ("< 5"), so that
minors and small groups cannot be identified; 0 stays 0 (nobody to identify).

Secondary suppression: a breakdown's cells often add up to a published total (people by
audience, gender or age add up to the people trained), so one hidden cell could be recovered
as the total minus the others. In every people column of a table where exactly one cell is
hidden, the smallest other cell of 5 or more is hidden too, shown as ``SECONDARY`` ("x"): the
total then only tells the sum of two cells, one of them at least 5.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from parcours.lib import exports
from parcours.lib.figures import Cell, Table
from parcours.reporting import facts
from parcours.reporting.figures import Report, build_report
from parcours.reporting.periods import Filters, Period

SUPPRESSED = "< 5"
SECONDARY = "x"  # hidden so that a total minus the other cells cannot reveal a "< 5"
THRESHOLD = 5


def _small(value: Any) -> bool:
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return number and 0 < value < THRESHOLD


def secondary_cells(table: Table) -> set[tuple[int, int]]:
    """(row, column) of the cells to hide besides the small ones (see the module doc)."""
    hidden: set[tuple[int, int]] = set()
    for column in table.people_columns:
        cells: list[tuple[int, Decimal]] = [
            (row_index, Decimal(str(row[column])))
            for row_index, row in enumerate(table.rows)
            if column < len(row)
            and isinstance(row[column], int | float | Decimal)
            and not isinstance(row[column], bool)
        ]
        if sum(1 for _i, value in cells if _small(value)) != 1:
            continue
        others = [(value, i) for i, value in cells if value >= THRESHOLD]
        if others:
            hidden.add((min(others)[1], column))
    return hidden


def suppress(value: Any) -> Any:
    """``SUPPRESSED`` for a people count of 1 to 4, else the value."""
    return SUPPRESSED if _small(value) else value


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
            secondary = secondary_cells(table)
            for row_index, row in enumerate(table.rows):
                category = " / ".join(
                    str(cell)
                    for index, cell in enumerate(row)
                    if index == 0 or not isinstance(cell, int | float | Decimal)
                )
                for index, cell in enumerate(row):
                    if index == 0 or not isinstance(cell, int | float | Decimal | None):
                        continue
                    people = index in table.people_columns
                    if (row_index, index) in secondary:
                        shown: Any = SECONDARY
                    else:
                        shown = suppress(cell) if people else cell
                    yield [
                        period,
                        str(section.title),
                        table.key,
                        category,
                        str(table.columns[index]),
                        shown,
                        None,
                    ]


def csv_bytes(report: Report) -> bytes:
    """The open-data CSV (UTF-8 with BOM, ``;``, formula-safe cells through lib.exports)."""
    return exports.csv_bytes(header(), rows(report))


CACHE_SECONDS = 600  # the public figures are answered from the cache for ten minutes


def cached_rows(organisation_id: int, period: Period) -> list[list[Cell]]:
    """The open-data rows of an organisation's period from the cache, for ``CACHE_SECONDS``.

    Key: organisation, period, language and the facts' generation (a roll call shows at
    once). The public endpoint does not rebuild a report at each request; it is also
    throttled per client address."""
    facts.prepare([organisation_id])
    token = facts.scope_token([organisation_id], period.previous().first, period.last)
    key = (
        f"reporting:opendata:{organisation_id}:{period.kind}:{period.first}:{period.last}:"
        f"{translation.get_language()}:{token}"
    )
    found = cache.get(key)
    if isinstance(found, list):
        return found
    report = build_report([organisation_id], period, Filters(), public_only=True)
    lines = [list(row) for row in rows(report)]
    cache.set(key, lines, CACHE_SECONDS)
    return lines
