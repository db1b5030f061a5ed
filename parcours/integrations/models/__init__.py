"""The integrations' models, one module per part (``lti``, ``moodle``, ``xapi``)."""

from .moodle import *  # noqa: F403
