"""The figures of a report: the one entry point the pages, exports, API and open data use.

Public API (stable; the pages and the yearly report build on it)::

    from parcours.reporting.figures import build_report
    from parcours.reporting.periods import Filters, Period

    report = build_report([org.pk], Period.calendar_year(2026), Filters(site=site.pk))
    for section in report.sections:          # training, people, logistics, outreach, sources…
        section.key, section.title           # "training", "Formation"
        for item in section.figures:         # FigureWithPrevious
            item.figure.label, item.value, item.previous_value, item.change_percent
        for table in section.tables:         # lib.figures.Table (first column = categories)
            table.columns, table.rows, table.chart, table.people_columns
        section.definitions                  # [(label, definition)] for the method notes

* ``build_report(organisation_ids, period, filters)`` computes reporting's own sections and
  calls every registered :class:`parcours.lib.figures.Source` for the period and for the same
  period one year earlier (``Period.previous``); a source's figures are matched to last year's
  by key. Each figure carries ``previous`` (the same figure last year, or ``None``).
* It only reads and it does **no permission check**: the caller checks
  ``permissions.may_view_reports(actor, organisation)`` (or ``networks_for``) first.
* Several organisation ids give the network view: people are counted once even when they
  trained with two organisations (distinct people), every other count is a sum.
* ``Report.figure(key)`` and ``Report.section(key)`` find one by key;
  ``Report.tables()`` lists every table (the CSV / Excel exports).

Definitions of every figure: ``docs/reporting.md`` (and each ``Figure.definition``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parcours.lib import figures as registry
from parcours.lib.figures import Contribution, Figure, Label, Table
from parcours.reporting import facts, logistics, training
from parcours.reporting.periods import Filters, Period

Number = int | float | Decimal


@dataclass(frozen=True)
class FigureWithPrevious:
    """A figure of the period and the same figure one year earlier."""

    figure: Figure
    previous: Figure | None = None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def label(self) -> Label:
        return self.figure.label

    @property
    def value(self) -> Number | None:
        return self.figure.value

    @property
    def previous_value(self) -> Number | None:
        return self.previous.value if self.previous is not None else None

    @property
    def change_percent(self) -> float | None:
        """Change against last year in percent (``None`` when last year was 0 or unknown)."""
        now, before = self.value, self.previous_value
        if now is None or before is None or before == 0:
            return None
        return round((float(now) - float(before)) * 100 / float(before), 1)


@dataclass(frozen=True)
class Section:
    key: str
    title: Label
    figures: list[FigureWithPrevious] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    definitions: list[tuple[Label, Label]] = field(default_factory=list)
    public: bool = False  # may appear in the open-data CSV (after suppression)


@dataclass(frozen=True)
class Report:
    organisation_ids: tuple[int, ...]
    period: Period
    filters: Filters
    sections: list[Section]
    # The facts were being rebuilt (or too many were stale): the training figures are those
    # of the last rebuild, and the pages say so.
    recalculating: bool = False

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def figure(self, key: str) -> FigureWithPrevious | None:
        for section in self.sections:
            for item in section.figures:
                if item.key == key:
                    return item
        return None

    def value(self, key: str) -> Number | None:
        """The figure's value this period (KeyError when no figure has that key)."""
        item = self.figure(key)
        if item is None:
            raise KeyError(key)
        return item.value

    def previous_value(self, key: str) -> Number | None:
        item = self.figure(key)
        if item is None:
            raise KeyError(key)
        return item.previous_value

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables() if t.key == key), None)

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def _pair(now: Iterable[Figure], before: Iterable[Figure]) -> list[FigureWithPrevious]:
    previous = {f.key: f for f in before}
    return [FigureWithPrevious(f, previous.get(f.key)) for f in now]


def _section(
    key: str, title: Label, now: Contribution, before: Contribution, *, public: bool
) -> Section:
    definitions: list[tuple[Label, Label]] = [(f.label, f.definition) for f in now.figures]
    definitions += [(t.title, t.definition) for t in now.tables if t.definition]
    return Section(
        key=key,
        title=title,
        figures=_pair(now.figures, before.figures),
        tables=list(now.tables),
        definitions=[(label, text) for label, text in definitions if text],
        public=public,
    )


# (keys, titles, compute, public). Each compute is (organisation ids, period, filters) ->
# one Contribution per key (training and people share their scans) and only reads.
_OWN: tuple[tuple[tuple[str, ...], tuple[Label, ...], Any, bool], ...] = (
    (
        ("training", "people"),
        (_("Formation"), _("Genre et âge")),
        training.training_and_people,  # called with raw=…
        True,
    ),
    (("logistics",), (_("Logistique"),), lambda *a: (logistics.logistics(*a),), False),
    (("outreach",), (_("Animations en école"),), lambda *a: (logistics.outreach(*a),), True),
)


SOURCE_SECONDS = 60  # other apps' figures are kept a minute per organisation and period


def _provided(source: registry.Source, ids: tuple[int, ...], first: Any, last: Any) -> Any:
    """A registered source's figures, kept ``SOURCE_SECONDS`` in the cache (per source,
    organisations, period and language): they are read raw from apps reporting does not
    know, so a page reloaded or a network read again does not recount them at each request;
    they may lag a minute behind a write."""
    key = (
        f"reporting:source:{source.key}:{','.join(map(str, ids))}:{first}:{last}:"
        f"{translation.get_language()}"
    )
    found = cache.get(key)
    if found is None:
        found = _resolved(source.provide(ids, first, last))
        cache.set(key, found, SOURCE_SECONDS)
    return found


def _resolved(value: Any) -> Any:
    """``value`` with its lazy translations turned into text (in the current language: the
    cache key holds it). Unpickling a lazy string builds a class each time: slower than
    recounting the figures."""
    if isinstance(value, Promise):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _resolved(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple | list):
        return type(value)(_resolved(item) for item in value)
    return value


def build_report(
    organisation_ids: Sequence[int],
    period: Period,
    filters: Filters,
    *,
    public_only: bool = False,
    raw: bool = False,
) -> Report:
    """Every figure of the organisations for the period, beside last year's (see module doc).

    ``public_only``: only the sections the open data may show (skips the others' queries).
    ``raw``: recount the training measures from the raw rows instead of the pre-aggregated
    facts (the reference path the tests compare with; slow at scale)."""
    ids = tuple(sorted(set(organisation_ids)))
    before = period.previous()
    recalculating = False if raw else not facts.prepare(ids)
    sections: list[Section] = []
    for keys, titles, compute, public in _OWN:
        if public_only and not public:
            continue
        options = {"raw": raw} if compute is training.training_and_people else {}
        now = compute(ids, period, filters, **options)
        then = compute(ids, before, filters, **options)
        for key, title, this, that in zip(keys, titles, now, then, strict=True):
            sections.append(_section(key, title, this, that, public=public))
    for source in registry.registered():
        if public_only and not source.public:
            continue
        sections.append(
            _section(
                source.key,
                source.title,
                _provided(source, ids, period.first, period.last),
                _provided(source, ids, before.first, before.last),
                public=source.public,
            )
        )
    return Report(
        organisation_ids=ids,
        period=period,
        filters=filters,
        sections=sections,
        recalculating=recalculating,
    )
