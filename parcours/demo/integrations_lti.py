"""The demo's LTI platform: the Province de Liège's Moodle-Technosphère (the courses that
prepare and follow up the Technosphère's visits, seeds 000 and 004) registered as an LTI 1.3
platform of the province, with the tool's key pair and a few launches in the log.

No outgoing call: the registration is entered as an administrator would enter it by hand (the
Moodle addresses are fictitious, ``.demo``); the launches are log entries, not real launches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Membership, Role, User
from parcours.accounts.permissions import Actor
from parcours.integrations.lti import actions, keys
from parcours.integrations.models import LtiContext, LtiLaunchLog, LtiPersonLink

ORG = "province-de-liege"
MOODLE = "https://moodle-technosphere.provincedeliege.demo"


def load(loader: Any) -> list[str]:
    organisation = loader.orgs[ORG]
    admin = (
        User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.ADMINISTRATOR
        )
        .order_by("pk")
        .first()
    )
    if admin is None:
        return []
    keys.tool_key(organisation)
    registration = actions.register_manually(
        actor=Actor.of(admin),
        organisation=organisation,
        data=actions.RegistrationData(
            name="Moodle-Technosphère",
            issuer=MOODLE,
            client_id="pQ7rTz2Lk9",
            auth_login_url=f"{MOODLE}/mod/lti/auth.php",
            auth_token_url=f"{MOODLE}/mod/lti/token.php",
            key_set_url=f"{MOODLE}/mod/lti/certs.php",
            deployment_ids=["3"],
        ),
    )
    context = LtiContext.objects.create(
        registration=registration,
        context_id="214",
        title="Technosphère — préparer la visite (enseignants)",
        memberships_url=f"{MOODLE}/mod/lti/services.php/CourseSection/214/bindings/3/memberships",
        lineitems_url=f"{MOODLE}/mod/lti/services.php/214/lineitems?type_id=3",
    )
    trainer = (
        Membership.objects.filter(organisation=organisation, role=Role.TRAINER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    if trainer is not None:
        LtiPersonLink.objects.create(registration=registration, sub="1187", user=trainer.user)
        for days in (12, 5, 1):
            LtiLaunchLog.objects.create(
                organisation=organisation,
                registration=registration,
                user=trainer.user,
                outcome=LtiLaunchLog.Outcome.ACCEPTED,
                issuer=MOODLE,
                message_type="LtiResourceLinkRequest",
                target="badges",
                created_at=now - dt.timedelta(days=days),
            )
    LtiLaunchLog.objects.create(
        organisation=organisation,
        registration=registration,
        outcome=LtiLaunchLog.Outcome.REFUSED,
        cause="expired",
        detail="Can't decode id_token: Signature has expired",
        issuer=MOODLE,
        created_at=now - dt.timedelta(days=2),
    )
    return [
        _("Plateforme LTI « %(name)s » enregistrée pour %(org)s (cours « %(course)s »).")
        % {"name": registration.name, "org": organisation.name, "course": context.title}
    ]
