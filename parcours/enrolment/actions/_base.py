"""What every enrolment action shares: the roles, refusals, domain events after commit,
the session lock and the status change."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import (
    Enrolment,
    Session,
)
from parcours.enrolment.states import (
    EnrolmentStatus,
    can_transition,
)
from parcours.lib.transactions import write_transaction

S = EnrolmentStatus
Source = Enrolment.Source
MANAGERS = (Role.COORDINATOR,)
ATTENDANCE_TAKERS = (Role.COORDINATOR,)  # plus the session's own trainers
SCHOOL = (Role.SCHOOL_CONTACT,)
# A learner may check in this long before a slot starts (arriving early) and until it ends.
CHECKIN_EARLY = dt.timedelta(minutes=15)
NO_RESTRICTION = {"", Module.Audience.EVERYONE}

Slot = tuple[dt.datetime, dt.datetime]


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _plain(text: str, limit: int) -> str:
    """Free text a person typed (a reason), stripped of NUL and control characters (PostgreSQL
    refuses NUL in text) and cut to ``limit`` characters."""
    kept = "".join(c for c in text if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127))
    return kept.strip()[:limit]


def _has_control(*texts: str) -> bool:
    """Whether any of these one-line values holds a control character (NUL, CR…)."""
    return any(ord(c) < 32 or ord(c) == 127 for text in texts for c in text)


# A domain event: (signal, sender, kwargs).
Event = tuple[Any, type, dict[str, Any]]


def _send(events: list[Event]) -> None:
    """Send these events (after commit). Their receivers enqueue tasks (e-mails, attestations):
    the writes share one transaction, which on SQLite waits for its turn like any other write
    (``write_transaction``) instead of polling the database lock. One event on PostgreSQL
    needs no transaction of its own."""
    if len(events) == 1 and connection.vendor != "sqlite":
        signal, sender, kwargs = events[0]
        signal.send(sender=sender, **kwargs)
        return
    with write_transaction():
        for signal, sender, kwargs in events:
            signal.send(sender=sender, **kwargs)


class _Batch(threading.local):
    events: list[Event] | None = None
    # Run after commit, each returning the events to send (e.g. a waitlist position counted
    # after commit).
    deferred: list[Callable[[], list[Event]]] = []


_batch = _Batch()


@contextmanager
def batched_events(*, background: bool = False) -> Iterator[None]:
    """Within this block (inside the caller's transaction), the domain events of several
    actions go out together after commit, from one callback: one write transaction for all of
    them instead of one each (a visitor registering for several event workshops). Nothing is
    sent if the block raises (the transaction is rolled back anyway).

    ``background=True``: after commit, one task (``tasks.send_domain_events``) sends them
    from a worker instead of this request: the receivers' work (e-mail tasks, calendar
    invitations, xAPI statements) leaves the request path, at the cost of one insert."""
    if _batch.events is not None:  # already batching: the outer block sends
        yield
        return
    _batch.events, _batch.deferred = [], []
    try:
        yield
        events, deferred = _batch.events, _batch.deferred
    finally:
        _batch.events, _batch.deferred = None, []
    if not (events or deferred):
        return
    if background:
        from parcours.enrolment.actions import dispatch

        payload = dispatch.to_payload(events, deferred)
        if payload is not None:
            transaction.on_commit(partial(dispatch.enqueue, payload))
            return
    transaction.on_commit(partial(_send_batch, events, deferred))


def _send_batch(events: list[Event], deferred: list[Callable[[], list[Event]]]) -> None:
    everything = events + [event for later in deferred for event in later()]
    if everything:
        _send(everything)


def defer_events(later: Callable[[], list[Event]]) -> bool:
    """Within ``batched_events``: run ``later`` after commit and send what it returns with the
    batch (True); outside one: False (the caller sends on its own)."""
    if _batch.events is None:
        return False
    _batch.deferred.append(later)
    return True


def _on_commit_events(events: list[Event]) -> None:
    """Send ``events`` after commit, from one callback."""
    if _batch.events is not None:
        _batch.events.extend(events)
        return
    if events:
        transaction.on_commit(partial(_send, events))


def _on_commit(signal: Any, sender: type, **kwargs: Any) -> None:
    _on_commit_events([(signal, sender, kwargs)])


def _lock_session(
    session: Session | int, *related: str, trainer: User | None = None, module: bool = True
) -> Session:
    """The session, locked, with its organisation, its module unless ``module=False`` (its
    ``__str__`` needs it, an enrolment's does not), and ``related``. With ``trainer``:
    ``session.is_trainer`` says whether that user trains the session."""
    pk = session if isinstance(session, int) else session.pk
    # of=("self",): lock the session row only, not the module / organisation rows joined in
    # (that would serialise every enrolment of the module or organisation on PostgreSQL).
    query = Session.objects.select_for_update(of=("self",)).select_related(
        *(("module",) if module else ()), "organisation", *related
    )
    if trainer is not None:
        trains = Session.trainers.through.objects.filter(
            session_id=OuterRef("pk"), user_id=trainer.pk
        )
        query = query.annotate(is_trainer=Exists(trains))
    return query.get(pk=pk)


def _set_status(enrolment: Enrolment, status: str, *, reason: str = "") -> None:
    if not can_transition(enrolment.status, status):
        raise _refuse(
            _("Impossible de passer de « %(a)s » à « %(b)s ».")
            % {"a": enrolment.get_status_display(), "b": EnrolmentStatus(status).label},
            "state",
        )
    now = timezone.now()
    enrolment.status = status
    fields = ["status", "updated_at"]
    if status == S.CONFIRMED:
        enrolment.confirmed_at = now
        fields.append("confirmed_at")
    if status in (S.CANCELLED, S.REJECTED):
        enrolment.cancelled_at = now
        enrolment.reason = _plain(reason, 300)
        fields += ["cancelled_at", "reason"]
    enrolment.save(update_fields=fields)


def _save_seats(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken)


def _require_attendance_taker(actor: Actor, session: Session) -> None:
    """Coordinators and the session's own trainers (``session.is_trainer`` when the session was
    locked with ``_lock_session(..., trainer=actor.user)``)."""
    if actor.is_platform_admin or actor.has_role(session.organisation_id, *ATTENDANCE_TAKERS):
        return
    is_trainer = getattr(session, "is_trainer", None)
    if is_trainer is None:
        is_trainer = session.trainers.filter(pk=actor.user.pk).exists()
    if is_trainer:
        return
    raise PermissionDenied(
        _("Seuls les formateurs de la session et les coordinateurs encodent les présences.")
    )


# Attendance marks of a session, in memory: (slot id, enrolment id) -> present.
Marks = dict[tuple[int, int], bool]
# What a roll call loads with the session's lock: the module's completion rule and the
# module's organisation (the completions' audit entry).
ATTENDANCE_RELATED = ("module__organisation", "module__completion_rule")


def _email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _allowed_domains(organisation: Organisation) -> set[str]:
    return {d.lower() for d in organisation.import_email_domains.values_list("domain", flat=True)}


def _check_domain(organisation: Organisation, email: str) -> None:
    allowed = _allowed_domains(organisation)
    if allowed and _email_domain(email) not in allowed:
        raise _refuse(
            _(
                "Domaine d'e-mail inconnu (%(d)s) : "
                "il n'est pas dans la liste de votre organisation."
            )
            % {"d": _email_domain(email)},
            "domain",
        )
