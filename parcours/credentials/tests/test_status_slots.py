"""Status-list slots (issue #9): drawn at random, so the published list tells nothing of the
order of issue, and never twice, whatever issues concurrently."""

from __future__ import annotations

import itertools
from functools import partial

import pytest
from django.db import IntegrityError, transaction

from parcours.credentials import actions
from parcours.credentials.models import IssuedCredential, StatusList, StatusSlot
from parcours.credentials.tests.conftest import EARNING, complete


def _issued_in_order() -> list[int]:
    return list(
        IssuedCredential.objects.order_by("issued_at", "pk").values_list("status_index", flat=True)
    )


def test_slots_of_consecutive_credentials_are_not_a_constant_step_apart(
    learner, ai_badge, ai_modules, make_learners
):
    learners = make_learners(30)
    for person in learners:
        complete(person, ai_modules, *EARNING)
        actions.issue_credential(achievement=ai_badge, learner=person)  # one at a time, in order
    indexes = _issued_in_order()
    size = StatusList.objects.get().size
    steps = [(b - a) % size for a, b in itertools.pairwise(indexes)]
    # The affine scrambling gave one step (its multiplier) for every pair; random draws give
    # as many steps as pairs (a repeat has odds of about 1 in 300 here).
    assert len(set(steps)) >= len(steps) - 2
    assert indexes != sorted(indexes) and indexes != sorted(indexes, reverse=True)
    assert max(indexes) - min(indexes) > size // 4  # spread over the list, not a cluster


def test_a_bulk_issuance_gets_scattered_slots(coordinator, ai_badge, ai_modules, make_learners):
    for person in make_learners(40):
        complete(person, ai_modules, *EARNING)
    actions.issue_to_all_eligible(ai_badge, chunk_size=7)
    indexes = _issued_in_order()
    assert len(indexes) == 40 == len(set(indexes))
    by_learner = list(
        IssuedCredential.objects.order_by("learner_id").values_list("status_index", flat=True)
    )
    assert by_learner != sorted(by_learner)  # learners' order is not the slots' order
    assert StatusSlot.objects.count() == 40


def test_a_taken_index_is_drawn_again(monkeypatch, learner, ai_badge, ai_modules, make_learners):
    first, second = make_learners(2)
    for person in (first, second):
        complete(person, ai_modules, *EARNING)
    taken = actions.issue_credential(achievement=ai_badge, learner=first).credential.status_index
    draws = iter([taken, taken, 4242])
    monkeypatch.setattr(actions.secrets, "randbelow", lambda _n: next(draws))
    again = actions.issue_credential(achievement=ai_badge, learner=second).credential
    assert again.status_index == 4242


def test_the_database_refuses_a_slot_twice(learner, ai_badge, ai_modules):
    complete(learner, ai_modules, *EARNING)
    credential = actions.issue_credential(achievement=ai_badge, learner=learner).credential
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSlot.objects.create(
            status_list=credential.status_list, index=credential.status_index, reservation="x"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_share_a_slot(
    ai_badge, ai_modules, make_learners, run_concurrently
):
    learners = make_learners(12)
    for person in learners:
        complete(person, ai_modules, *EARNING)
    IssuedCredential.objects.all().delete()  # completions issued on commit: start from none
    StatusSlot.objects.all().delete()
    run = run_concurrently.each(
        [partial(actions.issue_for, ai_badge.pk, person.pk) for person in learners]
        + [partial(actions.issue_to_all_eligible, ai_badge, chunk_size=3)]
    )
    run.raise_first()
    slots = list(IssuedCredential.objects.values_list("status_list_id", "status_index"))
    assert len(slots) == len(learners)
    assert len(set(slots)) == len(slots)
    reserved = list(StatusSlot.objects.values_list("status_list_id", "index"))
    assert len(set(reserved)) == len(reserved) and set(slots) <= set(reserved)
