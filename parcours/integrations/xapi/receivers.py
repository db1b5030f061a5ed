"""Statements for Parcours' domain events (connected in ``IntegrationsConfig.ready``).

The receivers write the outbox (``outbox.record_*``: a query to see whether the organisation
has an LRS, then one insert) and never raise (each runs in a savepoint; a failure is logged).

- Badges issued and revoked: ``credentials.signals.credentials_written`` /
  ``credential_revoked`` are sent **inside** the issuing / revoking transaction, so the
  ``earned`` / ``voided`` statement is committed with the badge, or not at all.
- Enrolments (``enrolment_confirmed`` / ``_promoted`` / ``_waitlisted``), attendance
  (``attendance_recorded``) and completions (``completions_recorded``) are sent only **after
  commit**: their statements are written in that after-commit callback, as soon as the signal
  is sent (a process dying between the commit and the callback loses them). Writing them
  inside would need an in-transaction event from the enrolment app (not this part's to
  change), and it costs 3 to 4 queries inside every roll call and completion, also for
  organisations without an LRS: measured, a completing roll call went from 13 to 17 queries,
  over the budget the enrolment app pins (``COMPLETING_ROLL_CALL_MAX``).
- ``attendance_recorded`` names only the people present: a roll call corrected to "all
  absent", or a person marked present by staff (``record_presence``), sends nothing. The audit
  entry those actions write in their transaction (``post_save`` of ``AuditEntry``) registers
  the same after-commit work for them — no query inside the transaction.
"""

from __future__ import annotations

import importlib
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from parcours.accounts.models import AuditEntry, Organisation, User
from parcours.credentials.signals import credential_revoked, credentials_written
from parcours.enrolment import signals as enrolment
from parcours.integrations.xapi import outbox
from parcours.pathways.signals import completions_recorded


def on_registered(sender: Any, *, enrolment_id: int, **kwargs: Any) -> None:
    outbox.record_enrolments("registered", [enrolment_id])


def on_waitlisted(sender: Any, *, enrolment_id: int, **kwargs: Any) -> None:
    outbox.record_enrolments("waitlisted", [enrolment_id])


def on_attendance(sender: Any, *, slot_id: int, present: list[int], **kwargs: Any) -> None:
    outbox.record_attendance(slot_id)  # the slot's marks: attended, and voided if now absent


def on_audit_entry(sender: Any, *, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    """The attendance changes ``attendance_recorded`` does not announce (see above): after
    commit, without a query now."""
    if not created or not instance.object_id.isdigit():
        return
    if instance.action == "attendance.roll_call" and not instance.changes.get("present"):
        transaction.on_commit(partial(outbox.record_attendance, int(instance.object_id)))
    elif instance.action == "attendance.presence":
        transaction.on_commit(partial(outbox.record_mark, int(instance.object_id)))


def on_completions(
    sender: Any, *, modules: list[tuple[int, int]], pathways: list[tuple[int, int]], **kwargs: Any
) -> None:
    outbox.record_completions(modules, pathways)


def on_credentials(sender: Any, *, credential_ids: list[int], **kwargs: Any) -> None:
    outbox.record_credentials(credential_ids)


def on_revoked(sender: Any, *, credential_id: int, **kwargs: Any) -> None:
    outbox.record_revocation(credential_id)


def on_lti_launch(
    sender: Any,
    *,
    organisation_id: int,
    person_id: int,
    target_url: str,
    title: str = "",
    launch_id: str,
    lms: str = "",
    **kwargs: Any,
) -> None:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    person = User.objects.filter(pk=person_id).first()
    if organisation is None or person is None:
        return
    outbox.record_launch(
        organisation=organisation,
        person=person,
        target_url=target_url,
        title=title or target_url,
        launch_id=launch_id,
        lms=lms,
    )


def connect() -> None:
    enrolment.enrolment_confirmed.connect(on_registered, dispatch_uid="xapi.registered")
    enrolment.enrolment_promoted.connect(on_registered, dispatch_uid="xapi.promoted")
    enrolment.enrolment_waitlisted.connect(on_waitlisted, dispatch_uid="xapi.waitlisted")
    enrolment.attendance_recorded.connect(on_attendance, dispatch_uid="xapi.attended")
    post_save.connect(on_audit_entry, sender=AuditEntry, dispatch_uid="xapi.attendance")
    completions_recorded.connect(on_completions, dispatch_uid="xapi.completed")
    credentials_written.connect(on_credentials, dispatch_uid="xapi.earned")
    credential_revoked.connect(on_revoked, dispatch_uid="xapi.revoked")
    connect_lti()


def connect_lti() -> None:
    """Listen to the LTI part's launch signal, if that part is installed."""
    try:
        lti = importlib.import_module("parcours.integrations.lti.signals")
    except ImportError:
        return
    signal = getattr(lti, "lti_launched", None)
    if signal is not None:
        signal.connect(on_lti_launch, dispatch_uid="xapi.launched")
