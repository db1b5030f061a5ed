"""The panels of the home page ("Mon espace"), contributed by the apps that own the data.

``accounts`` sits below every domain app, so it cannot ask them what to show. Instead each app
registers its panels from its ``AppConfig.ready()`` (``parcours/<app>/dashboard.py``)::

    dashboard.register(
        dashboard.Panel(
            key="enrolment.next_session",
            order=10,
            applies=dashboard.everyone,
            build=next_session,  # (request) -> context dict, or None to hide the panel
            template="enrolment/dashboard/next_session.html",
        )
    )

The dashboard view renders, in ``order``, every panel whose ``applies(actor, organisation)``
is true and whose ``build`` returns a context. A panel is read-only, reads a bounded number of
rows in a bounded number of queries, and filters staff figures by the current organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parcours.accounts.models import Organisation
    from parcours.accounts.permissions import Actor
    from parcours.lib.http import AuthedRequest

Applies = Callable[["Actor", "Organisation | None"], bool]
Build = Callable[["AuthedRequest"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    applies: Applies
    build: Build
    template: str


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


_registry: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, by key: ``ready()`` may run twice in tests) a panel."""
    _registry[panel.key] = panel


def registered() -> list[Panel]:
    return sorted(_registry.values(), key=lambda p: (p.order, p.key))


def everyone(actor: Actor, organisation: Organisation | None) -> bool:
    """Personal panels (my sessions, my pathways): every signed-in person."""
    return True


def with_role(*roles: str) -> Applies:
    """Staff panels: the actor holds one of ``roles`` in the current organisation."""

    def applies(actor: Actor, organisation: Organisation | None) -> bool:
        return organisation is not None and actor.has_role(organisation, *roles)

    return applies


def holds_staff_role(actor: Actor, organisation: Organisation | None) -> bool:
    """Whether the person works in the current organisation (then personal panels with
    nothing to show are left out, to keep their page about their work)."""
    from parcours.accounts.models import STAFF_ROLES

    return organisation is not None and actor.has_role(organisation, *STAFF_ROLES)


def panels_for(request: AuthedRequest) -> list[RenderedPanel]:
    actor, organisation = request.actor, request.organisation
    out: list[RenderedPanel] = []
    for panel in registered():
        if not panel.applies(actor, organisation):
            continue
        context = panel.build(request)
        if context is not None:
            out.append(RenderedPanel(panel.key, panel.template, context))
    return out
