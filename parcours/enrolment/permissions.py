"""Who may see / do what with sessions, beyond roles."""

from __future__ import annotations

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment, Session


def can_manage(actor: Actor, session: Session) -> bool:
    return actor.is_platform_admin or actor.has_role(session.organisation_id, Role.COORDINATOR)


def is_school_contact(actor: Actor, session: Session) -> bool:
    held = actor.roles_by_org.get(session.organisation_id, frozenset())
    return Role.SCHOOL_CONTACT in held


def can_take_attendance(actor: Actor, session: Session) -> bool:
    if can_manage(actor, session):
        return True
    return any(t.pk == actor.user.pk for t in session.trainers.all())


def can_see_session(actor: Actor | None, session: Session) -> bool:
    if session.status == Session.Status.PUBLISHED:
        return True
    if actor is None or not actor.user.is_authenticated:
        return False
    from parcours.accounts.models import STAFF_ROLES

    return actor.is_platform_admin or actor.has_role(session.organisation_id, *STAFF_ROLES)


def can_cancel(actor: Actor, enrolment: Enrolment) -> bool:
    if enrolment.learner_id == actor.user.pk:
        return True
    if can_manage(actor, enrolment.session):
        return True
    return (
        is_school_contact(actor, enrolment.session) and enrolment.requested_by_id == actor.user.pk
    )
