"""Background work of class mode (Django tasks): the follow-up kit, the 30-day deletion."""

from __future__ import annotations

from django_tasks import task

from parcours.orientation import class_actions, kit


@task()
def send_class_kit(visit_id: int) -> bool:
    """E-mail the follow-up kit to the teacher (idempotent enough: a resend is one more mail)."""
    return kit.send_kit(visit_id)


@task()
def purge_class_data() -> int:
    """Delete the pupils' data of the visits older than 30 days (see the command)."""
    return class_actions.purge_class_data()
