"""Attendance and completions go back to the LMS gradebooks (AGS): one pending score per linked
course."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from parcours.integrations.lti import actions

logger = logging.getLogger("parcours.integrations.lti")


def on_completions_recorded(sender: Any, *, modules: list[tuple[int, int]], **kwargs: Any) -> None:
    # Attendance marks complete modules (enrolment → pathways.record_completions): this runs
    # after their commit, once per batch, and a failure here must never undo or block them.
    if not modules:
        return
    try:
        with transaction.atomic():
            actions.queue_scores_for_completions(modules)
    except Exception:
        logger.exception("queueing LTI scores failed (%s completions)", len(modules))


def on_attendance_recorded(
    sender: Any, *, session_id: int, present: list[int], **kwargs: Any
) -> None:
    # After the roll call's commit: the share of slots attended, as work in progress.
    try:
        with transaction.atomic():
            actions.queue_scores_for_attendance(session_id=session_id, enrolment_ids=present)
    except Exception:
        logger.exception("queueing LTI attendance scores failed (session %s)", session_id)
