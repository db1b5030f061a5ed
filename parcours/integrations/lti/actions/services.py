"""The platform's services: NRPS (enrol a course's members) and AGS (line items, scores)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts import audit
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.enrolment.actions import enrol
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.states import ACTIVE, EnrolmentStatus
from parcours.integrations.lti import outbound
from parcours.integrations.lti import roles as role_map
from parcours.integrations.lti.actions._base import (
    AGS_SCOPES,
    HTTP_TIMEOUT,
    MAX_MEMBERS,
    LaunchRefused,
    _refuse,
    _service_failure,
)
from parcours.integrations.lti.actions.launches import match_person
from parcours.integrations.models import (
    LtiContext,
    LtiLineItem,
    LtiPersonLink,
    LtiRegistration,
    LtiScore,
)
from parcours.lib.transactions import write_transaction

# --- Platform services (NRPS, AGS) -------------------------------------------------------------


def _connector(registration: LtiRegistration) -> Any:
    from pylti1p3.service_connector import ServiceConnector

    from parcours.integrations.lti.toolconf import as_pylti

    http = outbound.guarded_session()
    http.request = partial(http.request, timeout=HTTP_TIMEOUT)  # type: ignore[method-assign]
    return ServiceConnector(as_pylti(registration), requests_session=http)


def courses_for_session(session: Session) -> list[LtiContext]:
    """The LMS courses linked to a session (placed it, or its module) with a member list."""
    from django.db.models import Q

    return list(
        LtiContext.objects.filter(
            registration__organisation_id=session.organisation_id,
            registration__is_active=True,
        )
        .exclude(memberships_url="")
        .filter(Q(session=session) | Q(line_items__module_id=session.module_id))
        .select_related("registration")
        .distinct()
        .order_by("title", "pk")[:20]
    )


@dataclass
class NrpsReport:
    enrolled: int = 0
    waitlisted: int = 0
    already: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)


def _is_learner(member: dict[str, Any]) -> bool:
    member_roles = [r for r in member.get("roles", []) if isinstance(r, str)]
    return member_roles == [] or role_map.parcours_roles(
        member_roles, admin_as_coordinator=False
    ) == {role_map.LEARNER}


def enrol_course_members(*, actor: Actor, session: Session, context: LtiContext) -> NrpsReport:
    """Read the course's members (NRPS, every page) and enrol its active learners in the
    session with the enrolment app's rules (capacity, waitlist, overlaps). The session's
    coordinators or one of its trainers (``enrolment`` checks it again for each person)."""
    if not (
        actor.is_platform_admin
        or actor.has_role(session.organisation_id, Role.COORDINATOR)
        or session.trainers.filter(pk=actor.user.pk).exists()
    ):
        raise PermissionDenied(_("Réservé aux coordinateurs et aux formateurs de la session."))
    registration = context.registration
    if registration.organisation_id != session.organisation_id or not context.memberships_url:
        raise PermissionDenied(_("Ce cours n'est pas relié à votre organisation."))
    from pylti1p3.exception import LtiServiceException
    from pylti1p3.names_roles import NamesRolesProvisioningService

    service = NamesRolesProvisioningService(
        _connector(registration), {"context_memberships_url": context.memberships_url}
    )
    members: list[dict[str, Any]] = []
    url: str | None = context.memberships_url
    try:
        while url and len(members) < MAX_MEMBERS:
            page, url = service.get_members_page(url)
            members.extend(dict(m) for m in page if isinstance(m, dict))
    except (LtiServiceException, requests.RequestException, ValueError, KeyError) as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        _service_failure(session.organisation, registration, "nrps", status, str(exc))
        raise _refuse(
            _("La liste des membres du cours n'a pas pu être lue : %(error)s")
            % {"error": str(exc)[:200]},
            "service",
        ) from exc
    report = NrpsReport()
    for member in members:
        if str(member.get("status", "Active")) != "Active" or not _is_learner(member):
            report.skipped += 1
            continue
        claims = {
            "sub": member.get("user_id"),
            "email": member.get("email"),
            "given_name": member.get("given_name"),
            "family_name": member.get("family_name"),
            "name": member.get("name"),
        }
        try:
            with write_transaction():
                learner = match_person(registration, claims)
                account_actions.grant_role(
                    user=learner, organisation=session.organisation, role=Role.LEARNER, actor=None
                )
        except LaunchRefused as refused:
            report.skipped += 1
            report.reasons.append(refused.detail)
            continue
        if Enrolment.objects.filter(session=session, learner=learner, status__in=ACTIVE).exists():
            report.already += 1
            continue
        try:
            enrolment = enrol(
                actor=actor, session=session, learner=learner, source=Enrolment.Source.LMS
            )
        except ValidationError as exc:
            report.skipped += 1
            report.reasons.append("; ".join(exc.messages))
            continue
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            report.waitlisted += 1
        else:
            report.enrolled += 1
    audit.record(
        "lti.nrps.enrol",
        actor=actor.user,
        organisation=session.organisation,
        obj=session,
        changes={
            "context": context.context_id,
            "enrolled": report.enrolled,
            "waitlisted": report.waitlisted,
            "already": report.already,
            "skipped": report.skipped,
        },
    )
    return report


def _ags(registration: LtiRegistration, context: LtiContext) -> Any:
    from pylti1p3.assignments_grades import AssignmentsGradesService

    service_data: Any = {
        "scope": context.ags_scopes or AGS_SCOPES,
        "lineitems": context.lineitems_url,
    }
    return AssignmentsGradesService(_connector(registration), service_data)


def ensure_line_item(line_item_id: int) -> LtiLineItem | None:
    """Create the module's line item on the platform (found by its tag if it exists)."""
    from pylti1p3.lineitem import LineItem

    line_item = (
        LtiLineItem.objects.select_related("context__registration__organisation", "module")
        .filter(pk=line_item_id)
        .first()
    )
    if line_item is None or line_item.url:
        return line_item
    context = line_item.context
    wanted = (
        LineItem()
        .set_tag(f"parcours-module-{line_item.module_id}")
        .set_label(line_item.module.title_fr[:200])
        .set_score_maximum(1)
    )
    found = _ags(context.registration, context).find_or_create_lineitem(wanted)
    url = str(found.get_id() or "")
    if url:
        LtiLineItem.objects.filter(pk=line_item.pk, url="").update(url=url[:500])
        line_item.url = url[:500]
    return line_item


# --- Scores (AGS) ----------------------------------------------------------------------------

MAX_SCORE_ATTEMPTS = 5


def queue_scores_for_completion(*, learner_id: int, module_id: int) -> list[int]:
    """A module was completed: see :func:`queue_scores_for_completions`."""
    return queue_scores_for_completions([(learner_id, module_id)])


def queue_scores_for_completions(pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Modules were completed ((learner, module) pairs, a whole roll call or participant
    report at once): one pending score per linked course where the learner has an LMS
    identity; the task that sends them is enqueued after commit. People without an LMS
    identity (most) cost one query for the whole batch."""
    wanted = set(pairs)
    links: dict[tuple[int, int], str] = {
        (user_id, registration_id): sub
        for user_id, registration_id, sub in LtiPersonLink.objects.filter(
            user_id__in={learner for learner, _m in wanted}, registration__is_active=True
        ).values_list("user_id", "registration_id", "sub")
    }
    if not links:
        return []
    people = {user for user, _r in links}
    linked = {(learner, module) for learner, module in wanted if learner in people}
    registrations = {registration for _u, registration in links}
    items = list(
        LtiLineItem.objects.filter(
            module_id__in={module for _l, module in linked},
            context__registration_id__in=registrations,
        ).select_related("context")
    )
    ids = []
    now = timezone.now()
    for learner_id, module_id in sorted(linked):
        for line_item in items:
            sub = links.get((learner_id, line_item.context.registration_id))
            if line_item.module_id != module_id or sub is None:
                continue
            score, _created = LtiScore.objects.update_or_create(
                line_item=line_item,
                user_id=learner_id,
                defaults={
                    "sub": sub,
                    "score_given": 1,
                    "score_maximum": 1,
                    "activity_progress": "Completed",
                    "grading_progress": "FullyGraded",
                    "timestamp": now,
                    "state": LtiScore.State.PENDING,
                    "attempts": 0,
                    "last_error": "",
                },
            )
            ids.append(score.pk)
    if ids:
        transaction.on_commit(partial(_enqueue_scores, ids))
    return ids


def queue_scores_for_attendance(*, session_id: int, enrolment_ids: list[int]) -> list[int]:
    """Attendance was recorded in a session: for each person marked present who has an LMS
    identity, the share of the session's slots attended goes to the gradebook of every course
    linked to the session's module as work in progress (``InProgress`` / ``Pending``), until
    the completion replaces it with ``Completed`` / ``FullyGraded``. A completed score is never
    lowered. Never raises into the roll call."""
    session = Session.objects.filter(pk=session_id).first()
    if session is None or not enrolment_ids:
        return []
    enrolments = dict(
        Enrolment.objects.filter(pk__in=enrolment_ids, session_id=session_id).values_list(
            "pk", "learner_id"
        )
    )
    learner_ids = set(enrolments.values())
    links: dict[tuple[int, int], str] = {
        (link.user_id, link.registration_id): link.sub
        for link in LtiPersonLink.objects.filter(
            user_id__in=learner_ids, registration__is_active=True
        )
    }
    if not links:
        return []
    line_items = list(
        LtiLineItem.objects.filter(
            module_id=session.module_id,
            context__registration_id__in={registration for _user, registration in links},
        ).select_related("context")
    )
    if not line_items:
        return []
    slots = session.slots.count() or 1
    attended = dict(
        Attendance.objects.filter(enrolment_id__in=list(enrolments), present=True)
        .values("enrolment_id")
        .annotate(n=Count("slot_id", distinct=True))
        .values_list("enrolment_id", "n")
    )
    done = set(
        LtiScore.objects.filter(
            line_item__in=line_items, user_id__in=learner_ids, activity_progress="Completed"
        ).values_list("line_item_id", "user_id")
    )
    ids = []
    now = timezone.now()
    for enrolment_id, learner_id in enrolments.items():
        share = Decimal(min(attended.get(enrolment_id, 0), slots)) / Decimal(slots)
        for line_item in line_items:
            sub = links.get((learner_id, line_item.context.registration_id))
            if sub is None or (line_item.pk, learner_id) in done:
                continue
            score, _created = LtiScore.objects.update_or_create(
                line_item=line_item,
                user_id=learner_id,
                defaults={
                    "sub": sub,
                    "score_given": share.quantize(Decimal("0.01")),
                    "score_maximum": 1,
                    "activity_progress": "InProgress",
                    "grading_progress": "Pending",
                    "timestamp": now,
                    "state": LtiScore.State.PENDING,
                    "attempts": 0,
                    "last_error": "",
                },
            )
            ids.append(score.pk)
    if ids:
        transaction.on_commit(partial(_enqueue_scores, ids))
    return ids


def _enqueue_scores(ids: list[int]) -> None:
    from parcours.integrations.lti.tasks import send_score

    for score_id in ids:
        send_score.enqueue(score_id)


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off between attempts: 1, 2, 4, 8 minutes…"""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


def send_score(score_id: int) -> str:
    """Post one score (idempotent: a score already sent is not sent again). A 4xx answer is a
    refusal, recorded and shown, not retried; a 5xx or a network error is retried later with
    back-off, up to :data:`MAX_SCORE_ATTEMPTS`. Returns the new state."""
    from pylti1p3.exception import LtiException, LtiServiceException
    from pylti1p3.grade import Grade

    score = (
        LtiScore.objects.select_related("line_item__context__registration__organisation")
        .filter(pk=score_id)
        .first()
    )
    if score is None or score.state in (LtiScore.State.SENT, LtiScore.State.REFUSED):
        return score.state if score else "missing"
    context = score.line_item.context
    registration = context.registration
    status: int | None = None
    try:
        line_item = ensure_line_item(score.line_item_id)
        if line_item is None or not line_item.url:
            raise LtiException("no line item URL")
        from pylti1p3.lineitem import LineItem

        grade = (
            Grade()
            .set_score_given(float(score.score_given))
            .set_score_maximum(float(score.score_maximum))
            .set_activity_progress(score.activity_progress)
            .set_grading_progress(score.grading_progress)
            .set_timestamp(score.timestamp.isoformat())
            .set_user_id(score.sub)
        )
        _ags(registration, context).put_grade(grade, LineItem({"id": line_item.url}))
    except (LtiServiceException, LtiException, requests.RequestException, ValueError) as exc:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        score.attempts += 1
        score.last_error = str(exc)[:2000]
        refused = status is not None and 400 <= status < 500 and status not in (408, 429)
        if refused or score.attempts >= MAX_SCORE_ATTEMPTS:
            score.state = LtiScore.State.REFUSED if refused else LtiScore.State.FAILED
            _service_failure(registration.organisation, registration, "ags", status, str(exc))
        score.save(update_fields=["attempts", "last_error", "state", "updated_at"])
        return score.state
    score.state = LtiScore.State.SENT
    score.attempts += 1
    score.last_error = ""
    score.save(update_fields=["attempts", "last_error", "state", "updated_at"])
    return score.state
