"""The integrations' models, one module per part (``lti``, ``moodle``, ``xapi``)."""

from parcours.integrations.models.lti import *  # noqa: F403
