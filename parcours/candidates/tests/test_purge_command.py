"""``manage.py purge_candidates``: the dry run lists, the real run removes personal data."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions
from parcours.candidates.models import Application, Call

pytestmark = pytest.mark.django_db


def test_dry_run_lists_then_the_purge_keeps_anonymous_rows(
    call: Call, coordinator: User, apply_to: Callable[..., Application]
) -> None:
    selected, refused = apply_to(), apply_to()
    actor = Actor.of(coordinator)
    actions.decide(
        actor=actor,
        call=call,
        application_ids=[selected.pk],
        decision="selected",
        subject="s",
        body="b",
    )
    actions.decide(
        actor=actor,
        call=call,
        application_ids=[refused.pk],
        decision="not_selected",
        subject="s",
        body="b",
    )
    Call.objects.filter(pk=call.pk).update(
        opens_at=call.opens_at - dt.timedelta(days=900),
        closes_at=call.opens_at - dt.timedelta(days=400),
    )
    out = io.StringIO()
    call_command("purge_candidates", "--dry-run", stdout=out)
    assert "1 candidature(s) à effacer" in out.getvalue()
    assert f"candidature {refused.pk} " in out.getvalue()
    assert refused.email not in out.getvalue()
    refused.refresh_from_db()
    assert refused.email  # nothing changed by the dry run
    out = io.StringIO()
    call_command("purge_candidates", stdout=out)
    assert "1 candidature(s) effacée(s)" in out.getvalue()
    refused.refresh_from_db()
    selected.refresh_from_db()
    assert refused.purged_at and not refused.email and refused.decision == "not_selected"
    assert selected.email and not selected.purged_at
    assert Application.objects.filter(call=call).count() == 2
