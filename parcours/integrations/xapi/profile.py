"""The Parcours xAPI profile: verbs, activity types and extensions, and the pure statement
builder (no database: plain values in, a JSON-ready dict out). See docs/integrations-xapi.md.

Vocabulary: ADL's verbs and activity types (http://adlnet.gov/expapi/…) where they exist, the
xAPI Open Badges profile (https://w3id.org/xapi/openbadges/…) for badges. "waitlisted" has no
published verb: Parcours defines it, with its extensions, under the platform's own address
(``<site>/xapi/profil/…``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

XAPI_VERSION = "1.0.3"
PLATFORM = "Parcours"
# The namespace of Parcours statement ids (uuid5): never change it, or every event gets a new id.
STATEMENT_NAMESPACE = uuid.UUID("6f1c1b8e-2d4a-5b7e-9c3f-0a1b2c3d4e5f")

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"

# kind → (verb IRI or None for a Parcours verb, display fr, display en)
VERBS: dict[str, tuple[str | None, str, str]] = {
    "registered": (ADL_VERB + "registered", "s'est inscrit·e à", "registered"),
    "waitlisted": (None, "est en liste d'attente pour", "waitlisted"),
    "attended": (ADL_VERB + "attended", "a assisté à", "attended"),
    "completed-module": (ADL_VERB + "completed", "a terminé", "completed"),
    "completed-pathway": (ADL_VERB + "completed", "a terminé", "completed"),
    "earned": ("https://w3id.org/xapi/openbadges/verbs/earned", "a obtenu", "earned"),
    "launched": (ADL_VERB + "launched", "a lancé", "launched"),
    # Cancels an earlier statement (object: a StatementRef): a presence corrected to absent,
    # a badge revoked.
    "voided": (ADL_VERB + "voided", "a annulé", "voided"),
}

ACTIVITY_TYPES = {
    "session": ADL_ACTIVITY + "meeting",
    "slot": ADL_ACTIVITY + "meeting",
    "module": ADL_ACTIVITY + "module",
    "pathway": ADL_ACTIVITY + "course",
    "badge": "https://w3id.org/xapi/openbadges/activity-types/badge",
    "link": ADL_ACTIVITY + "link",
}


def profile_iri(site: str, path: str) -> str:
    """A term Parcours defines itself, under the platform's address."""
    return f"{site}/xapi/profil/{path}"


def statement_id(organisation_id: int, kind: str, *object_ids: object) -> uuid.UUID:
    """The id of the statement for this event: the same event always gets the same id, so a
    second recording or a retry never makes a second statement."""
    key = "|".join([str(organisation_id), kind, *(str(part) for part in object_ids)])
    return uuid.uuid5(STATEMENT_NAMESPACE, key)


def registration_id(enrolment_id: int) -> uuid.UUID:
    """``context.registration`` of everything about one enrolment."""
    return uuid.uuid5(STATEMENT_NAMESPACE, f"enrolment|{enrolment_id}")


@dataclass(frozen=True)
class Activity:
    id: str
    type: str  # a key of ACTIVITY_TYPES
    name_fr: str
    name_en: str = ""

    def as_xapi(self) -> dict[str, Any]:
        names = {"fr": self.name_fr}
        if self.name_en:
            names["en"] = self.name_en
        return {
            "objectType": "Activity",
            "id": self.id,
            "definition": {"type": ACTIVITY_TYPES[self.type], "name": names},
        }


@dataclass(frozen=True)
class Event:
    """One thing that happened, in plain values."""

    kind: str
    organisation_id: int
    organisation_slug: str
    organisation_name: str
    actor_name: str  # the person's pseudonym in this organisation
    target: Activity
    timestamp: dt.datetime
    id_parts: tuple[object, ...]
    language: str = "fr"
    registration: uuid.UUID | None = None
    parents: tuple[Activity, ...] = ()
    groupings: tuple[Activity, ...] = ()
    result: dict[str, Any] | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    # A voiding statement's object: the id of the statement it cancels (``target`` unused).
    statement_ref: uuid.UUID | None = None

    @property
    def statement_id(self) -> uuid.UUID:
        return statement_id(self.organisation_id, self.kind, *self.id_parts)


def build(event: Event, *, site: str) -> dict[str, Any]:
    """The xAPI 1.0.3 statement of ``event``; ``site`` is the platform's address (actor home
    page, Parcours-defined IRIs)."""
    verb_iri, display_fr, display_en = VERBS[event.kind]
    if verb_iri is None:
        verb_iri = profile_iri(site, f"verbes/{event.kind}")
    timestamp = event.timestamp.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    context: dict[str, Any] = {
        "language": event.language,
        "extensions": {
            profile_iri(site, "extensions/organisation"): {
                "slug": event.organisation_slug,
                "name": event.organisation_name,
            },
            **event.extensions,
        },
    }
    if event.statement_ref is None:  # xAPI: "platform" only when the object is an Activity
        context = {"platform": PLATFORM, **context}
    if event.registration is not None:
        context["registration"] = str(event.registration)
    activities: dict[str, Any] = {}
    if event.parents:
        activities["parent"] = [a.as_xapi() for a in event.parents]
    if event.groupings:
        activities["grouping"] = [a.as_xapi() for a in event.groupings]
    if activities:
        context["contextActivities"] = activities
    statement: dict[str, Any] = {
        "id": str(event.statement_id),
        "version": XAPI_VERSION,
        "timestamp": timestamp.replace("+00:00", "Z"),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": site, "name": event.actor_name},
        },
        "verb": {"id": verb_iri, "display": {"fr": display_fr, "en-US": display_en}},
        "object": (
            {"objectType": "StatementRef", "id": str(event.statement_ref)}
            if event.statement_ref is not None
            else event.target.as_xapi()
        ),
        "context": context,
    }
    if event.result is not None:
        statement["result"] = event.result
    return statement
