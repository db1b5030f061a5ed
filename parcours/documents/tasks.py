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
def issue_attestations(enrolment_ids: list[int]) -> list[int]:
    """The attestations of a roll call's completed enrolments, each in its own transaction.

    Every enrolment is tried even if one fails; the first unexpected error is raised at the
    end (the task fails and may be retried: issuing is idempotent).
    """
    issued: list[int] = []
    failure: Exception | None = None
    for enrolment_id in enrolment_ids:
        try:
            pk = issue_attestation.call(enrolment_id)
        except Exception as exc:  # the others are still issued; re-raised below
            failure = failure or exc
            continue
        if pk is not None:
            issued.append(pk)
    if failure is not None:
        raise failure
    return issued


@task()
def send_enrolment_message(kind: str, enrolment_id: int) -> bool:
    return mailing.send_enrolment_message(kind, enrolment_id)


@task()
def announce_session_change(session_id: int, fields: list[str]) -> int:
    return mailing.announce_session_change(session_id, fields)


@task()
def send_reminder(enrolment_id: int) -> bool:
    return mailing.send_reminder(enrolment_id)
