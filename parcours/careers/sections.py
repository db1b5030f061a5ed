"""Sections careers adds to lower apps' pages (``lib.sections``): a session's staff page and a
candidate's file offer to assign the people to a career manager. No query: the links only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parcours.careers import permissions
from parcours.lib import sections


def _actor(request: HttpRequest) -> Any:
    return getattr(request, "actor", None)


def session_assign(request: HttpRequest, session: Any) -> dict[str, Any] | None:
    actor = _actor(request)
    if actor is None or not permissions.may_assign(actor, session.organisation_id):
        return None
    return {"session": session}


def application_assign(request: HttpRequest, application: Any) -> dict[str, Any] | None:
    actor = _actor(request)
    if actor is None or not permissions.may_assign(actor, application.call.organisation_id):
        return None
    return {"application": application}


def register() -> None:
    sections.register(
        sections.Section(
            key="careers.session_assign",
            slot="enrolment.session_staff",
            order=10,
            build=session_assign,
            template="careers/sections/session_assign.html",
        )
    )
    sections.register(
        sections.Section(
            key="careers.application_assign",
            slot="candidates.application",
            order=10,
            build=application_assign,
            template="careers/sections/application_assign.html",
        )
    )
