"""Signals of the LTI part, for the other parts of the integrations app (xAPI "launched").

``lti_launched`` is sent after commit of every accepted launch, with kwargs ``person`` (User),
``organisation``, ``registration`` (LtiRegistration) and ``target`` (:class:`Target` or None).
"""

from __future__ import annotations

from django.dispatch import Signal

lti_launched = Signal()
