"""Set-up shared by the enrolment and documents benchmarks (``bench_enrolment``,
``bench_documents``): bulk learners, an organisation with its staff, site and modules, and the
``--db sqlite|postgres|both`` command line that runs a benchmark on a fresh database.

Everything here is benchmark set-up (bulk inserts, not what is measured).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from benchmarks.progress import Progress
from benchmarks.runner import run_cli as run_cli  # re-exported: older benches import it here


def bulk_learners(
    org: Any, prefix: str, n: int, *, postcode: str = "", batch: int = 5_000
) -> list[Any]:
    """``n`` learners ``<prefix><i>@bench.test`` (last name ``prefix``) with their learner
    membership of ``org``, in bulk (unusable passwords: no hashing), ordered by id."""
    from django.contrib.auth.hashers import make_password

    from parcours.accounts.models import Membership, Role, User

    unusable = make_password(None)
    progress = Progress(f"learners {prefix}", n)
    for start in range(0, n, batch):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{prefix}{i}@bench.test",
                    first_name=f"P{i}",
                    last_name=prefix,
                    password=unusable,
                    postcode=postcode,
                )
                for i in range(start, min(n, start + batch))
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, role=Role.LEARNER) for u in users]
        )
        progress.update(start + len(users))
    progress.finish()
    return list(User.objects.filter(email__endswith="@bench.test", last_name=prefix).order_by("pk"))


@dataclass
class Organisation:
    """An organisation with a coordinator, a trainer, a site and published modules."""

    org: Any
    coordinator: Any
    trainer: Any
    site: Any
    modules: dict[str, Any] = field(default_factory=dict)


def make_organisation(
    *,
    name: str,
    slug: str,
    coordinator_email: str,
    trainer_email: str,
    modules: Iterable[tuple[str, str, str]],
    site_name: str = "Gosselies",
    coordinator_name: tuple[str, str] = ("", ""),
) -> Organisation:
    """``modules``: (code, French title, English title), 13 hours each, published."""
    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.catalogue.models import Module

    org = account_actions.create_organisation(name=name, slug=slug, actor=None)
    coordinator = account_actions.create_user(
        email=coordinator_email,
        password=None,
        first_name=coordinator_name[0],
        last_name=coordinator_name[1],
    )
    account_actions.grant_role(
        user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None
    )
    trainer = account_actions.create_user(email=trainer_email, password=None)
    account_actions.grant_role(user=trainer, organisation=org, role=Role.TRAINER, actor=None)
    site = account_actions.create_site(
        organisation=org, name=site_name, city="Gosselies", postcode="6041", actor=None
    )
    made = {
        code: Module.objects.create(
            organisation=org,
            code=code,
            title_fr=title_fr,
            title_en=title_en,
            duration_hours=Decimal("13"),
            status=Module.Status.PUBLISHED,
        )
        for code, title_fr, title_en in modules
    }
    return Organisation(org=org, coordinator=coordinator, trainer=trainer, site=site, modules=made)
