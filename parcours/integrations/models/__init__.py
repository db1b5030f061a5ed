"""The integrations' models, one module per part (``lti``, ``moodle``, ``xapi``)."""

from parcours.integrations.models.lti import *  # noqa: F403
from parcours.integrations.models.moodle import *  # noqa: F403
from parcours.integrations.models.xapi import *  # noqa: F403
