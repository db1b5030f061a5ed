"""Many people enrolled in one session by a coordinator at once (a webinar's thousand
registrations): the rules of ``enrol`` for staff, checked in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor, require_role
from parcours.enrolment.actions._base import (
    MANAGERS,
    NO_RESTRICTION,
    S,
    Source,
    _lock_session,
    _refuse,
    _save_seats,
)
from parcours.enrolment.actions.waitlist import _announce_new
from parcours.enrolment.models import Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import ACTIVE, SessionStatus
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import lock_learners

MAX_BULK = 10_000


@dataclass
class BulkEnrolment:
    created: list[Enrolment] = field(default_factory=list)
    # (learner id, the reason in French): already enrolled, another session at the same time,
    # another audience.
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(1 for e in self.created if e.status == S.CONFIRMED)


def enrol_many(
    *,
    actor: Actor,
    session: Session,
    learners: Sequence[User],
    now: dt.datetime | None = None,
    announce: bool = True,
) -> BulkEnrolment:
    """Enrol ``learners`` (in this order) as a coordinator does with ``enrol``: confirmed
    while seats are left, then waitlisted; refused one by one (the others go on) when already
    active in the session, active in another session at the same time, or of another
    audience than the session's (a learner without a declared audience takes the session's:
    staff vouch for them). Refused as a whole for a cancelled or ended session. ``announce``
    sends each person the usual confirmation (``False``: enrolments recorded after the fact,
    the demo's history)."""
    require_role(actor, session.organisation_id, MANAGERS)
    if len(learners) > MAX_BULK:
        raise _refuse(_("%(n)d personnes au plus à la fois.") % {"n": MAX_BULK}, "invalid")
    now = now or timezone.now()
    result = BulkEnrolment()
    with write_transaction():
        session = _lock_session(session, module=False)
        if session.status == SessionStatus.CANCELLED:
            raise _refuse(_("Cette session est annulée."), "closed")
        if session.ends_at and session.ends_at <= now:
            raise _refuse(_("Cette session est terminée."), "closed")
        ids = list(dict.fromkeys(u.pk for u in learners))
        lock_learners(sorted(ids))
        already = set(
            session.enrolments.filter(learner_id__in=ids, status__in=ACTIVE).values_list(
                "learner_id", flat=True
            )
        )
        busy = _busy(session, ids)
        declared: dict[int, str] = {}
        if session.audience not in NO_RESTRICTION:
            declared = dict(
                LearnerProfile.objects.filter(user_id__in=ids).values_list("user_id", "audience")
            )
        seats_left = session.capacity - session.seats_taken
        vouch_new: list[int] = []
        vouch_blank: list[int] = []
        rows: list[Enrolment] = []
        for pk in ids:
            if pk in already:
                result.refused.append((pk, _("déjà inscrit·e à cette session.")))
                continue
            if pk in busy:
                result.refused.append((pk, _("déjà inscrit·e à une session au même moment.")))
                continue
            if session.audience not in NO_RESTRICTION:
                audience = declared.get(pk)
                if audience and audience != session.audience:
                    result.refused.append((pk, _("cette session est réservée à un autre public.")))
                    continue
                if audience is None:
                    vouch_new.append(pk)
                elif not audience:
                    vouch_blank.append(pk)
            status = S.CONFIRMED if seats_left > 0 else S.WAITLISTED
            seats_left -= status == S.CONFIRMED
            rows.append(
                Enrolment(
                    session=session,
                    learner_id=pk,
                    status=status,
                    source=Source.COORDINATOR,
                    requested_by=actor.user,
                    queued_at=now,
                    confirmed_at=now if status == S.CONFIRMED else None,
                )
            )
        LearnerProfile.objects.bulk_create(
            [LearnerProfile(user_id=pk, audience=session.audience) for pk in vouch_new]
        )
        LearnerProfile.objects.filter(user_id__in=vouch_blank).update(audience=session.audience)
        result.created = Enrolment.objects.bulk_create(rows, batch_size=500)
        if not all(e.pk for e in result.created):  # backends without RETURNING (none we use)
            result.created = list(
                session.enrolments.filter(
                    queued_at=now, learner_id__in=[r.learner_id for r in rows]
                )
            )
        session.seats_taken += sum(1 for e in result.created if e.status == S.CONFIRMED)
        _save_seats(session)
        audit.record(
            "enrolment.bulk_create",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={
                "created": len(result.created),
                "confirmed": result.confirmed,
                "refused": len(result.refused),
                "announce": announce,
            },
        )
        if announce:
            for enrolment in result.created:
                _announce_new(enrolment)
    return result


def _busy(session: Session, learner_ids: list[int]) -> set[int]:
    """Among ``learner_ids``, those active in another (not cancelled) session with a slot
    overlapping one of this session's: one query."""
    mine = SessionSlot.objects.filter(
        session_id=session.pk, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clashing = SessionSlot.objects.exclude(session_id=session.pk).filter(Exists(mine))
    return set(
        Enrolment.objects.filter(learner_id__in=learner_ids, status__in=ACTIVE)
        .exclude(session__status=SessionStatus.CANCELLED)
        .filter(session_id__in=clashing.values("session_id"))
        .values_list("learner_id", flat=True)
    )
