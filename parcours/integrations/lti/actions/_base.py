"""Shared pieces of the LTI actions: constants, refusals, URL checks, failure log."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Role
from parcours.integrations.lti import roles as role_map
from parcours.integrations.models import (
    LtiRegistration,
    LtiServiceFailure,
)

logger = logging.getLogger("parcours.integrations.lti")

TOKEN_LIFETIME = dt.timedelta(hours=24)
HTTP_TIMEOUT = 10  # seconds, every call to a platform
MAX_MEMBERS = 5000  # NRPS: members read at most in one action
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
_ROLE_OF = {
    role_map.TRAINER: Role.TRAINER,
    role_map.COORDINATOR: Role.COORDINATOR,
    role_map.LEARNER: Role.LEARNER,
}


class LaunchRefused(Exception):
    """A launch that cannot go on; ``cause`` is one of :data:`CAUSES`."""

    def __init__(self, cause: str, detail: str = "") -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause
        self.detail = detail


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _check_url(value: str, label: str) -> str:
    value = (value or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise _refuse(_("%(label)s : adresse web invalide.") % {"label": label}) from exc
    if len(value) > 500:
        raise _refuse(_("%(label)s : adresse trop longue.") % {"label": label})
    return value


def _service_failure(
    organisation: Organisation,
    registration: LtiRegistration | None,
    kind: str,
    status: int | None,
    detail: str,
) -> LtiServiceFailure:
    logger.warning("LTI %s call failed (%s): %s", kind, status, detail[:500])
    return LtiServiceFailure.objects.create(
        organisation=organisation,
        registration=registration,
        kind=kind,
        status_code=status if status and 0 < status < 1000 else None,
        detail=detail[:2000],
    )
