"""iCalendar (RFC 5545 / RFC 5546) from plain values: no Django, no database.

One event per session slot. Its UID is ``parcours-session-<session id>-<n>@<host>``, ``n``
being the slot's position in the session (0 = first): a slot moved to another time keeps its
UID, so calendar applications *update* the event (with a higher SEQUENCE) instead of adding a
second one. Times are written in UTC (``DTSTART:20261026T080000Z``): unambiguous, no
VTIMEZONE needed, correct across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar  # reading only (parse): writing is done here, see build()

PRODID = "-//Parcours//Parcours//FR"


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime  # timezone-aware
    end: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""


def slot_uid(session_id: int, index: int, host: str) -> str:
    return f"parcours-session-{session_id}-{index}@{host}"


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _param(value: str) -> str:
    """A parameter value: quoted when it holds ``:;,`` (double quotes cannot appear)."""
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def _fold(line: str) -> str:
    """Lines longer than 75 octets go on continuation lines (never inside a UTF-8 char)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    chunks: list[bytes] = []
    begin, limit = 0, 75
    while begin < len(data):
        end = min(begin + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            end -= 1
        chunks.append(data[begin:end])
        begin, limit = end, 74  # continuation lines start with a space
    return b"\r\n ".join(chunks).decode()


def _stamp(moment: dt.datetime) -> str:
    return _utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _address(person: Person, **params: str) -> str:
    pairs = ([("CN", person.name)] if person.name else []) + list(params.items())
    head = "".join(f";{key}={_param(value)}" for key, value in pairs)
    return f"{head}:mailto:{person.email}"


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def build(
    events: Iterable[Event],
    *,
    stamp: dt.datetime,
    method: str | None = None,
    name: str = "",
    organizer: Person | None = None,
    attendee: Person | None = None,
    refresh: dt.timedelta | None = None,
) -> bytes:
    """An iCalendar document. ``method`` is ``REQUEST`` or ``CANCEL`` for e-mail
    attachments (then ``organizer`` should be given) and ``None`` for subscribed feeds.

    Written by hand (a feed of thousands of events in milliseconds, not seconds); the tests
    read every document back with the ``icalendar`` library."""
    if method not in (None, "REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method!r}")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
    if refresh is not None:
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(refresh)}")
        lines.append(f"X-PUBLISHED-TTL:{_duration(refresh)}")
    now = _stamp(stamp)
    organizer_line = f"ORGANIZER{_address(organizer)}" if organizer is not None else ""
    for item in events:
        cancelled = item.cancelled or method == "CANCEL"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(item.uid)}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(item.start)}",
            f"DTEND:{_stamp(item.end)}",
            f"SUMMARY:{_text(item.summary)}",
            f"SEQUENCE:{item.sequence}",
        ]
        if item.location:
            lines.append(f"LOCATION:{_text(item.location)}")
        if item.description:
            lines.append(f"DESCRIPTION:{_text(item.description)}")
        if item.url:
            lines.append(f"URL:{item.url}")
        lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
        if organizer_line:
            lines.append(organizer_line)
        if attendee is not None:
            status = "DECLINED" if cancelled else "ACCEPTED"
            lines.append(
                "ATTENDEE"
                + _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT=status, RSVP="FALSE")
            )
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def parse(data: bytes) -> list[Event]:
    """The events of an iCalendar document (used by tests and by anyone checking a feed)."""
    calendar = icalendar.Calendar.from_ical(data)
    events = []
    for component in calendar.walk("VEVENT"):
        events.append(
            Event(
                uid=str(component["UID"]),
                start=component.decoded("DTSTART"),
                end=component.decoded("DTEND"),
                summary=str(component.get("SUMMARY", "")),
                location=str(component.get("LOCATION", "")),
                description=str(component.get("DESCRIPTION", "")),
                url=str(component.get("URL", "")),
                sequence=int(component.get("SEQUENCE", 0)),
                cancelled=str(component.get("STATUS", "")) == "CANCELLED",
            )
        )
    return events


def method_of(data: bytes) -> str:
    return str(icalendar.Calendar.from_ical(data).get("METHOD", ""))
