"""Statements for Parcours' domain events (connected in ``IntegrationsConfig.ready``).

Every signal here is sent after the business write committed; the receivers write the outbox
(``outbox.record_*``: a query to see whether the organisation has an LRS, then one insert) and
never raise (a failure is logged; the enrolment or the roll call has already succeeded).

LTI launches: the LTI part calls ``outbox.record_launch(...)`` directly, or sends
``parcours.integrations.lti.signals.lti_launched`` with kwargs ``organisation_id``,
``person_id``, ``target_url``, ``title``, ``launch_id`` (and optional ``lms``), which
:func:`connect_lti` connects when that module exists.
"""

from __future__ import annotations

import importlib
from typing import Any

from parcours.accounts.models import Organisation, User
from parcours.credentials.signals import credentials_issued
from parcours.enrolment import signals as enrolment
from parcours.integrations.xapi import outbox
from parcours.pathways.signals import completions_recorded


def on_registered(sender: Any, *, enrolment_id: int, **kwargs: Any) -> None:
    outbox.record_enrolments("registered", [enrolment_id])


def on_waitlisted(sender: Any, *, enrolment_id: int, **kwargs: Any) -> None:
    outbox.record_enrolments("waitlisted", [enrolment_id])


def on_attendance(sender: Any, *, slot_id: int, present: list[int], **kwargs: Any) -> None:
    outbox.record_attendance(slot_id, present)


def on_completions(
    sender: Any, *, modules: list[tuple[int, int]], pathways: list[tuple[int, int]], **kwargs: Any
) -> None:
    outbox.record_completions(modules, pathways)


def on_credentials(sender: Any, *, credential_ids: list[int], **kwargs: Any) -> None:
    outbox.record_credentials(credential_ids)


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
    completions_recorded.connect(on_completions, dispatch_uid="xapi.completed")
    credentials_issued.connect(on_credentials, dispatch_uid="xapi.earned")
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
