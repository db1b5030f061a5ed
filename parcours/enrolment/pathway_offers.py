"""The next sessions of a module, offered on pathway progress pages (``pathways.offers``).

Pathways may not import enrolment; this module, found by ``PathwaysConfig.ready()`` (it imports
``pathway_offers`` of every installed app), registers the provider. One query for all the
modules of a page: the sessions open for enrolment, numbered per module by start
(``ROW_NUMBER() OVER (PARTITION BY module)``), the first ``per_module`` of each kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from parcours.enrolment.models import Session
from parcours.pathways import offers


def next_sessions(module_ids: Sequence[int], per_module: int) -> dict[int, list[offers.Offer]]:
    """Published sessions of these modules that have not started and are open for enrolment,
    soonest first, at most ``per_module`` each."""
    rows = (
        Session.objects.open_for_enrolment()
        .filter(module_id__in=list(module_ids))
        .select_related("site")
        .annotate(
            offer_rank=Window(
                RowNumber(),
                partition_by=[F("module_id")],
                order_by=[F("starts_at").asc(), F("pk").asc()],
            )
        )
        .filter(offer_rank__lte=per_module)
        .order_by("module_id", "starts_at", "pk")
    )
    found: dict[int, list[offers.Offer]] = {}
    for session in rows:
        if session.starts_at is None:  # pragma: no cover - upcoming() excludes them
            continue
        found.setdefault(session.module_id, []).append(
            offers.Offer(
                module_id=session.module_id,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                place=session.site.city if session.site is not None else "",
                url=reverse("enrolment:detail", args=[session.pk]),
                seats_left=session.seats_left,
            )
        )
    return found


offers.register(offers.Provider(key="enrolment.sessions", offers=next_sessions))
