"""The e-mails about a place in a session, each with its calendar invitation (.ics).

| kind        | when                                   | .ics                          |
| ----------- | -------------------------------------- | ----------------------------- |
| confirmed   | the place is confirmed                 | METHOD:REQUEST                |
| promoted    | a waitlisted person got a place        | METHOD:REQUEST                |
| changed     | the session's dates or place changed   | REQUEST (+ CANCEL for slots removed) |
| cancelled   | the place (or the session) is cancelled | METHOD:CANCEL                |
| reminder    | two days before the first slot         | METHOD:REQUEST                |

Subject, text and HTML are in the recipient's language (``User.language``). The events have
the UIDs of the subscribed feeds and the session's current SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.documents import actions, calendars, ical
from parcours.documents.models import SessionCalendar
from parcours.documents.querysets import REMINDER_LEAD
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus, SessionStatus
from parcours.lib import dates

KINDS = ("confirmed", "promoted", "changed", "cancelled", "reminder")
# session_changed fields that learners must hear about (trainers and status are not).
LEARNER_FIELDS = frozenset({"slots", "site", "room", "online_url", "place", "dates"})


def _url(name: str, *args: object) -> str:
    try:
        return calendars.absolute(reverse(name, args=args))
    except NoReverseMatch:
        return ""


def _subject(kind: str, session: Session, first_start: dt.datetime | None) -> str:
    title = session.title
    if kind == "confirmed":
        return _("Inscription confirmée : %(t)s") % {"t": title}
    if kind == "promoted":
        return _("Une place s'est libérée : vous êtes inscrit·e à %(t)s") % {"t": title}
    if kind == "changed":
        return _("Changement de date, d'horaire ou de lieu : %(t)s") % {"t": title}
    if kind == "cancelled":
        if session.status == SessionStatus.CANCELLED:
            return _("Session annulée : %(t)s") % {"t": title}
        return _("Inscription annulée : %(t)s") % {"t": title}
    day = dates.format_date(first_start, "day") if first_start else ""
    return _("Rappel : %(t)s commence %(d)s") % {"t": title, "d": day}


def _ics_part(data: bytes, method: str, filename: str) -> MIMEText:
    part = MIMEText(data.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _organizer(session: Session) -> ical.Person:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return ical.Person(email=session.organisation.email or address, name=session.organisation.name)


def _load(enrolment_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.select_related(
            "learner",
            "session",
            "session__module",
            "session__site",
            "session__room",
            "session__organisation",
        )
        .filter(pk=enrolment_id)
        .first()
    )


def build(
    kind: str,
    enrolment: Enrolment,
    *,
    sequence: int,
    announced: int = 0,
    now: dt.datetime | None = None,
) -> EmailMultiAlternatives:
    """The e-mail of ``kind`` for this enrolment. ``announced`` is how many events (slots) the
    learner may have in their calendar: those beyond the session's current slots are
    cancelled (a change removed a slot) or, for a cancellation, cancelled with the rest."""
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    now = now or timezone.now()
    learner = enrolment.learner
    session = enrolment.session
    language = learner.language or settings.LANGUAGE_CODE
    with translation.override(language):
        slots = list(session.slots.order_by("start"))
        events = calendars.session_events(
            session, times=[(s.start, s.end) for s in slots], sequence=sequence
        )
        extra = max(0, announced - len(events))
        removed = (
            calendars.removed_slot_events(session, first_index=len(events), count=extra)
            if extra
            else []
        )
        context = {
            "kind": kind,
            "learner": learner,
            "session": session,
            "enrolment": enrolment,
            "slots": slots,
            "location": calendars.location(session),
            "session_cancelled": session.status == SessionStatus.CANCELLED,
            "session_url": calendars.session_url(session),
            "my_sessions_url": _url("enrolment:my_sessions"),
            "calendar_url": _url("documents:calendar"),
            "language": language,
        }
        subject = _subject(kind, session, slots[0].start if slots else None)
        text = render_to_string("documents/email/enrolment.txt", context)
        html = render_to_string("documents/email/enrolment.html", context)
        organizer = _organizer(session)
        attendee = ical.Person(learner.email, learner.get_full_name())
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[learner.email],
            reply_to=[session.organisation.email] if session.organisation.email else None,
        )
        message.attach_alternative(html, "text/html")
        if kind == "cancelled":
            cancelled = [replace(e, cancelled=True) for e in [*events, *removed]]
            data = ical.build(
                cancelled, stamp=now, method="CANCEL", organizer=organizer, attendee=attendee
            )
            message.attach(_ics_part(data, "CANCEL", "annulation.ics"))
        else:
            data = ical.build(
                events, stamp=now, method="REQUEST", organizer=organizer, attendee=attendee
            )
            message.attach(_ics_part(data, "REQUEST", "invitation.ics"))
            if removed:
                gone = ical.build(
                    removed, stamp=now, method="CANCEL", organizer=organizer, attendee=attendee
                )
                message.attach(_ics_part(gone, "CANCEL", "creneaux-supprimes.ics"))
    return message


def _sequence(session: Session) -> tuple[int, int]:
    state: SessionCalendar | None = getattr(session, "calendar", None)
    if state is None:
        return 0, 0
    return state.sequence, state.announced_slots


def writable(learner: User) -> bool:
    """Whether e-mails may go to this person: an address, and not erased (privacy: the
    pseudonymous address ``erased-…@invalid`` reaches nobody) nor deactivated."""
    return bool(learner.email) and learner.erased_at is None and learner.is_active


def send_enrolment_message(kind: str, enrolment_id: int) -> bool:
    """Confirmation, promotion or cancellation of one enrolment. False when there is nobody
    to write to (enrolment gone, no e-mail address, erased or deactivated account)."""
    enrolment = _load(enrolment_id)
    if enrolment is None or not writable(enrolment.learner):
        return False
    session = enrolment.session
    slot_count = session.slots.count()
    if kind == "cancelled":
        # A cancellation must outrank the invitation it withdraws (and a later re-enrolment
        # must outrank the cancellation): every cancellation increments the SEQUENCE.
        announced, sequence = actions.session_calendar_changed(session.pk, slot_count)
        announced = max(announced, slot_count)
    else:
        sequence, announced = _sequence(session)
        actions.note_announced(session.pk, slot_count)
    build(kind, enrolment, sequence=sequence, announced=announced).send()
    return True


def announce_session_change(session_id: int, fields: list[str]) -> int:
    """The session changed: increment its SEQUENCE; when dates or place changed, tell every
    confirmed learner (one e-mail each, with the updated invitation). Returns how many."""
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return 0
    slot_count = session.slots.count()
    announced, sequence = actions.session_calendar_changed(session_id, slot_count)
    if session.status != SessionStatus.PUBLISHED or not LEARNER_FIELDS.intersection(fields):
        return 0
    enrolments = (
        Enrolment.objects.filter(session_id=session_id, status=EnrolmentStatus.CONFIRMED)
        .select_related(
            "learner",
            "session",
            "session__module",
            "session__site",
            "session__room",
            "session__organisation",
        )
        .exclude(learner__email="")
        .filter(learner__erased_at__isnull=True, learner__is_active=True)
        .order_by("pk")
    )
    messages = [
        build("changed", enrolment, sequence=sequence, announced=announced)
        for enrolment in enrolments
    ]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def send_reminder(enrolment_id: int, now: dt.datetime | None = None) -> bool:
    """The reminder, at most once per enrolment and session start: the claim is written in
    the same transaction as the sending, so a failed sending is retried by the next run and
    a second run (or a second worker) finds the claim and sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .filter(pk=enrolment_id, status=EnrolmentStatus.CONFIRMED)
            .first()
        )
        if enrolment is None:
            return False
        enrolment = _load(enrolment.pk)
        if enrolment is None:
            return False
        start = enrolment.session.starts_at
        if (
            start is None
            or enrolment.session.status != SessionStatus.PUBLISHED
            or not now < start <= now + REMINDER_LEAD
            or not writable(enrolment.learner)
        ):
            return False
        if not actions.claim_reminder(enrolment, start):
            return False
        sequence, announced = _sequence(enrolment.session)
        build("reminder", enrolment, sequence=sequence, announced=announced, now=now).send()
    return True
