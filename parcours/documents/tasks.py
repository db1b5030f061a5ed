"""Background work (Django tasks): embedded on SQLite, workers on PostgreSQL."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from parcours.documents import actions, mailing


@task()
def issue_attestation(enrolment_id: int) -> int | None:
    """Issue the attestation of a completed enrolment (the platform signs, no actor)."""
    try:
        return actions.issue_attestation(actor=None, enrolment=enrolment_id).pk
    except ValidationError:  # no presence: nothing to attest
        return None


@task()
def send_enrolment_message(kind: str, enrolment_id: int) -> bool:
    return mailing.send_enrolment_message(kind, enrolment_id)


@task()
def announce_session_change(session_id: int, fields: list[str]) -> int:
    return mailing.announce_session_change(session_id, fields)


@task()
def send_reminder(enrolment_id: int) -> bool:
    return mailing.send_reminder(enrolment_id)
