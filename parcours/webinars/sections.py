"""Sections webinars adds to enrolment's pages (``lib.sections``): on a session's staff page,
its webinar details and the report import; on the session's public page, the join box (the
live link itself only for registered people, from N minutes before the start); on a module's
catalogue page, its published replays."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from parcours.enrolment import permissions as enrolment_permissions
from parcours.lib import sections
from parcours.webinars import actions
from parcours.webinars.models import Replay, Webinar

MAX_MODULE_REPLAYS = 5


def _actor(request: HttpRequest) -> Any:
    return getattr(request, "actor", None)


def session_staff(request: HttpRequest, session: Any) -> dict[str, Any] | None:
    actor = _actor(request)
    if actor is None or not enrolment_permissions.can_take_attendance(actor, session):
        return None
    webinar = Webinar.objects.filter(session=session).first()
    return {
        "session": session,
        "webinar": webinar,
        "can_manage": enrolment_permissions.can_manage(actor, session),
        "reports": list(webinar.reports.all()[:5]) if webinar else [],
    }


def session_join(request: HttpRequest, session: Any) -> dict[str, Any] | None:
    webinar = Webinar.objects.filter(session=session).first()
    if webinar is None:
        return None
    webinar.session = session
    actor = _actor(request)
    now = timezone.now()
    window = actions.link_window(webinar)
    return {
        "webinar": webinar,
        "session": session,
        "link": actions.live_link(actor, webinar, now),
        "may_join": actions.may_join(actor, webinar),
        "opens": window[0] if window else None,
        "ended": bool(window and now > window[1]),
    }


def module_replays(request: HttpRequest, module: Any) -> dict[str, Any] | None:
    replays = list(
        Replay.objects.filter(module=module, published=True)
        .select_related("organisation")
        .order_by("-created_at", "pk")[:MAX_MODULE_REPLAYS]
    )
    return {"replays": replays, "module": module} if replays else None


def register() -> None:
    sections.register(
        sections.Section(
            key="webinars.session_staff",
            slot="enrolment.session_staff",
            order=5,
            build=session_staff,
            template="webinars/sections/session_staff.html",
        )
    )
    sections.register(
        sections.Section(
            key="webinars.session_join",
            slot="enrolment.session",
            order=5,
            build=session_join,
            template="webinars/sections/session_join.html",
        )
    )
    sections.register(
        sections.Section(
            key="webinars.module_replays",
            slot="catalogue.module",
            order=30,
            build=module_replays,
            template="webinars/sections/module_replays.html",
        )
    )
