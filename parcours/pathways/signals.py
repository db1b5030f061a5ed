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

# Sent after commit when a coordinator withdraws a completion (``withdraw_completion``).
# kwargs: learner_id: int, module_id: int, pathway_ids: list[int] (published pathways the
# learner no longer completes), revoke_credentials: bool (the coordinator's choice: revoke
# the badges this completion earned), reason: str, actor: accounts.permissions.Actor
completion_withdrawn = Signal()
