"""The integrations' models, one module per part (``lti``, ``moodle``, ``xapi``)."""
