"""The integrations' models, one module per part (``lti``, ``moodle``, ``xapi``)."""

from .xapi import *  # noqa: F403
