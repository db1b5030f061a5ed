"""Background work: e-mails are sent by a task (embedded on SQLite, workers on PostgreSQL)."""

from __future__ import annotations

from django_tasks import task

from parcours.enrolment import emails
from parcours.enrolment.models import Enrolment


@task()
def send_enrolment_email(enrolment_id: int, kind: str, position: int | None = None) -> bool:
    enrolment = (
        Enrolment.objects.select_related("learner", "session__module", "session__site")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not enrolment.learner.email:
        return False
    message = emails.build(kind, enrolment, position=position)
    message.send()
    return True


@task()
def complete_session_attendance(session_id: int) -> list[int]:
    """Scheduled at the end of a slot whose roll call was taken while it ran."""
    from parcours.enrolment import actions

    return [e.pk for e in actions.complete_due(session_id=session_id)]


@task()
def send_domain_events(payload: dict) -> None:
    """The domain events of a batch (``actions.batched_events(background=True)``): their
    receivers queue the e-mails, calendar invitations and xAPI statements."""
    from parcours.enrolment.actions import dispatch

    dispatch.send(payload)


@task()
def send_attendance_recorded(session_id: int, slot_id: int, present: list[int]) -> int:
    """``attendance_recorded`` for a large roll call (queued by ``record_roll_call`` in its
    transaction): the receivers' work (LMS scores, xAPI statements) runs in a worker, not in
    the request. Returns the number of people marked present."""
    from parcours.enrolment import signals
    from parcours.enrolment.models import Attendance

    signals.attendance_recorded.send(
        sender=Attendance, session_id=session_id, slot_id=slot_id, present=present
    )
    return len(present)
