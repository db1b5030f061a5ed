"""Sessions as iCalendar events: the adapter between the enrolment models and ``ical``.

Feeds and e-mail attachments use the same events (same UIDs, same SEQUENCE), so an
invitation accepted from an e-mail and the subscribed feed describe one event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.documents import ical
from parcours.documents.models import CalendarFeed, SessionCalendar
from parcours.documents.querysets import (
    learner_feed_sessions,
    site_feed_sessions,
    trainer_feed_sessions,
)
from parcours.enrolment.models import Session, SessionSlot
from parcours.enrolment.states import SessionStatus
from parcours.lib.urls import absolute_url

FEED_REFRESH = dt.timedelta(hours=1)
Times = tuple[dt.datetime, dt.datetime]


def host() -> str:
    """The host in calendar UIDs: the configured site, never the served address, so that an
    event keeps its identity wherever the feed was fetched from."""
    return urlsplit(settings.SITE_URL).hostname or "parcours.local"


def absolute(path: str) -> str:
    return absolute_url(path)


def session_url(session: Session) -> str:
    try:
        return absolute(reverse("enrolment:detail", args=[session.pk]))
    except NoReverseMatch:  # the enrolment pages are not mounted (API-only deployment)
        return ""


def sequence_of(session: Session) -> int:
    # Reverse one-to-one, usually select_related: missing means "never changed".
    state: SessionCalendar | None = getattr(session, "calendar", None)
    return state.sequence if state is not None else 0


def location(session: Session) -> str:
    """Room, site and address; the virtual classroom's link for an online session."""
    if session.site is not None:
        parts = [session.room.name if session.room is not None else ""]
        parts += [session.site.name, session.site.address]
        return ", ".join(p for p in parts if p)
    return session.online_url


def description(session: Session) -> str:
    parts = [f"{session.organisation.name} — {session.title}"]
    if session.status == SessionStatus.CANCELLED:
        parts.append(_("Session annulée."))
    if session.access_notes:
        parts.append(session.access_notes)
    if session.site is not None and session.site.access_notes:
        parts.append(_("Comment s'y rendre : %(notes)s") % {"notes": session.site.access_notes})
    if session.online_url:
        parts.append(_("Classe virtuelle : %(url)s") % {"url": session.online_url})
    return "\n\n".join(parts)


def session_events(
    session: Session,
    *,
    times: Sequence[Times] | None = None,
    sequence: int | None = None,
    cancelled: bool | None = None,
) -> list[ical.Event]:
    """One event per slot; ``times`` are the slots' (start, end), read when not given."""
    if times is None:
        times = list(session.slots.order_by("start").values_list("start", "end"))
    ordered = sorted(times)
    seq = sequence_of(session) if sequence is None else sequence
    is_cancelled = session.status == SessionStatus.CANCELLED if cancelled is None else cancelled
    summary = session.title
    where = location(session)
    text = description(session)
    url = session_url(session)
    here = host()
    return [
        ical.Event(
            uid=ical.slot_uid(session.pk, index, here),
            start=start,
            end=end,
            summary=summary,
            location=where,
            description=text,
            url=url,
            sequence=seq,
            cancelled=is_cancelled,
        )
        for index, (start, end) in enumerate(ordered)
    ]


def removed_slot_events(session: Session, *, first_index: int, count: int) -> list[ical.Event]:
    """Events for UIDs a session no longer has (it lost slots): to be cancelled. Their times
    are unknown any more; the session's first slot stands in (clients match on UID)."""
    start = session.starts_at or timezone.now()
    end = session.ends_at or start + dt.timedelta(hours=1)
    here = host()
    return [
        ical.Event(
            uid=ical.slot_uid(session.pk, index, here),
            start=start,
            end=end,
            summary=session.title,
            sequence=sequence_of(session),
            cancelled=True,
        )
        for index in range(first_index, first_index + count)
    ]


def feed_title(feed: CalendarFeed) -> str:
    if feed.kind == CalendarFeed.Kind.SITE and feed.site is not None:
        return _("Parcours — %(site)s") % {"site": feed.site.name}
    if feed.kind == CalendarFeed.Kind.TRAINER:
        return _("Parcours — sessions que j'anime")
    return _("Parcours — mes sessions")


def feed_sessions(feed: CalendarFeed, now: dt.datetime | None = None) -> QuerySet[Session]:
    if feed.kind == CalendarFeed.Kind.SITE:
        if feed.site_id is None:
            return Session.objects.none()
        return site_feed_sessions(feed.site_id, now)
    if feed.kind == CalendarFeed.Kind.TRAINER:
        return trainer_feed_sessions(feed.user_id, now)
    return learner_feed_sessions(feed.user_id, now)


def feed_events(sessions: QuerySet[Session]) -> list[ical.Event]:
    """The events of these sessions in two queries (sessions, then every slot as tuples)."""
    times: dict[int, list[Times]] = defaultdict(list)
    slots = SessionSlot.objects.filter(session__in=sessions.values("pk"))
    for session_id, start, end in slots.values_list("session_id", "start", "end"):
        times[session_id].append((start, end))
    events: list[ical.Event] = []
    for session in sessions:
        events.extend(session_events(session, times=times.get(session.pk, [])))
    return events


def feed_document(feed: CalendarFeed, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now()
    events = feed_events(feed_sessions(feed, now))
    return ical.build(events, stamp=now, name=feed_title(feed), refresh=FEED_REFRESH)
