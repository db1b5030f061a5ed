"""Personal data held by apps that ``privacy`` may not import (same import layer): they register
their part of a person's export and erasure here, from their ``AppConfig.ready()``::

    personal_data.register(personal_data.Part(key="portfolio", export=export, erase=erase))

``privacy`` adds each part's ``export(person)`` to the data export under ``key`` and calls its
``erase(person)`` inside the erasure's transaction (apps below privacy are called directly).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parcours.accounts.models import User


@dataclass(frozen=True)
class Part:
    key: str
    export: Callable[[User], Any]
    erase: Callable[[User], Any]


_PARTS: dict[str, Part] = {}


def register(part: Part) -> None:
    _PARTS[part.key] = part


def parts() -> list[Part]:
    return [_PARTS[key] for key in sorted(_PARTS)]
