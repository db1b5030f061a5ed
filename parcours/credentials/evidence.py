"""What a credential shows as evidence: the sessions the learner attended for it.

For each module of the achievement the learner completed (``pathways.Completion``): the
session(s) of that module they were marked present at (``enrolment.Attendance``, present),
with the dates and site; a completion without recorded attendance (imported, encoded by
hand, demo data) is shown as the completed module with its date and hours.

Higher apps add evidence through a small registry (credentials may not import them): an
*evidence provider* answers ``(learner ids, module ids) -> {(learner, module): [items]}`` in a
fixed number of queries, e.g. ``assessments`` adds the link to a passed project the learner
agreed to show::

    evidence.register_provider(evidence.Provider(key="assessments.projects", items=...))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from parcours.catalogue.models import Module
from parcours.credentials.documents import EvidenceItem
from parcours.credentials.models import Achievement
from parcours.lib.urls import absolute_url
from parcours.pathways.models import Completion


@dataclass(frozen=True)
class Provider:
    key: str
    items: Callable[[list[int], list[int]], dict[tuple[int, int], list[EvidenceItem]]]


_PROVIDERS: dict[str, Provider] = {}


def register_provider(provider: Provider) -> None:
    _PROVIDERS[provider.key] = provider


def _provided(
    learner_ids: list[int], module_ids: list[int]
) -> dict[tuple[int, int], list[EvidenceItem]]:
    found: dict[tuple[int, int], list[EvidenceItem]] = defaultdict(list)
    for provider in _PROVIDERS.values():
        for key, extra in provider.items(learner_ids, module_ids).items():
            found[key].extend(extra)
    return found


def achievement_module_ids(achievement: Achievement) -> list[int]:
    if achievement.module_id is not None:
        return [achievement.module_id]
    if achievement.pathway is not None:
        return list(
            achievement.pathway.memberships.order_by("position").values_list("module_id", flat=True)
        )
    return []


def _hours(value: Decimal | float | None) -> str:
    return f"{float(value or 0):g}".replace(".", ",")  # French decimal comma: 12,5


def evidence_for(
    achievement: Achievement, learner_ids: Iterable[int]
) -> dict[int, list[EvidenceItem]]:
    """``{learner id: evidence items}`` for many learners in two queries."""
    module_ids = achievement_module_ids(achievement)
    modules = {
        m.pk: m for m in Module.objects.filter(pk__in=module_ids).select_related("organisation")
    }
    urls = {
        pk: absolute_url(reverse("catalogue:detail", args=[m.organisation.slug, m.code]))
        for pk, m in modules.items()
    }
    items: dict[int, list[EvidenceItem]] = defaultdict(list)
    ids = list(learner_ids)
    sessions = _sessions_attended(ids, list(modules))
    provided = _provided(ids, list(modules)) if _PROVIDERS else {}
    for start in range(0, len(ids), 5000):
        rows = (
            Completion.objects.filter(
                learner_id__in=ids[start : start + 5000], module_id__in=modules
            )
            .order_by("completed_on", "module_id")
            .values_list("learner_id", "module_id", "completed_on", "hours")
        )
        for learner_id, module_id, completed_on, hours in rows:
            module = modules[module_id]
            items[learner_id].extend(provided.get((learner_id, module_id), []))
            attended = sessions.get((learner_id, module_id))
            if attended:
                items[learner_id].extend(
                    EvidenceItem(
                        name=f"{module.code} — {module.title_fr}",
                        description=_session_text(code, site, days, hours),
                        url=f"{urls[module_id]}#session-{code}",
                    )
                    for code, site, days in attended
                )
                continue
            items[learner_id].append(
                EvidenceItem(
                    name=f"{module.code} — {module.title_fr}",
                    description=(f"Module terminé le {completed_on:%d/%m/%Y} ({_hours(hours)} h)."),
                    url=urls[module_id],
                )
            )
    return items


def _session_text(code: str, site: str, days: list[date], hours: Decimal | float | None) -> str:
    when = ", ".join(f"{day:%d/%m/%Y}" for day in days)
    where = f" à {site}" if site else ""
    return f"Session {code} suivie le {when}{where} ({_hours(hours)} h)."


def _sessions_attended(
    learner_ids: list[int], module_ids: list[int]
) -> dict[tuple[int, int], list[tuple[str, str, list[date]]]]:
    """``{(learner, module): [(session code, site, days present)]}`` from attendance."""
    from parcours.enrolment.models import Attendance

    days: dict[tuple[int, int, str, str], set[date]] = defaultdict(set)
    for start in range(0, len(learner_ids), 5000):
        rows = Attendance.objects.filter(
            present=True,
            enrolment__learner_id__in=learner_ids[start : start + 5000],
            enrolment__session__module_id__in=module_ids,
        ).values_list(
            "enrolment__learner_id",
            "enrolment__session__module_id",
            "enrolment__session__code",
            "enrolment__session__site__city",
            "slot__start",
        )
        for learner_id, module_id, code, city, slot_start in rows:
            days[(learner_id, module_id, code, city or "")].add(timezone.localdate(slot_start))
    result: dict[tuple[int, int], list[tuple[str, str, list[date]]]] = defaultdict(list)
    for (learner_id, module_id, code, city), dates in sorted(days.items()):
        result[(learner_id, module_id)].append((code, city, sorted(dates)))
    return result
