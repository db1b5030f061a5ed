"""The funnel of a call: applied → information → tested → selected → started → completed →
employed at six months, with rates by gender and age band where declared.

"Employed at 6 months" belongs to the careers app, which sits above this one: it registers a
provider with :func:`register_employment` (from its ``AppConfig.ready()``) and candidates never
imports it. Without a provider the step is "not available" (None), not 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.candidates.models import Application, Call, Decision
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import EnrolmentStatus

# (application ids) -> the ids of those employed six months after their training.
EmploymentProvider = Callable[[Sequence[int]], set[int]]
_employment: dict[str, EmploymentProvider] = {}

STEPS: tuple[tuple[str, object], ...] = (
    ("applied", _("Candidatures")),
    ("information", _("Séance d'information")),
    ("tested", _("Tests")),
    ("selected", _("Retenu·es")),
    ("started", _("Entrées en formation")),
    ("completed", _("Formation terminée")),
    ("employed", _("En emploi à 6 mois")),
)
NOT_DECLARED = ""  # shown as "non communiqué"
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("< 26", 0, 25),
    ("26-35", 26, 35),
    ("36-45", 36, 45),
    ("46-55", 46, 55),
    ("> 55", 56, 200),
)
STARTED = (
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.ATTENDED,
    EnrolmentStatus.NO_SHOW,
    EnrolmentStatus.COMPLETED,
)


def register_employment(key: str, provider: EmploymentProvider) -> None:
    """Careers fills the "employed at six months" step (replaced by key: ready() may run twice)."""
    _employment[key] = provider


def unregister_employment(key: str) -> None:
    _employment.pop(key, None)


@dataclass(frozen=True)
class Row:
    """One application reduced to what the funnel counts (no personal data)."""

    id: int
    informed: bool
    tested: bool
    selected: bool
    started: bool
    completed: bool
    employed: bool | None
    gender: str
    age_band: str


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None or not 1900 <= birth_year <= year:
        return NOT_DECLARED
    age = year - birth_year
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return NOT_DECLARED


def rows(call_ids: Iterable[int], *, today: dt.date | None = None) -> list[Row]:
    """The funnel rows of the applications of these calls, in a fixed number of queries."""
    ids = list(call_ids)
    year = (today or timezone.localdate()).year
    apps = list(
        Application.objects.filter(call_id__in=ids).values_list(
            "pk",
            "call_id",
            "person_id",
            "informed_at",
            "tested_at",
            "decision",
            "gender",
            "birth_year",
        )
    )
    sessions: dict[int, list[int]] = {}
    for call_id, session_id in Call.sessions.through.objects.filter(call_id__in=ids).values_list(
        "call_id", "session_id"
    ):
        sessions.setdefault(call_id, []).append(session_id)
    all_sessions = {s for group in sessions.values() for s in group}
    people = {person for _pk, _c, person, *_rest in apps if person is not None}
    status_of: dict[tuple[int, int], set[str]] = {}
    if all_sessions and people:
        for session_id, learner_id, status in Enrolment.objects.filter(
            session_id__in=all_sessions, learner_id__in=people
        ).values_list("session_id", "learner_id", "status"):
            status_of.setdefault((session_id, learner_id), set()).add(status)
    employed: set[int] | None = None
    if _employment:
        employed = set()
        for provider in _employment.values():
            employed |= provider([a[0] for a in apps])
    out = []
    for pk, call_id, person, informed, tested, decision, gender, birth_year in apps:
        statuses: set[str] = set()
        if person is not None:
            for session_id in sessions.get(call_id, ()):
                statuses |= status_of.get((session_id, person), set())
        selected = decision == Decision.SELECTED
        started = selected and bool(statuses & set(STARTED))
        out.append(
            Row(
                id=pk,
                informed=informed is not None,
                tested=tested is not None,
                selected=selected,
                started=started,
                completed=started and EnrolmentStatus.COMPLETED in statuses,
                employed=None if employed is None else pk in employed,
                gender=gender or NOT_DECLARED,
                age_band=age_band(birth_year, year),
            )
        )
    return out


def counts(items: Sequence[Row]) -> dict[str, int | None]:
    employed = (
        None
        if any(r.employed is None for r in items) and items
        else sum(bool(r.employed) for r in items)
    )
    return {
        "applied": len(items),
        "information": sum(r.informed for r in items),
        "tested": sum(r.tested for r in items),
        "selected": sum(r.selected for r in items),
        "started": sum(r.started for r in items),
        "completed": sum(r.completed for r in items),
        "employed": employed if _employment else None,
    }


def rate(part: int | None, whole: int) -> float | None:
    if part is None or whole == 0:
        return None
    return round(100 * part / whole, 1)


def breakdown(items: Sequence[Row], by: str) -> list[tuple[str, dict[str, int | None]]]:
    """Counts per gender (``by="gender"``) or age band (``by="age_band"``), "non communiqué" for
    people who did not declare it."""
    groups: dict[str, list[Row]] = {}
    for row in items:
        groups.setdefault(getattr(row, by), []).append(row)
    return [(key or str(gettext("non communiqué")), counts(groups[key])) for key in sorted(groups)]


def calls_of(organisation_ids: Sequence[int], first: dt.date, last: dt.date) -> Q:
    """The calls whose closing day falls within [first, last] (Europe/Brussels)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Q(organisation_id__in=organisation_ids, closes_at__gte=start, closes_at__lt=end)
