"""Sections that a higher app adds to a lower app's page, without the page importing it.

A page names a *slot* and the object it shows; apps register sections for that slot from their
``AppConfig.ready()``::

    sections.register(
        sections.Section(
            key="orientation.module_occupations",
            slot="catalogue.module",  # the module page
            order=10,
            build=module_occupations,  # (request, module) -> context dict, or None to hide
            template="orientation/sections/module_occupations.html",
        )
    )

and the page's template renders them: ``{% load page_sections %}{% page_sections "catalogue.module"
module %}``. A section is read-only and reads a bounded number of rows.

Slots in use: ``catalogue.module`` (a module's page, the object is the Module),
``scheduling.outreach`` (an outreach request's page, the object is the OutreachActivity),
``enrolment.session_staff`` (a session's staff page, the Session), ``enrolment.session`` (a
session's public page, the Session), ``enrolment.trainer_session`` (a session on its trainer's
"my sessions" page, the Session), ``candidates.application``
(a candidate's file, the Application).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

Build = Callable[[HttpRequest, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Section:
    key: str
    slot: str
    order: int
    build: Build
    template: str


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


_registry: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add (or replace, by key: ``ready()`` may run twice in tests) a section."""
    _registry[section.key] = section


def unregister(key: str) -> None:
    _registry.pop(key, None)


def for_slot(slot: str, request: HttpRequest, obj: Any) -> list[RenderedSection]:
    """The sections of ``slot`` that have something to show about ``obj``, in order."""
    found = sorted(
        (s for s in _registry.values() if s.slot == slot), key=lambda s: (s.order, s.key)
    )
    rendered = []
    for section in found:
        context = section.build(request, obj)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered
