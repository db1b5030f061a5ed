"""The demo's xAPI part: the Province's learning record store (the one its Moodle-Technosphère
reports would read) is configured but switched off, and a few statements about the Province's
learners wait in the outbox, shown as pending on the administrators' page
(/integrations/xapi/). Nothing is sent while the demo loads: sending is off.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from parcours.accounts.permissions import Actor
from parcours.demo import data
from parcours.enrolment.models import Enrolment
from parcours.enrolment.states import EnrolmentStatus
from parcours.integrations.models import XapiStatement
from parcours.integrations.xapi import actions, outbox
from parcours.pathways.models import Completion

ENDPOINT = "https://lrs.provincedeliege.demo/xAPI/"


def load(loader: Any) -> list[str]:
    organisation = loader.orgs[data.PROVINCE]
    admin = Actor.of(loader.users[data.ADMIN_EMAIL])
    actions.save_config(
        actor=admin,
        organisation=organisation,
        data=actions.LrsData(
            endpoint=ENDPOINT,
            key="parcours-province",
            secret="demo-secret-non-utilise",  # a demo value, never used
            enabled=False,
        ),
    )
    enrolments = list(
        Enrolment.objects.filter(
            session__organisation=organisation, status=EnrolmentStatus.CONFIRMED
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:4]
    )
    outbox.record_enrolments("registered", enrolments)
    completions = list(
        Completion.objects.filter(module__organisation=organisation)
        .order_by("pk")
        .values_list("learner_id", "module_id")[:3]
    )
    outbox.record_completions(completions, [])
    pending = XapiStatement.objects.filter(
        organisation=organisation, status=XapiStatement.Status.PENDING
    ).count()
    return [
        _("xAPI : LRS de la Province configuré (envoi désactivé), %(n)d traces en attente.")
        % {"n": pending}
    ]
