"""Every write of the candidates app. One module per subject, every public action re-exported
here (callers write ``from parcours.candidates import actions`` then ``actions.apply(...)``):

- ``calls``: open a call, edit its stages;
- ``applying``: apply without an account (files checked by content, stored privately), the
  re-application link that pre-fills earlier answers;
- ``selection``: audited reads, board moves, invitations to sessions, test scores, interview
  grids, decisions with their e-mails, referral to the preparatory programme, re-application;
- ``mail``: sending the queued messages;
- ``privacy``: the purge after the retention period, erasure on request;
- ``_base``: roles, limits, refusals, the lock on a call's applications, bulk audit.

Validation errors are ``ValidationError`` with a French message and a ``code`` (``closed``,
``duplicate``, ``invalid``, ``too_large``, ``empty``, ``type``, ``mismatch``, ``state``) that
views and the API turn into a 4xx. Each action writes in one transaction and records its audit
entries; e-mails are queued (``tasks.send_messages``) after commit.
"""

from __future__ import annotations

from parcours.candidates.actions._base import (
    DEFAULT_STAGES,
    MANAGERS,
    MAX_BATCH,
    MAX_TEXT,
    READERS,
    manages,
    permission_denied,
    require_reader,
    staff_calls,
)
from parcours.candidates.actions.applying import (
    ApplicationData,
    application_from_token,
    apply,
    prefill,
    reapply_token,
)
from parcours.candidates.actions.calls import CallData, QuestionData, open_call, set_stages
from parcours.candidates.actions.mail import send_message
from parcours.candidates.actions.privacy import erase_person, purge, purgeable
from parcours.candidates.actions.selection import (
    TEMPLATES,
    decide,
    interview_result,
    invite_to_reapply,
    invite_to_session,
    move,
    record_interview,
    record_read,
    record_score,
    refer,
    template_for,
)

__all__ = [
    "DEFAULT_STAGES",
    "MANAGERS",
    "MAX_BATCH",
    "MAX_TEXT",
    "READERS",
    "TEMPLATES",
    "ApplicationData",
    "CallData",
    "QuestionData",
    "application_from_token",
    "apply",
    "decide",
    "erase_person",
    "interview_result",
    "invite_to_reapply",
    "invite_to_session",
    "manages",
    "move",
    "open_call",
    "permission_denied",
    "prefill",
    "purge",
    "purgeable",
    "reapply_token",
    "record_interview",
    "record_read",
    "record_score",
    "refer",
    "require_reader",
    "send_message",
    "set_stages",
    "staff_calls",
    "template_for",
]
