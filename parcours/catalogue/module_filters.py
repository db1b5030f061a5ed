"""Filters of the public catalogue contributed by higher apps (e.g. "prepares for occupation X").

The catalogue may not import the apps above it; they register a filter from ``ready()``::

    module_filters.register(
        module_filters.ModuleFilter(
            param="metier",  # the GET parameter
            resolve=occupation_filter,  # (value) -> (label, module ids), or None if unknown
        )
    )

The public list applies every registered filter whose parameter is in the query string: the
modules are narrowed to the ids given, and the label is shown above the results with a link
that removes the filter. An unknown value is named as a filter that could not be applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Resolve = Callable[[str], "tuple[str, set[int]] | None"]


@dataclass(frozen=True)
class ModuleFilter:
    param: str
    resolve: Resolve


_registry: dict[str, ModuleFilter] = {}


def register(module_filter: ModuleFilter) -> None:
    _registry[module_filter.param] = module_filter


def unregister(param: str) -> None:
    _registry.pop(param, None)


def registered() -> list[ModuleFilter]:
    return [_registry[param] for param in sorted(_registry)]
