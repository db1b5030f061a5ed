"""The LTI part's card on /integrations/ and its section on a session's staff page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Role
from parcours.integrations import panels
from parcours.integrations.models import LtiRegistration
from parcours.lib import sections


def _summary(organisation: Organisation) -> str:
    count = LtiRegistration.objects.filter(organisation=organisation, is_active=True).count()
    return gettext("Plateformes LTI actives : %(count)d") % {"count": count}


def _session_courses(request: HttpRequest, session: Any) -> dict[str, Any] | None:
    actor = getattr(request, "actor", None)
    if actor is None or not (
        actor.is_platform_admin
        or actor.has_role(session.organisation_id, Role.COORDINATOR)
        or any(t.pk == actor.user.pk for t in session.trainers.all())
    ):
        return None
    from parcours.integrations.lti.actions import courses_for_session

    courses = courses_for_session(session)
    if not courses:
        return None
    return {"session": session, "courses": courses}


def register() -> None:
    panels.register(
        panels.Panel(
            key="lti",
            title=_("LTI 1.3 : Parcours dans Moodle"),
            description=_(
                "Plateformes (Moodle…) qui ouvrent Parcours en un clic : enregistrement, "
                "rôles, journal des lancements et des échecs."
            ),
            url_name="integrations:lti:registrations",
            summary=_summary,
        )
    )
    sections.register(
        sections.Section(
            key="integrations.lti_course_members",
            slot="enrolment.session_staff",
            order=50,
            build=_session_courses,
            template="integrations/lti/sections/session_courses.html",
        )
    )
    sections.register(
        sections.Section(
            key="integrations.lti_course_members_trainer",
            slot="enrolment.trainer_session",
            order=50,
            build=_session_courses,
            template="integrations/lti/sections/session_courses.html",
        )
    )
