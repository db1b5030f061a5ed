"""Enrolments: enrol (oneself, someone, by e-mail), cancel, approve, reject; audience and
overlap checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit, invitations
from parcours.accounts.actions import create_user
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.accounts.policies import has_verified_email, may_self_enrol
from parcours.catalogue.models import Module
from parcours.enrolment import permissions, signals
from parcours.enrolment.actions._base import (
    MANAGERS,
    NO_RESTRICTION,
    SCHOOL,
    S,
    Source,
    _check_domain,
    _has_control,
    _lock_session,
    _on_commit,
    _refuse,
    _save_seats,
    _set_status,
)
from parcours.enrolment.actions.waitlist import _announce_new, _announce_promotions, _promote
from parcours.enrolment.models import (
    Enrolment,
    LearnerProfile,
    Session,
    SessionSlot,
)
from parcours.enrolment.states import (
    ACTIVE,
    SEAT_HOLDING,
    SessionStatus,
)
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import lock_learners
from parcours.scheduling.models import OutreachPupilCount


def _active_sessions(learner_id: int) -> dict[int, str]:
    """The sessions the learner is active in (id -> session status): one small query on the
    index (learner, status)."""
    return dict(
        Enrolment.objects.filter(learner_id=learner_id, status__in=ACTIVE)
        .order_by()
        .values_list("session_id", "session__status")
    )


def _clash(session: Session, active: dict[int, str]) -> Session | None:
    """Among the learner's ``active`` sessions, one (not cancelled) whose slots overlap this
    session's: one query, and none when the learner is active nowhere else."""
    others = [
        pk
        for pk, status in active.items()
        if pk != session.pk and status != SessionStatus.CANCELLED
    ]
    if not others:
        return None
    mine = SessionSlot.objects.filter(
        session_id=session.pk, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clash = (
        SessionSlot.objects.filter(session_id__in=others)
        .filter(Exists(mine))
        .select_related("session", "session__module")
        .first()
    )
    return clash.session if clash else None


def _overlapping(learner_id: int, session: Session) -> Session | None:
    """Another session the learner is active in whose slots overlap this session's."""
    return _clash(session, _active_sessions(learner_id))


def _check_audience(session: Session, learner: User, declared: str, *, vouched: bool) -> None:
    """Sessions restricted to an audience accept learners of that audience only.

    A learner without a declared audience declares it when enrolling themselves; staff who
    enrol someone vouch for them (the profile takes the session's audience).
    """
    if declared and declared not in Module.Audience.values:
        raise _refuse(_("Public inconnu."), "invalid")
    if session.audience in NO_RESTRICTION:
        return
    profile, _created = LearnerProfile.objects.get_or_create(user=learner)
    if not profile.audience:
        if declared:
            profile.audience = declared
        elif vouched:
            profile.audience = session.audience
        else:
            raise _refuse(
                _("Cette session est réservée au public « %(a)s » : indiquez votre public.")
                % {"a": Module.Audience(session.audience).label},
                "audience",
            )
        profile.save(update_fields=["audience"])
    if profile.audience != session.audience:
        raise _refuse(
            _("Cette session est réservée au public « %(a)s ».")
            % {"a": Module.Audience(session.audience).label},
            "audience",
        )


def _permission_for(actor: Actor, session: Session, learner: User, source: str) -> None:
    if source in (Source.SELF, Source.API) and actor.user.pk == learner.pk:
        return
    if source in (Source.COORDINATOR, Source.IMPORT, Source.API):
        require_role(actor, session.organisation_id, MANAGERS)
        return
    if source == Source.SCHOOL:
        require_role(actor, session.organisation_id, SCHOOL)
        return
    if source == Source.LMS:
        # A course's members enrolled from the LMS (LTI names and roles): the session's
        # coordinators, or a trainer of this session.
        if actor.is_platform_admin or actor.has_role(session.organisation_id, *MANAGERS):
            return
        if session.trainers.filter(pk=actor.user.pk).exists():
            return
    raise PermissionDenied(_("Vous ne pouvez pas inscrire cette personne."))


def _is_staff_enrolment(actor: Actor, learner: User, source: str) -> bool:
    return actor.user.pk != learner.pk and source != Source.SCHOOL


@dataclass
class Decision:
    status: str
    takes_seat: bool


def _decide(session: Session, *, needs_approval: bool, seats_wanted: int = 1) -> Decision:
    if needs_approval:
        return Decision(S.REQUESTED, False)
    if session.seats_taken + seats_wanted <= session.capacity:
        return Decision(S.CONFIRMED, True)
    return Decision(S.WAITLISTED, False)


def _clash_message(clash: Session, session: Session, *, own: bool) -> str:
    """The overlap refusal, naming the other session only to whom may see it (the learner
    themselves, or staff of the same organisation): never another organisation's session."""
    if own or clash.organisation_id == session.organisation_id:
        return _("Cette personne est déjà inscrite à une session au même moment : %(s)s.") % {
            "s": clash.code
        }
    return _("Cette personne est déjà inscrite à une autre session au même moment.")


def _check_can_enrol(
    session: Session,
    learner: User,
    *,
    staff: bool,
    now: dt.datetime,
    own: bool = False,
) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise _refuse(_("Cette session est annulée."), "closed")
    if session.ends_at and session.ends_at <= now:
        raise _refuse(_("Cette session est terminée."), "closed")
    if not staff and not session.enrolment_is_open(now):
        raise _refuse(_("Les inscriptions à cette session ne sont pas ouvertes."), "closed")
    active = _active_sessions(learner.pk)
    if session.pk in active:
        raise _refuse(_("Cette personne est déjà inscrite à cette session."), "duplicate")
    clash = _clash(session, active)
    if clash is not None:
        raise _refuse(_clash_message(clash, session, own=own), "overlap")


def enrol(
    *,
    actor: Actor,
    session: Session,
    learner: User,
    source: str = Source.SELF,
    audience: str = "",
    now: dt.datetime | None = None,
    policy_waived: bool = False,
) -> Enrolment:
    """Enrol ``learner`` in ``session``: confirmed while seats are left, else waitlisted; a
    request when the session needs approval and the learner (or their school) asks.

    The learner enrols themselves (``source=self``); a coordinator enrols anyone (outside the
    enrolment window too); a school contact enrols people of their school (``source=school``).
    ``policy_waived``: the organisation's sign-up policy does not apply, because the caller
    stands for a public registration the organisation opened (an event that accepts visitors
    with a light account: ``events.actions.register``). The confirmed e-mail is still required.
    """
    _permission_for(actor, session, learner, source)
    staff = _is_staff_enrolment(actor, learner, source)
    self_service = actor.user.pk == learner.pk and source in (Source.SELF, Source.API)
    if self_service and not has_verified_email(learner):
        # Read before taking the writers' turn (writers queue on SQLite).
        raise _refuse(may_self_enrol(learner, session.organisation)[1], "policy")
    with write_transaction():
        session = _lock_session(session, module=False)
        if self_service and not policy_waived:
            # The organisation's sign-up policy (anyone, listed e-mail domains, invitation
            # only): no query under the open policy, the organisation comes with the lock.
            allowed, reason = may_self_enrol(learner, session.organisation, email_checked=True)
            if not allowed:
                raise _refuse(reason, "policy")
        # Under the lock: the queue order (queued_at, id) follows the order of the writers.
        now = now or timezone.now()
        # Serialise this learner's enrolments (the overlap check reads their other sessions).
        lock_learners([learner.pk])
        _check_can_enrol(session, learner, staff=staff, now=now, own=learner.pk == actor.user.pk)
        _check_audience(session, learner, audience, vouched=learner.pk != actor.user.pk)
        decision = _decide(session, needs_approval=session.requires_approval and not staff)
        enrolment = Enrolment.objects.create(
            session=session,
            learner=learner,
            status=decision.status,
            source=source,
            requested_by=actor.user,
            queued_at=now,
            confirmed_at=now if decision.status == S.CONFIRMED else None,
        )
        if decision.takes_seat:
            session.seats_taken += 1
            _save_seats(session)
        audit.record(
            "enrolment.create",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"learner": learner.pk, "status": decision.status, "source": source},
        )
        _announce_new(enrolment)
    return enrolment


def create_invited_learner(
    *,
    actor: Actor,
    organisation: Organisation | None,
    email: str,
    first_name: str,
    last_name: str,
) -> User:
    """THE way the enrolment app creates a person (enrolling someone by e-mail, imports): an
    account without a password and, with ``organisation``, an invitation (valid 14 days) that
    lets them set one and land on their sessions. Nobody is left with an account they cannot
    open."""
    email = email.strip().lower()
    learner = create_user(
        email=email,
        password=None,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        actor=actor.user,
    )
    if organisation is not None:
        invitations.invite(
            organisation=organisation,
            email=email,
            role=Role.LEARNER,
            invited_by=actor.user,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
            next_url=reverse("enrolment:my_sessions"),
        )
    return learner


def find_or_create_learner(
    *,
    actor: Actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
) -> User:
    """The person with this e-mail; if unknown, created by ``create_invited_learner`` (and
    invited to ``organisation`` so that they can set a password)."""
    email = email.strip().lower()
    validate_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    if not first_name.strip() or not last_name.strip():
        raise _refuse(_("Indiquez le prénom et le nom de la personne."), "invalid")
    return create_invited_learner(
        actor=actor,
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )


def enrol_person(
    *,
    actor: Actor,
    session: Session,
    email: str,
    first_name: str = "",
    last_name: str = "",
    source: str = Source.COORDINATOR,
) -> Enrolment:
    """A coordinator (or school contact) enrols one person by e-mail.

    First and last names are required whether or not the e-mail is known: the answer must
    not tell whether someone (of any organisation) has an account. Nothing of the stored
    person is shown back; the refusals speak of what the actor typed."""
    require_role(actor, session.organisation_id, SCHOOL if source == Source.SCHOOL else MANAGERS)
    try:
        validate_email(email.strip())
    except ValidationError as exc:
        raise _refuse(_("Adresse e-mail invalide."), "invalid") from exc
    if not first_name.strip() or not last_name.strip():
        raise _refuse(_("Indiquez le prénom et le nom de la personne."), "invalid")
    if _has_control(email, first_name, last_name):
        raise _refuse(_("Caractère invalide dans l'e-mail, le prénom ou le nom."), "invalid")
    if len(first_name.strip()) > 150 or len(last_name.strip()) > 150:
        raise _refuse(_("Prénom et nom comptent 150 caractères au plus."), "invalid")
    if source == Source.SCHOOL:
        _check_domain(session.organisation, email)
    with write_transaction():
        learner = find_or_create_learner(
            actor=actor,
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=session.organisation,
        )
        return enrol(actor=actor, session=session, learner=learner, source=source)


def cancel(
    *,
    actor: Actor,
    enrolment: Enrolment,
    reason: str = "",
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Enrolment:
    """Cancel an enrolment. The learner may cancel a seat until the cancellation deadline;
    a coordinator until the session ends (``permissions.cancel_refusal``, the rule the cancel
    buttons follow). A freed seat goes to the first person on the waitlist, in the same
    transaction: ``enrolment.promoted`` lists who got it. ``quiet``: no cancellation message
    to the person (an enrolment never announced: a seat held while an e-mail address awaited
    its confirmation, ``events.actions.expire_pending``); promotions are announced as usual."""
    now = now or timezone.now()
    with write_transaction():
        session = _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        by_learner = enrolment.learner_id == actor.user.pk
        enrolment.session = session
        if not permissions.can_cancel(actor, enrolment):
            raise PermissionDenied(_("Vous ne pouvez pas annuler cette inscription."))
        refusal = permissions.cancel_refusal(actor, enrolment, now)
        if refusal is not None:
            raise _refuse(*refusal)
        held_seat = enrolment.status in SEAT_HOLDING
        _set_status(enrolment, S.CANCELLED, reason=reason)
        promoted: list[Enrolment] = []
        if held_seat:
            session.seats_taken -= 1
            _save_seats(session)
            promoted = _promote(session, now)
        audit.record(
            "enrolment.cancel",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"reason": enrolment.reason, "promoted": [e.pk for e in promoted]},
        )
        if not quiet:
            _on_commit(
                signals.enrolment_cancelled,
                Enrolment,
                enrolment_id=enrolment.pk,
                session_id=session.pk,
                by_learner=by_learner,
                reason=enrolment.reason,
            )
        _announce_promotions(session, promoted)
    enrolment.promoted = promoted
    return enrolment


def approve(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """A coordinator approves a request: confirmed if a seat is left, else waitlisted."""
    require_role(actor, enrolment.session.organisation_id, MANAGERS)
    with write_transaction():
        session = _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != S.REQUESTED:
            raise _refuse(_("Seule une demande en attente peut être approuvée."), "state")
        decision = _decide(session, needs_approval=False)
        _set_status(enrolment, decision.status)
        if decision.takes_seat:
            session.seats_taken += 1
            _save_seats(session)
        # The queue order of an approved request is its approval time.
        enrolment.queued_at = timezone.now()
        enrolment.save(update_fields=["queued_at"])
        audit.record(
            "enrolment.approve",
            actor=actor.user,
            organisation=session.organisation,
            obj=enrolment,
            changes={"status": decision.status},
        )
        _announce_new(enrolment)
    return enrolment


def reject(*, actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    require_role(actor, enrolment.session.organisation_id, MANAGERS)
    with write_transaction():
        _lock_session(enrolment.session_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != S.REQUESTED:
            raise _refuse(_("Seule une demande en attente peut être refusée."), "state")
        _set_status(enrolment, S.REJECTED, reason=reason)
        audit.record(
            "enrolment.reject",
            actor=actor.user,
            organisation=enrolment.session.organisation,
            obj=enrolment,
            changes={"reason": enrolment.reason},
        )
        _on_commit(
            signals.enrolment_rejected,
            Enrolment,
            enrolment_id=enrolment.pk,
            session_id=enrolment.session_id,
            reason=enrolment.reason,
        )
    return enrolment


def set_learner_audience(*, user: User, audience: str) -> LearnerProfile:
    if audience not in ("", *Module.Audience.values):
        raise _refuse(_("Public inconnu."), "invalid")
    with write_transaction():
        profile, _created = LearnerProfile.objects.get_or_create(user=user)
        profile.audience = audience
        profile.save(update_fields=["audience"])
        audit.record("learner_profile.audience", actor=user, obj=profile, changes={"to": audience})
    return profile


PROFILE_FIELDS = ("audience", "gender", "birth_year", "age_band", "school_year")


def update_learner_profile(
    *,
    user: User,
    audience: str = "",
    gender: str = "",
    birth_year: int | None = None,
    age_band: str = "",
    school_year: str = "",
    today: dt.date | None = None,
) -> LearnerProfile:
    """The learner's own profile: their audience and the optional self-declared fields the
    reports count (gender, birth year or age band, school year for pupils). All may be blank."""
    this_year = (today or timezone.localdate()).year
    errors: dict[str, list[str]] = {}
    if audience not in ("", *Module.Audience.values):
        errors["audience"] = [_("Public inconnu.")]
    if gender not in ("", *LearnerProfile.Gender.values):
        errors["gender"] = [_("Choix inconnu.")]
    if age_band not in ("", *LearnerProfile.AgeBand.values):
        errors["age_band"] = [_("Choix inconnu.")]
    if school_year not in ("", *OutreachPupilCount.Grade.values):
        errors["school_year"] = [_("Choix inconnu.")]
    if birth_year is not None and not this_year - 110 <= birth_year <= this_year - 3:
        errors["birth_year"] = [
            _("Indiquez une année de naissance entre %(a)s et %(b)s.")
            % {"a": this_year - 110, "b": this_year - 3}
        ]
    if errors:
        raise ValidationError(errors, code="invalid")
    values = {
        "audience": audience,
        "gender": gender,
        "birth_year": birth_year,
        "age_band": "" if birth_year is not None else age_band,
        "school_year": school_year if audience == Module.Audience.PUPILS else "",
    }
    with write_transaction():
        profile, _created = LearnerProfile.objects.select_for_update().get_or_create(user=user)
        for name, value in values.items():
            setattr(profile, name, value)
        profile.save(update_fields=list(PROFILE_FIELDS))
        # What changed is self-declared and sensitive: the audit says which fields, not values.
        audit.record(
            "learner_profile.update", actor=user, obj=profile, changes={"fields": list(values)}
        )
    return profile
