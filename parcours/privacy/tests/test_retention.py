"""Retention: learners inactive beyond every one of their organisations' periods are
pseudonymised; a dry run lists ids and counts only."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.enrolment.models import Attendance, Enrolment
from parcours.privacy import retention
from parcours.privacy.tests.conftest import lend
from parcours.scheduling.models import Loan

pytestmark = pytest.mark.django_db


def _age(user: User, days: int) -> None:
    """The person joined and last signed in ``days`` ago."""
    then = timezone.now() - dt.timedelta(days=days)
    User.objects.filter(pk=user.pk).update(date_joined=then, last_login=then)


def _keep(org: Organisation, days: int | None) -> None:
    Organisation.objects.filter(pk=org.pk).update(learner_retention_days=days)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_ids_and_changes_nothing(org, learner, other_learner) -> None:
    _keep(org, 365)
    _age(learner, 400)
    _age(other_learner, 100)
    output = _run("--dry-run")
    assert f"ids : {learner.pk}" in output and "1 apprenant" in output
    assert "chloe" not in output.lower() and "Renard" not in output
    assert User.objects.get(pk=learner.pk).erased_at is None


def test_the_real_run_erases_the_inactive_only(org, learner, other_learner, coordinator) -> None:
    _keep(org, 365)
    _age(learner, 400)
    _age(other_learner, 100)
    _age(coordinator, 1000)  # staff are never erased by retention
    output = _run()
    assert f"ids : {learner.pk}" in output
    assert User.objects.get(pk=learner.pk).erased_at is not None
    assert User.objects.get(pk=other_learner.pk).erased_at is None
    assert User.objects.get(pk=coordinator.pk).erased_at is None
    assert retention.plan().due == []  # done once


def test_no_rule_means_keep(org, learner) -> None:
    _age(learner, 4000)
    assert retention.plan().due == []


def test_recent_activity_keeps_a_learner(org, learner, attend) -> None:
    _keep(org, 15)
    attend(learner)  # a session 20 days ago; enrolled and marked present just now
    _age(learner, 400)
    assert retention.plan().due == []
    long_ago = timezone.now() - dt.timedelta(days=30)
    Enrolment.objects.filter(learner=learner).update(updated_at=long_ago)
    Attendance.objects.filter(enrolment__learner=learner).update(recorded_at=long_ago)
    assert retention.plan().due == [learner.pk], "the session ended 20 days ago: > 15"
    _keep(org, 25)
    assert retention.plan().due == [], "the session ended 20 days ago: < 25"


def test_every_organisation_must_agree(org, other_org, learner) -> None:
    account_actions.grant_role(user=learner, organisation=other_org, role=Role.LEARNER, actor=None)
    _age(learner, 400)
    _keep(org, 365)
    assert retention.plan().due == [], "the other organisation keeps its learners"
    _keep(other_org, 500)
    assert retention.plan().due == [], "inactive 400 days, the other keeps them 500"
    _keep(other_org, 300)
    assert retention.plan().due == [learner.pk]


def test_an_open_loan_holds_the_learner(org, learner, world, logistics) -> None:
    _keep(org, 30)
    lend(world, logistics, learner, returned=False)
    Loan.objects.filter(borrower=learner).update(start=timezone.now() - dt.timedelta(days=90))
    _age(learner, 400)
    planned = retention.plan()
    assert planned.due == [] and planned.held_by_open_loan == [learner.pk]
    assert f"ids : {learner.pk}" in _run()
    assert User.objects.get(pk=learner.pk).erased_at is None


def test_isolation_between_organisations(org, other_org) -> None:
    mine = make_person(org, Role.LEARNER, "a@exemple.test", "A", "A")
    theirs = make_person(other_org, Role.LEARNER, "b@exemple.test", "B", "B")
    _age(mine, 400)
    _age(theirs, 400)
    _keep(org, 365)
    assert retention.plan().due == [mine.pk]
