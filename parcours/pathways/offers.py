"""Where to get a missing module: offers contributed by the apps above pathways.

A learner's progress says what is still missing; the next sessions of each missing module say
where to get it. Sessions live in ``enrolment``, a higher layer that pathways may not import, so
the apps that know how to obtain a module register an *offer provider* here, as the dashboard
panels do (``accounts/dashboard.py``)::

    offers.register(offers.Provider(key="enrolment.sessions", offers=next_sessions))

A provider is ``(module ids, per_module) -> {module id: [Offer, ...]}``: it answers for every
module of a page at once, in a fixed number of queries (one, for sessions), never per module.
Providers live in a ``pathway_offers`` module of their app, which ``PathwaysConfig.ready()``
imports for every installed app (Django's ``autodiscover_modules``, as the admin finds
``admin.py``): pathways never names them, the dependency still points up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.urls import reverse

from parcours.lib.dates import local_date
from parcours.pathways import rules
from parcours.pathways.evaluation import LearnerProgress

#: At most this many offers per module on a progress page.
OFFERS_PER_MODULE = 3


@dataclass(frozen=True)
class Offer:
    """One way to obtain a module: a session to enrol in. Plain data, shown by pathways'
    templates in the reader's language (dates through ``parcours.lib.dates``)."""

    module_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str  # a town ("Namur"); empty when online
    url: str  # the page where the learner enrols
    seats_left: int | None = None  # None: not counted

    @property
    def online(self) -> bool:
        return not self.place

    @property
    def multi_day(self) -> bool:
        return self.ends_at is not None and local_date(self.ends_at) != local_date(self.starts_at)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


OffersFor = Callable[[Sequence[int], int], dict[int, list[Offer]]]


@dataclass(frozen=True)
class Provider:
    key: str
    offers: OffersFor


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Add (or replace, by key: modules may be imported twice in tests) a provider."""
    _providers[provider.key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> list[Provider]:
    return [_providers[key] for key in sorted(_providers)]


@dataclass(frozen=True)
class ModuleOffers:
    """A missing module and where to get it (``offers`` may be empty: nothing planned)."""

    module_id: int
    code: str
    title: str
    url: str  # the module's page in the catalogue
    offers: list[Offer] = field(default_factory=list)


def offers_for(
    module_ids: Iterable[int], *, per_module: int = OFFERS_PER_MODULE
) -> dict[int, list[Offer]]:
    """Every provider's offers for these modules (each provider asked once, for all of them)."""
    ids = sorted(set(module_ids))
    found: dict[int, list[Offer]] = {module_id: [] for module_id in ids}
    if not ids:
        return found
    for provider in providers():
        for module_id, offers in provider.offers(ids, per_module).items():
            if module_id in found:
                found[module_id].extend(offers)
    for module_id in ids:
        found[module_id] = found[module_id][:per_module]
    return found


def missing_modules(evaluation: rules.Evaluation) -> list[int]:
    """The modules that would help: every candidate of every unmet requirement, in order."""
    seen: dict[int, None] = {}

    def walk(missing: Iterable[rules.Missing]) -> None:
        for item in missing:
            for module_id in item.candidates:
                seen.setdefault(module_id, None)
            for option in item.options:
                walk(option)

    walk(evaluation.missing)
    return list(seen)


def where_to_get(progresses: Sequence[LearnerProgress]) -> list[list[ModuleOffers]]:
    """For each progress (same order), its missing modules with their next offers. The
    providers are asked once for every missing module of every progress together."""
    wanted = [[] if p.satisfied else missing_modules(p.evaluation) for p in progresses]
    offers = offers_for(module_id for ids in wanted for module_id in ids)
    result: list[list[ModuleOffers]] = []
    for progress, ids in zip(progresses, wanted, strict=True):
        modules = {state.module.pk: state.module for state in progress.modules}
        result.append(
            [
                ModuleOffers(
                    module_id=module.pk,
                    code=module.code,
                    title=module.title,
                    url=reverse("catalogue:detail", args=[module.organisation.slug, module.code]),
                    offers=offers.get(module.pk, []),
                )
                for module in (modules[m] for m in ids if m in modules)
            ]
        )
    return result
