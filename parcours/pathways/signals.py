"""Domain events raised by pathways. Later apps (credentials) connect receivers."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per (learner, pathway) when a new completion makes the pathway's rule satisfied.
# kwargs: learner_id: int, pathway_id: int, completion_id: int
pathway_completed = Signal()

# Sent once per new Completion, after commit. kwargs: learner_id, module_id, completion_id
module_completed = Signal()

# Sent once per batch of new completions (after the per-event signals above, after commit), for
# receivers that look something up per module or pathway: one lookup for the whole batch.
# kwargs: modules: list[(learner_id, module_id)], pathways: list[(learner_id, pathway_id)]
completions_recorded = Signal()
