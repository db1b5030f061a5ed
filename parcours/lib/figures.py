"""Figures that apps contribute to the reports, without ``reporting`` importing them.

``reporting`` sits above the domain apps it reads (enrolment, scheduling, credentials…), but the
apps at its own layer or beside it (orientation's class visits, the candidate funnel, webinar
viewing hours) must not be imported by it. Each such app registers a :class:`Source` from its
``AppConfig.ready()``::

    from parcours.lib import figures

    figures.register(
        figures.Source(
            key="candidates.funnel",
            title=_("Candidatures"),  # gettext_lazy
            order=60,
            provide=funnel_figures,  # (organisation ids, first day, last day) -> Contribution
        )
    )

``reporting`` calls every registered source for the period asked and for the same period of the
previous year, and shows, exports and sums (network view) what they return like its own figures.
A provider only reads, filters by the organisation ids it is given, counts the days from ``first``
to ``last`` inclusive in Europe/Brussels local time, and returns numbers right to the unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.utils.functional import Promise

Label = str | Promise  # a translated string, usually gettext_lazy
Cell = str | int | float | Decimal | None
Unit = Literal["people", "count", "hours", "percent", "days", "euros"]
Chart = Literal["", "bar", "line", "pie"]


@dataclass(frozen=True)
class Figure:
    """One headline number (e.g. "Personnes formées: 16 214")."""

    key: str  # stable, dotted: "training.people", "candidates.selected"
    label: Label
    value: int | float | Decimal | None  # None: not available (not "0")
    unit: Unit = "count"
    definition: Label = ""  # what it counts and what it does not (the method note)
    counts_people: bool = False  # open data suppresses values of 1 to 4 people
    link: str = ""  # the list it counts, when there is one (the view checks permission)


@dataclass(frozen=True)
class Table:
    """A breakdown (by month, by audience, by site…), exported as a CSV and an Excel sheet."""

    key: str
    title: Label
    columns: tuple[Label, ...]
    rows: tuple[tuple[Cell, ...], ...]
    people_columns: tuple[int, ...] = ()  # columns whose cells count people (suppressed < 5)
    chart: Chart = ""  # how to draw it: first column = categories, the others = series
    definition: Label = ""


@dataclass(frozen=True)
class Contribution:
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()


Provide = Callable[[Sequence[int], dt.date, dt.date], Contribution]


@dataclass(frozen=True)
class Source:
    key: str
    title: Label  # the section's title in pages and in the yearly report
    provide: Provide
    order: int = 100
    public: bool = False  # may appear in the open-data CSV (after suppression)
    tags: tuple[str, ...] = field(default_factory=tuple)


_registry: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add (or replace, by key: ``ready()`` may run twice in tests) a source of figures."""
    _registry[source.key] = source


def registered() -> list[Source]:
    """Every source, in ``order`` then key."""
    return sorted(_registry.values(), key=lambda source: (source.order, source.key))


def unregister(key: str) -> None:
    """Remove a source (tests)."""
    _registry.pop(key, None)
