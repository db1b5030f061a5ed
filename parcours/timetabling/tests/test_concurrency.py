"""Commit against a booking made at the same moment, by real concurrent writers: the plan's
sessions are all created and the booking refused, or the booking holds and nothing of the
plan is written."""

from __future__ import annotations

import itertools
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from conftest import ConcurrentRunner
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Session
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import Reservation
from parcours.timetabling import actions, adapter
from parcours.timetabling.models import Campaign, CampaignStatus


@pytest.mark.django_db(transaction=True)
def test_commit_and_a_concurrent_booking_never_both_win(
    campaign: Campaign, coordinator: User, logistics: User, run_concurrently: ConcurrentRunner
) -> None:
    actions.start_solving(actor=Actor.of(coordinator), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PLANNED
    target = adapter.plan_of(campaign)[-1]
    start, end = adapter.half_day_times(target.starts[-1])
    run = run_concurrently.each(
        [
            partial(actions.commit_plan, actor=Actor.of(coordinator), campaign=campaign),
            partial(
                scheduling_actions.book,
                actor=Actor.of(logistics),
                resources=[int(target.room)],
                start=start,
                end=end,
                title="Réunion imprévue",
            ),
        ]
    )
    commit_error, booking_error = run.exceptions
    sessions = Session.objects.filter(organisation=campaign.organisation).count()
    if commit_error is None:
        assert isinstance(booking_error, BookingConflict)
        assert sessions == 4
    else:
        assert isinstance(commit_error, ValidationError), commit_error
        assert booking_error is None
        assert sessions == 0
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.PLANNED
    # Never two active holds of one room at one time.
    active = Reservation.objects.active().filter(resource_id=int(target.room))
    spans = sorted((r.blocked_start, r.blocked_end) for r in active)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.django_db(transaction=True)
def test_a_change_and_a_concurrent_commit_never_both_win(
    campaign: Campaign, coordinator: User, run_concurrently: ConcurrentRunner
) -> None:
    actions.start_solving(actor=Actor.of(coordinator), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PLANNED
    data = actions.data_of(campaign)
    data.group_size = 8
    run = run_concurrently.each(
        [
            partial(actions.commit_plan, actor=Actor.of(coordinator), campaign=campaign),
            partial(
                actions.update_campaign, actor=Actor.of(coordinator), campaign=campaign, data=data
            ),
        ]
    )
    commit_error, change_error = run.exceptions
    campaign.refresh_from_db()
    sessions = Session.objects.filter(organisation=campaign.organisation).count()
    if commit_error is None:
        # The sessions were created from the plan: the change came too late.
        assert isinstance(change_error, ValidationError), change_error
        assert (campaign.status, campaign.group_size, sessions) == (CampaignStatus.COMMITTED, 12, 4)
    else:
        # The change dropped the plan first: nothing to commit, nothing created.
        assert isinstance(commit_error, ValidationError), commit_error
        assert change_error is None
        assert (campaign.status, campaign.group_size, sessions) == (CampaignStatus.DRAFT, 8, 0)
        assert campaign.plan == []
