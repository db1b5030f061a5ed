"""Every write of the LTI part: registrations, launches, deep links, NRPS enrolment, AGS scores.

Views and tasks call these functions only. Outgoing HTTP calls (the platform's OpenID
configuration, its registration endpoint, NRPS and AGS) never run inside a database
transaction.
"""

from __future__ import annotations

from parcours.integrations.lti.actions._base import *  # noqa: F403
from parcours.integrations.lti.actions._base import _service_failure as _service_failure
from parcours.integrations.lti.actions.launches import *  # noqa: F403
from parcours.integrations.lti.actions.registrations import *  # noqa: F403
from parcours.integrations.lti.actions.services import *  # noqa: F403
