"""Who may see / do what with sessions, beyond roles."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, can_transition


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
    """Anyone sees a published session of a published module (``Session.objects.public()``);
    the organisation's staff see all of theirs; a learner still sees a session they are
    enrolled in after its module was withdrawn."""
    if session.status == Session.Status.PUBLISHED and session.module.status == "published":
        return True
    if actor is None or not actor.user.is_authenticated:
        return False
    from parcours.accounts.models import STAFF_ROLES

    if actor.is_platform_admin or actor.has_role(session.organisation_id, *STAFF_ROLES):
        return True
    return (
        session.status == Session.Status.PUBLISHED
        and session.enrolments.filter(learner_id=actor.user.pk).exists()
    )


def can_cancel(actor: Actor, enrolment: Enrolment) -> bool:
    if enrolment.learner_id == actor.user.pk:
        return True
    if can_manage(actor, enrolment.session):
        return True
    return (
        is_school_contact(actor, enrolment.session) and enrolment.requested_by_id == actor.user.pk
    )


def can_see_enrolment(actor: Actor, enrolment: Enrolment) -> bool:
    """The learner, the session's coordinators, and the school contact who enrolled them."""
    if enrolment.learner_id == actor.user.pk or can_manage(actor, enrolment.session):
        return True
    return (
        is_school_contact(actor, enrolment.session) and enrolment.requested_by_id == actor.user.pk
    )


def cancel_refusal(
    actor: Actor, enrolment: Enrolment, now: dt.datetime | None = None
) -> tuple[str, str] | None:
    """Why ``actor`` may not cancel ``enrolment`` now (a French message and its code), or
    ``None`` when they may. The one rule the cancel action, its view and every cancel button
    follow (``enrolment.session`` must be loaded). Who may cancel at all is ``can_cancel``.

    Nothing is cancelled once the enrolment is closed (completed, partial presence, no-show,
    already cancelled or refused) or once the session has ended; a learner (or their school)
    cancels a seat until the cancellation deadline, a coordinator until the session ends.
    """
    now = now or timezone.now()
    session = enrolment.session
    if not can_transition(enrolment.status, EnrolmentStatus.CANCELLED):
        return _("Cette inscription ne peut plus être annulée."), "state"
    if session.ends_at is not None and session.ends_at <= now:
        return _("Cette session est terminée : l'inscription ne peut plus être annulée."), "state"
    deadline = session.cancellation_deadline
    held_seat = enrolment.status in SEAT_HOLDING
    if held_seat and not can_manage(actor, session) and deadline is not None and now > deadline:
        return (
            ngettext(
                "Le délai d'annulation est dépassé (%(h)d heure avant le début) : "
                "contactez l'organisateur.",
                "Le délai d'annulation est dépassé (%(h)d heures avant le début) : "
                "contactez l'organisateur.",
                session.cancellation_deadline_hours,
            )
            % {"h": session.cancellation_deadline_hours},
            "deadline",
        )
    return None


def can_be_cancelled(actor: Actor, enrolment: Enrolment, now: dt.datetime | None = None) -> bool:
    """Whether to offer ``actor`` a cancel button for ``enrolment``."""
    return can_cancel(actor, enrolment) and cancel_refusal(actor, enrolment, now) is None
