"""The cards of the organisation's integrations page (``/integrations/``).

Each part (LTI, Moodle, xAPI) registers one :class:`Panel` from the app's ``ready()``; the page
shows them in registration order. A panel's ``summary`` is called with the organisation and
returns a short line of state ("2 plateformes enregistrées", "LRS désactivé"); keep it to one or
two queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from parcours.accounts.models import Organisation


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    description: str | Promise
    url_name: str  # reversed without arguments: the part's own page for the current organisation
    summary: Callable[[Organisation], str]


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels() -> list[Panel]:
    return list(_PANELS.values())
