"""Signals of the LTI part, for the other parts of the integrations app (xAPI "launched").

``lti_launched`` is sent after commit of every accepted launch, with kwargs ``person`` (User),
``organisation``, ``registration`` (LtiRegistration) and ``target`` (:class:`Target` or None),
and, as plain values for the xAPI part, ``organisation_id``, ``person_id``, ``target_url`` (the
absolute URL opened), ``title``, ``launch_id`` (stable per launch) and ``lms`` (the platform's
name).
"""

from __future__ import annotations

from django.dispatch import Signal

lti_launched = Signal()
