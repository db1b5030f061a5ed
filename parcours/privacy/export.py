""" "My data" (GDPR art. 15 and 20): everything Parcours holds about one person, in one ZIP.

The archive holds ``donnees.json`` (every section below, machine-readable), the person's Open
Badges exactly as issued (``badges/<uuid>.json``, the stored signed text) and their valid
attestations as PDF (``attestations/…``, rendered by the documents app). It is streamed: the
JSON first, then one credential and one PDF at a time, so memory holds one document whatever
the person's history.

Reads only, a bounded number of queries (one per section, plus one per pathway page of
modules); nothing here belongs to another person: every query is filtered by the person.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from parcours.accounts.models import ApiToken, AuditEntry, Invitation, Membership, User
from parcours.assessments import personal_data as assessment_data
from parcours.careers import personal_data as career_data
from parcours.credentials.models import IssuedCredential
from parcours.documents.models import Attestation, CalendarFeed
from parcours.documents.pdf import render_pdf, zip_filenames
from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile
from parcours.events import personal_data as event_data
from parcours.integrations import personal_data as integration_data
from parcours.integrations.lti import personal_data as lti_data
from parcours.integrations.moodle import personal_data as moodle_data
from parcours.lib import personal_data
from parcours.lib.streams import Sink
from parcours.pathways.evaluation import evaluate_for_learner
from parcours.pathways.models import Completion, Pathway, PathwayModule
from parcours.scheduling.models import Booking, Loan
from parcours.webinars import personal_data as webinar_data

FORMAT_VERSION = 1
#: Audit entries about a person's enrolments are looked up in chunks of ids.
_ID_CHUNK = 500


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def profile(person: User) -> dict[str, Any]:
    learner_profile = LearnerProfile.objects.filter(user=person).first()
    return {
        "id": person.pk,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "language": person.language,
        "postcode": person.postcode,
        "date_joined": _when(person.date_joined),
        "last_login": _when(person.last_login),
        "is_active": person.is_active,
        "audience": learner_profile.audience if learner_profile else "",
        # Self-declared for the statistics (blank: not said).
        "gender": learner_profile.gender if learner_profile else "",
        "birth_year": learner_profile.birth_year if learner_profile else None,
        "age_band": learner_profile.age_band if learner_profile else "",
        "school_year": learner_profile.school_year if learner_profile else "",
    }


def memberships(person: User) -> list[dict[str, Any]]:
    rows = Membership.objects.filter(user=person).select_related("organisation")
    return [
        {
            "organisation": m.organisation.name,
            "organisation_slug": m.organisation.slug,
            "role": m.role,
            "since": _when(m.created_at),
        }
        for m in rows.order_by("organisation__name", "role")
    ]


def enrolments(person: User) -> list[dict[str, Any]]:
    rows = Enrolment.objects.filter(learner=person).select_related(
        "session", "session__module", "session__organisation"
    )
    return [
        {
            "id": e.pk,
            "organisation": e.session.organisation.name,
            "session": e.session.code,
            "module_code": e.session.module.code,
            "module_title": e.session.module.title_fr,
            "status": e.status,
            "source": e.source,
            "requested_at": _when(e.queued_at),
            "confirmed_at": _when(e.confirmed_at),
            "cancelled_at": _when(e.cancelled_at),
            "reason": e.reason,
        }
        for e in rows.order_by("queued_at", "id")
    ]


def attendance(person: User) -> list[dict[str, Any]]:
    rows = Attendance.objects.filter(enrolment__learner=person).select_related(
        "slot", "enrolment__session"
    )
    return [
        {
            "session": a.enrolment.session.code,
            "slot_start": _when(a.slot.start),
            "slot_end": _when(a.slot.end),
            "present": a.present,
            "method": a.method,
            "recorded_at": _when(a.recorded_at),
        }
        for a in rows.order_by("slot__start", "id")
    ]


def completions(person: User) -> list[dict[str, Any]]:
    rows = Completion.objects.filter(learner=person).select_related("module")
    return [
        {
            "module_code": c.module.code,
            "module_title": c.module.title_fr,
            "completed_on": _when(c.completed_on),
            "hours": _number(c.hours),
            "source": c.source,
        }
        for c in rows.order_by("completed_on", "id")
    ]


def pathway_progress(person: User) -> list[dict[str, Any]]:
    """Every published pathway that contains a module the person completed, evaluated."""
    completed = dict(Completion.objects.filter(learner=person).values_list("module_id", "hours"))
    if not completed:
        return []
    pathway_ids = (
        PathwayModule.objects.filter(module_id__in=list(completed))
        .values_list("pathway_id", flat=True)
        .distinct()
    )
    pathways = Pathway.objects.filter(
        pk__in=list(pathway_ids), status=Pathway.Status.PUBLISHED
    ).select_related("organisation")
    hours = {module_id: float(value) for module_id, value in completed.items()}
    result = []
    for pathway in pathways.order_by("code"):
        progress = evaluate_for_learner(pathway, person.pk, completed=hours)
        result.append(
            {
                "organisation": pathway.organisation.name,
                "pathway": pathway.code,
                "title": pathway.title_fr,
                "satisfied": progress.satisfied,
                "percent": progress.percent,
                "explanation": progress.explanation,
                "modules_done": [m.module.code for m in progress.modules if m.done],
            }
        )
    return result


def bookings(person: User) -> list[dict[str, Any]]:
    rows = Booking.objects.filter(requester=person).select_related("site", "organisation")
    return [
        {
            "id": b.pk,
            "organisation": b.organisation.name,
            "site": b.site.name,
            "title": b.title,
            "purpose": b.purpose,
            "status": b.status,
            "start": _when(b.start),
            "end": _when(b.end),
            "participants": b.participants,
            "notes": b.notes,
            "cancel_reason": b.cancel_reason,
            "refusal_reason": b.refusal_reason,
            "requested_at": _when(b.created_at),
        }
        for b in rows.order_by("start", "id")
    ]


def loans(person: User) -> list[dict[str, Any]]:
    rows = Loan.objects.filter(borrower=person).select_related("resource", "organisation")
    return [
        {
            "organisation": loan.organisation.name,
            "item": loan.resource.name,
            "start": _when(loan.start),
            "due": _when(loan.due),
            "returned_at": _when(loan.returned_at),
            "condition_out": loan.condition_out,
            "condition_in": loan.condition_in,
        }
        for loan in rows.order_by("start", "id")
    ]


def applications(person: User) -> list[dict[str, Any]]:
    """Calls for applications the person answered (candidates): answers and file names."""
    from parcours.candidates.models import Application

    rows = (
        Application.objects.filter(person=person, purged_at=None)
        .select_related("call__organisation", "stage")
        .prefetch_related("answers__question", "files")
        .order_by("submitted_at", "id")
    )
    return [
        {
            "organisation": a.call.organisation.name,
            "call": a.call.title,
            "submitted_at": _when(a.submitted_at),
            "email": a.email,
            "first_name": a.first_name,
            "last_name": a.last_name,
            "phone": a.phone,
            "stage": a.stage.label,
            "decision": a.decision,
            "consent_at": _when(a.consent_at),
            "answers": {ans.question.label: ans.value for ans in a.answers.all()},
            "files": [f"candidatures/{f.pk}-{f.original_name}" for f in a.files.all()],
        }
        for a in rows
    ]


def application_files(person: User) -> Iterator[tuple[str, bytes]]:
    """The files the person joined to their applications (CV…), from the private storage."""
    from parcours.candidates import uploads
    from parcours.candidates.models import ApplicationFile

    rows = ApplicationFile.objects.filter(
        application__person=person, application__purged_at=None
    ).order_by("pk")
    for item in rows.iterator():
        try:
            with uploads.open_file(item.stored_name) as handle:
                content = handle.read()
        except FileNotFoundError:  # removed from the storage by hand: nothing to give
            continue
        yield f"candidatures/{item.pk}-{item.original_name}", content


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": _when(entry.at),
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object": entry.object_repr,
        "changes": entry.changes,
    }


def audit(person: User) -> dict[str, list[dict[str, Any]]]:
    """Entries the person wrote (as actor) and entries about them or their enrolments."""
    as_actor = AuditEntry.objects.filter(actor=person).order_by("at", "id")
    about = Q(object_type=User._meta.label_lower, object_id=str(person.pk))
    enrolment_ids = [
        str(pk) for pk in Enrolment.objects.filter(learner=person).values_list("pk", flat=True)
    ]
    for start in range(0, len(enrolment_ids), _ID_CHUNK):
        chunk = enrolment_ids[start : start + _ID_CHUNK]
        about |= Q(object_type=Enrolment._meta.label_lower, object_id__in=chunk)
    as_object = AuditEntry.objects.filter(about).exclude(actor=person).order_by("at", "id")
    return {
        "as_actor": [_audit_row(e) for e in as_actor],
        "as_object": [_audit_row(e) for e in as_object],
    }


def credentials(person: User) -> list[IssuedCredential]:
    return list(
        IssuedCredential.objects.filter(learner=person)
        .select_related("achievement", "organisation")
        .order_by("issued_at", "id")
    )


def attestations(person: User) -> Iterator[Attestation]:
    return Attestation.objects.of_learner(person).valid().for_pdf().order_by("issued_at").iterator()


def access(person: User) -> dict[str, list[dict[str, Any]]]:
    """API tokens, calendar subscriptions and invitations (never their secrets)."""
    return {
        "api_tokens": [
            {
                "name": t.name,
                "scope": t.scope,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=person).order_by("created_at")
        ],
        "calendar_feeds": [
            {
                "kind": f.kind,
                "created_at": _when(f.created_at),
                "last_used_at": _when(f.last_used_at),
                "revoked_at": _when(f.revoked_at),
            }
            for f in CalendarFeed.objects.filter(user=person).order_by("created_at")
        ],
        "invitations": [
            {
                "organisation_id": i.organisation_id,
                "role": i.role,
                "created_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
            }
            for i in Invitation.objects.filter(email__iexact=person.email).order_by("created_at")
        ],
    }


def collect(person: User, issued: Iterable[IssuedCredential] = ()) -> dict[str, Any]:
    """The JSON part of the export."""
    return {
        "format": "parcours-personal-data",
        "version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
        "profile": profile(person),
        "memberships": memberships(person),
        "enrolments": enrolments(person),
        "attendance": attendance(person),
        "completions": completions(person),
        "pathways": pathway_progress(person),
        "bookings": bookings(person),
        "loans": loans(person),
        "career_follow_up": career_data.export(person),
        "event_registrations": event_data.export(person),
        "moodle": moodle_data.export(person),
        "lms": lti_data.export(person),
        "webinars": webinar_data.export(person),
        "xapi": integration_data.export(person),
        "projects": assessment_data.export(person),
        **{part.key: part.export(person) for part in personal_data.parts()},
        "applications": applications(person),
        "audit": audit(person),
        "access": access(person),
        "credentials": [
            {
                "uuid": str(c.uuid),
                "achievement": c.achievement.name_fr,
                "organisation": c.organisation.name,
                "issued_at": _when(c.issued_at),
                "status": c.status,
                "revoked_at": _when(c.revoked_at),
                "file": f"badges/{c.uuid}.json",
            }
            for c in issued
        ],
    }


def stream_zip(person: User) -> Iterator[bytes]:
    """The archive, yielded one member at a time."""
    issued = credentials(person)
    data = collect(person, issued)
    sink = Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(data, ensure_ascii=False, indent=2))
        yield sink.drain()
        for credential in issued:
            archive.writestr(f"badges/{credential.uuid}.json", credential.document)
            yield sink.drain()
        for name, attestation in zip_filenames(attestations(person)):
            archive.writestr(f"attestations/{name}", render_pdf(attestation))
            yield sink.drain()
        for path, content in application_files(person):
            archive.writestr(path, content)
            yield sink.drain()
    yield sink.drain()


def filename(person: User) -> str:
    return f"parcours-mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
