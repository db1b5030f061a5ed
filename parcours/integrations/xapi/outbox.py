"""From Parcours' records to statements in the outbox.

Each ``record_*`` function is called by a receiver (``receivers.py``) — inside the business
transaction when the source sends its event there (badges issued and revoked), right after
it committed otherwise (enrolments, attendance, completions) — or by another part of Parcours
(``record_launch`` for LTI). It writes the statements of the organisations that configured an
LRS into :class:`XapiStatement` (``ignore_conflicts`` on the statement id: the same event
recorded twice is stored once), and, once the transaction commits, queues the sending task for
the organisations whose LRS is enabled. Nothing here ever raises into the caller: each call
runs in its own savepoint, and a failure rolls back only the statements and is logged
(``safely``); the business write goes on.

Voiding: a presence corrected to absent and a badge revoked queue a ``voided`` statement whose
object is the earlier statement's id. A statement id, once voided, is never reused: a person
marked present again after a correction gets a new ``attended`` statement (a counter in its id).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Any, ParamSpec

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Organisation, User
from parcours.catalogue.models import Module
from parcours.credentials.models import IssuedCredential
from parcours.enrolment.models import Attendance, Enrolment, Session, SessionSlot
from parcours.integrations.models import LrsConfig, XapiPseudonym, XapiStatement
from parcours.integrations.xapi.profile import (
    Activity,
    Event,
    build,
    registration_id,
    statement_id,
)
from parcours.lib.urls import absolute_url, site_url
from parcours.pathways.models import Completion, Pathway

logger = logging.getLogger("parcours.integrations.xapi")

P = ParamSpec("P")


def safely(function: Callable[P, int]) -> Callable[P, int]:
    """Never let a statement stop an enrolment or a roll call: log and carry on."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            # A savepoint inside the business transaction: a failed query here rolls back the
            # statements only, never the enrolment or the roll call around it.
            with transaction.atomic():
                return function(*args, **kwargs)
        except Exception:
            logger.exception("xAPI: statements of %s not recorded", function.__name__)
            return 0

    return wrapper


# --- Activities ----------------------------------------------------------------------------


def module_activity(module: Module) -> Activity:
    url = absolute_url(reverse("catalogue:detail", args=[module.organisation.slug, module.code]))
    return Activity(url, "module", module.title_fr, module.title_en)


def pathway_activity(pathway: Pathway) -> Activity:
    url = absolute_url(reverse("pathways:detail", args=[pathway.organisation.slug, pathway.code]))
    return Activity(url, "pathway", pathway.title_fr, pathway.title_en)


def session_activity(session: Session) -> Activity:
    url = absolute_url(reverse("enrolment:detail", args=[session.pk]))
    module = session.module
    return Activity(
        url,
        "session",
        f"{module.title_fr} — {session.code}",
        f"{module.title_en} — {session.code}" if module.title_en else "",
    )


def slot_activity(slot: SessionSlot, session: Session) -> Activity:
    base = session_activity(session)
    when = slot.start.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Activity(
        f"{base.id}#creneau-{slot.pk}",
        "slot",
        f"{base.name_fr} ({when})",
        f"{base.name_en} ({when})" if base.name_en else "",
    )


# --- Writing the outbox --------------------------------------------------------------------


def _configured(organisation_ids: Iterable[int]) -> dict[int, bool]:
    """{organisation id: enabled} of those among ``organisation_ids`` with an LRS."""
    ids = set(organisation_ids)
    if not ids:
        return {}
    return dict(
        LrsConfig.objects.filter(organisation_id__in=ids).values_list("organisation_id", "enabled")
    )


def pseudonyms(organisation_id: int, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's pseudonym in the organisation's statements, created on first use."""
    wanted = set(person_ids)
    found = dict(
        XapiPseudonym.objects.filter(
            organisation_id=organisation_id, person_id__in=wanted
        ).values_list("person_id", "name")
    )
    missing = wanted - set(found)
    if missing:
        XapiPseudonym.objects.bulk_create(
            [XapiPseudonym(organisation_id=organisation_id, person_id=pk) for pk in missing],
            ignore_conflicts=True,
        )
        found.update(
            XapiPseudonym.objects.filter(
                organisation_id=organisation_id, person_id__in=missing
            ).values_list("person_id", "name")
        )
    return {pk: str(name) for pk, name in found.items()}


Pending = tuple[Callable[[str], Event], int, int]  # (event given the actor's name, org, person)


def _store(pending: list[Pending], configured: dict[int, bool]) -> int:
    """Build and insert the statements; queue the sending after commit."""
    pending = [p for p in pending if p[1] in configured]
    if not pending:
        return 0
    site = site_url()
    by_org: dict[int, set[int]] = {}
    for _make, organisation_id, person_id in pending:
        by_org.setdefault(organisation_id, set()).add(person_id)
    with transaction.atomic():
        names = {org: pseudonyms(org, people) for org, people in by_org.items()}
        now = timezone.now()
        rows = []
        for make, organisation_id, person_id in pending:
            event = make(names[organisation_id][person_id])
            rows.append(
                XapiStatement(
                    organisation_id=organisation_id,
                    statement_id=event.statement_id,
                    kind=event.kind,
                    person_id=person_id,
                    payload=json.dumps(build(event, site=site), ensure_ascii=False),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
        XapiStatement.objects.bulk_create(rows, ignore_conflicts=True)
        for organisation_id in by_org:
            if configured[organisation_id]:
                transaction.on_commit(partial(_queue, organisation_id))
    return len(rows)


def _queue(organisation_id: int) -> None:
    from parcours.integrations.xapi.tasks import send_statements

    try:
        send_statements.enqueue(organisation_id)
    except Exception:  # a task queue that refuses must not fail the business action
        logger.exception("xAPI: sending for organisation %s not queued", organisation_id)


def _org_fields(organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation_id": organisation.pk,
        "organisation_slug": organisation.slug,
        "organisation_name": organisation.name,
    }


# --- Events --------------------------------------------------------------------------------


@safely
def record_enrolments(kind: str, enrolment_ids: Iterable[int]) -> int:
    """``registered`` (a confirmed place, directly or from the waitlist) or ``waitlisted``.

    Most organisations have no LRS: which ones do is asked first, with the enrolments'
    organisation ids only, and the enrolments are loaded in full only for those."""
    organisations = dict(
        Enrolment.objects.filter(pk__in=set(enrolment_ids)).values_list(
            "pk", "session__organisation_id"
        )
    )
    configured = _configured(organisations.values())
    if not configured:
        return 0
    enrolments = list(
        Enrolment.objects.filter(
            pk__in=[pk for pk, org in organisations.items() if org in configured]
        ).select_related("learner", "session__organisation", "session__module__organisation")
    )
    pending: list[Pending] = []
    for enrolment in enrolments:
        session = enrolment.session
        when = (
            enrolment.confirmed_at
            if kind == "registered" and enrolment.confirmed_at
            else enrolment.queued_at
        )

        def make(
            name: str, e: Enrolment = enrolment, s: Session = session, when: dt.datetime = when
        ) -> Event:
            return Event(
                kind=kind,
                **_org_fields(s.organisation),
                actor_name=name,
                target=session_activity(s),
                timestamp=when,
                id_parts=(e.pk, when.isoformat()),
                language=e.learner.language,
                registration=registration_id(e.pk),
                groupings=(module_activity(s.module),),
            )

        pending.append((make, session.organisation_id, enrolment.learner_id))
    return _store(pending, configured)


#: How many times one presence can be recorded again after being voided (corrections back and
#: forth); beyond, the later corrections are not sent (logged).
MAX_ATTENDANCE_CYCLES = 5


def _attended_id(organisation_id: int, slot_id: int, enrolment_id: int, cycle: int) -> Any:
    parts: tuple[object, ...] = (
        (slot_id, enrolment_id) if cycle == 0 else (slot_id, enrolment_id, cycle)
    )
    return statement_id(organisation_id, "attended", *parts)


def _voiding_id(organisation_id: int, target: Any) -> Any:
    return statement_id(organisation_id, "voided", target)


def _voiding(
    organisation: Organisation, target: Any, person_language: str, when: dt.datetime
) -> Callable[[str], Event]:
    def make(name: str) -> Event:
        return Event(
            kind="voided",
            **_org_fields(organisation),
            actor_name=name,
            target=Activity(str(target), "link", ""),
            timestamp=when,
            id_parts=(target,),
            language=person_language,
            statement_ref=target,
        )

    return make


@safely
def record_attendance(slot_id: int, enrolment_ids: Iterable[int] | None = None) -> int:
    """The marks of one slot (all of them, or those of ``enrolment_ids``): ``attended`` for
    the people present (a roll call or a check-in), ``voided`` for the ``attended`` of a person
    now marked absent (a corrected roll call)."""
    organisation_id = (
        SessionSlot.objects.filter(pk=slot_id).values_list("session__organisation_id", flat=True)
    ).first()
    configured = _configured({organisation_id} if organisation_id is not None else set())
    if organisation_id is None or organisation_id not in configured:
        return 0  # no LRS: nothing loaded
    marks_query = Attendance.objects.filter(slot_id=slot_id)
    if enrolment_ids is not None:
        marks_query = marks_query.filter(enrolment_id__in=set(enrolment_ids))
    marks = list(
        marks_query.select_related(
            "slot__session__organisation",
            "slot__session__module__organisation",
            "enrolment__learner",
        )
    )
    if not marks:
        return 0
    session = marks[0].slot.session
    cycles = range(MAX_ATTENDANCE_CYCLES)
    candidates = {
        m.enrolment_id: [_attended_id(organisation_id, slot_id, m.enrolment_id, n) for n in cycles]
        for m in marks
    }
    wanted = [i for ids in candidates.values() for i in ids]
    wanted += [_voiding_id(organisation_id, i) for i in wanted]
    known = set(
        XapiStatement.objects.filter(statement_id__in=wanted).values_list("statement_id", flat=True)
    )
    now = timezone.now()
    pending: list[Pending] = []
    for mark in marks:
        ids = candidates[mark.enrolment_id]
        # The current cycle: the first whose attended statement was not voided.
        cycle = next(
            (n for n, i in enumerate(ids) if _voiding_id(organisation_id, i) not in known), None
        )
        if cycle is None:
            logger.warning("xAPI: presence %s corrected too often", mark.pk)
            continue
        this_cycle: int = cycle
        current = ids[this_cycle]
        if not mark.present:
            if current in known:  # recorded as attended: cancel it
                pending.append(
                    (
                        _voiding(
                            session.organisation, current, mark.enrolment.learner.language, now
                        ),
                        organisation_id,
                        mark.enrolment.learner_id,
                    )
                )
            continue

        def make(
            name: str, m: Attendance = mark, s: Session = session, n: int = this_cycle
        ) -> Event:
            return Event(
                kind="attended",
                **_org_fields(s.organisation),
                actor_name=name,
                target=slot_activity(m.slot, s),
                timestamp=m.recorded_at,
                id_parts=(m.slot_id, m.enrolment_id) if n == 0 else (m.slot_id, m.enrolment_id, n),
                language=m.enrolment.learner.language,
                registration=registration_id(m.enrolment_id),
                parents=(session_activity(s),),
                groupings=(module_activity(s.module),),
            )

        pending.append((make, organisation_id, mark.enrolment.learner_id))
    return _store(pending, configured)


@safely
def record_completions(
    modules: Iterable[tuple[int, int]], pathways: Iterable[tuple[int, int]]
) -> int:
    """``completed``: modules ((learner, module) pairs) and pathways ((learner, pathway))."""
    module_pairs, pathway_pairs = set(modules), set(pathways)
    # Which organisations have an LRS, from the modules' and pathways' ids only: most have
    # none, and then nothing is loaded.
    owners = dict(
        Module.objects.filter(pk__in={m for _l, m in module_pairs}).values_list(
            "pk", "organisation_id"
        )
    )
    path_owners = dict(
        Pathway.objects.filter(pk__in={p for _l, p in pathway_pairs}).values_list(
            "pk", "organisation_id"
        )
    )
    configured = _configured([*owners.values(), *path_owners.values()])
    if not configured:
        return 0
    module_pairs = {(who, m) for who, m in module_pairs if owners.get(m) in configured}
    pathway_pairs = {(who, p) for who, p in pathway_pairs if path_owners.get(p) in configured}
    completions: list[Completion] = []
    if module_pairs:
        # One IN per column, then the exact pairs in Python: an OR of thousands of pairs is
        # refused by SQLite ("Expression tree is too large").
        completions = [
            c
            for c in Completion.objects.filter(
                learner_id__in={who for who, _m in module_pairs},
                module_id__in={m for _l, m in module_pairs},
            ).select_related("learner", "module__organisation")
            if (c.learner_id, c.module_id) in module_pairs
        ]
    learners: dict[int, User] = {}
    paths: dict[int, Pathway] = {}
    if pathway_pairs:
        paths = Pathway.objects.select_related("organisation").in_bulk(
            {p for _l, p in pathway_pairs}
        )
        learners = User.objects.in_bulk({learner for learner, _p in pathway_pairs})
    pending: list[Pending] = []
    for completion in completions:
        module = completion.module

        def make_module(name: str, c: Completion = completion, m: Module = module) -> Event:
            return Event(
                kind="completed-module",
                **_org_fields(m.organisation),
                actor_name=name,
                target=module_activity(m),
                timestamp=c.created_at,
                id_parts=(c.pk,),
                language=c.learner.language,
                result={"completion": True, "duration": f"PT{c.hours.normalize():f}H"},
            )

        pending.append((make_module, module.organisation_id, completion.learner_id))
    now = timezone.now()
    for learner_id, pathway_id in pathway_pairs:
        found_pathway, found_learner = paths.get(pathway_id), learners.get(learner_id)
        if found_pathway is None or found_learner is None:
            continue
        pathway: Pathway = found_pathway
        learner: User = found_learner

        def make_pathway(name: str, p: Pathway = pathway, u: User = learner) -> Event:
            return Event(
                kind="completed-pathway",
                **_org_fields(p.organisation),
                actor_name=name,
                target=pathway_activity(p),
                timestamp=now,
                id_parts=(u.pk, p.pk),
                language=u.language,
                result={"completion": True},
            )

        pending.append((make_pathway, pathway.organisation_id, learner_id))
    return _store(pending, configured)


@safely
def record_credentials(credential_ids: Iterable[int]) -> int:
    """``earned``: badges (and certificates) issued."""
    credentials = list(
        IssuedCredential.objects.filter(pk__in=set(credential_ids)).select_related(
            "organisation", "achievement", "learner"
        )
    )
    configured = _configured(c.organisation_id for c in credentials)
    pending: list[Pending] = []
    for credential in credentials:

        def make(name: str, c: IssuedCredential = credential) -> Event:
            a = c.achievement
            url = absolute_url(reverse("credentials:achievement_json", args=[a.uuid]))
            return Event(
                kind="earned",
                **_org_fields(c.organisation),
                actor_name=name,
                target=Activity(url, "badge", a.name_fr, a.name_en),
                timestamp=c.issued_at,
                id_parts=(c.pk,),
                language=c.learner.language,
            )

        pending.append((make, credential.organisation_id, credential.learner_id))
    return _store(pending, configured)


@safely
def record_mark(attendance_id: int) -> int:
    """One attendance mark (a person marked present by staff): its slot's statement."""
    mark = Attendance.objects.filter(pk=attendance_id).values_list("slot_id", "enrolment_id")
    found = mark.first()
    return record_attendance(found[0], [found[1]]) if found else 0


@safely
def record_revocation(credential_id: int) -> int:
    """``voided``: the ``earned`` statement of a badge now revoked (if one was recorded)."""
    credential = (
        IssuedCredential.objects.select_related("organisation", "learner")
        .filter(pk=credential_id)
        .first()
    )
    if credential is None:
        return 0
    organisation_id = credential.organisation_id
    earned = statement_id(organisation_id, "earned", credential.pk)
    if not XapiStatement.objects.filter(statement_id=earned).exists():
        return 0
    make = _voiding(
        credential.organisation,
        earned,
        credential.learner.language,
        credential.revoked_at or timezone.now(),
    )
    return _store([(make, organisation_id, credential.learner_id)], _configured({organisation_id}))


@safely
def record_launch(
    *,
    organisation: Organisation,
    person: User,
    target_url: str,
    title: str,
    launch_id: str,
    when: dt.datetime | None = None,
    lms: str = "",
) -> int:
    """``launched``: a person opened ``target_url`` (an absolute Parcours URL: a module, a
    pathway, a session list, their badges) from an LMS through LTI. ``launch_id`` identifies
    the launch (the id_token's nonce): the same launch recorded twice is one statement.
    The LTI part calls this (or sends ``lti_launched``, see receivers.py)."""
    moment = when or timezone.now()

    def make(name: str) -> Event:
        return Event(
            kind="launched",
            **_org_fields(organisation),
            actor_name=name,
            target=Activity(target_url, "link", title),
            timestamp=moment,
            id_parts=(launch_id,),
            language=person.language,
            extensions=({f"{site_url()}/xapi/profil/extensions/lms": lms} if lms else {}),
        )

    return _store([(make, organisation.pk, person.pk)], _configured({organisation.pk}))


# --- Catching up ---------------------------------------------------------------------------


def reconcile(since: dt.datetime) -> dict[str, int]:
    """Record again what happened since ``since`` in the organisations with an LRS: the
    statements written after commit (enrolments, attendance, module completions) are lost when
    a process dies between the commit and its callback; recording an event twice stores it
    once (the same id), so this only adds the missing ones (``added``; the other counts are
    the events looked at). Run by the periodic job
    ``integrations.xapi.reconcile`` (``manage.py reconcile_xapi``). Not caught up: waitlisted
    statements and pathway completions (which learner completed which pathway when is not
    kept)."""
    organisations = set(LrsConfig.objects.values_list("organisation_id", flat=True))
    counts = {"registered": 0, "attended": 0, "completed": 0, "added": 0}
    if not organisations:
        return counts
    before = XapiStatement.objects.count()
    enrolments = Enrolment.objects.filter(
        session__organisation_id__in=organisations, confirmed_at__gte=since
    ).values_list("pk", flat=True)
    ids = list(enrolments.order_by("pk"))
    for start in range(0, len(ids), 500):
        counts["registered"] += record_enrolments("registered", ids[start : start + 500])
    slots = (
        Attendance.objects.filter(
            slot__session__organisation_id__in=organisations, recorded_at__gte=since
        )
        .values_list("slot_id", flat=True)
        .distinct()
        .order_by("slot_id")
    )
    for slot_id in slots:
        counts["attended"] += record_attendance(slot_id)
    pairs = list(
        Completion.objects.filter(
            module__organisation_id__in=organisations, created_at__gte=since
        ).values_list("learner_id", "module_id")
    )
    for start in range(0, len(pairs), 500):
        counts["completed"] += record_completions(pairs[start : start + 500], [])
    counts["added"] = XapiStatement.objects.count() - before
    return counts
