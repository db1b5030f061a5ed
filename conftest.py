"""Shared pytest fixtures: the cast of personas every test uses, built with the real actions.

- ``org`` (Technofutur TIC) with ``coordinator`` (Alice), ``trainer`` (Bruno), ``logistics``
  (Léa), ``school_contact`` (Sam) and ``learner`` (Chloé).
- ``other_org`` (Province) with ``outsider`` (Oscar), a coordinator there.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PARCOURS_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

import pytest
from django.test import Client

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User

PASSWORD = "correct-horse-battery-staple"


def make_person(
    org: Organisation, role: str, email: str, first: str, last: str, *, language: str = "fr"
) -> User:
    user = account_actions.create_user(
        email=email, password=PASSWORD, first_name=first, last_name=last, language=language
    )
    account_actions.grant_role(user=user, organisation=org, role=role, actor=None)
    return user


@pytest.fixture
def org(db: None) -> Organisation:
    return account_actions.create_organisation(
        name="Technofutur TIC", slug="technofutur-tic", kind="competence_centre", actor=None
    )


@pytest.fixture
def other_org(db: None) -> Organisation:
    return account_actions.create_organisation(
        name="Province de Hainaut", slug="province-hainaut", kind="public_body", actor=None
    )


@pytest.fixture
def coordinator(org: Organisation) -> User:
    return make_person(org, Role.COORDINATOR, "alice@technofutur.test", "Alice", "Dumont")


@pytest.fixture
def trainer(org: Organisation) -> User:
    return make_person(org, Role.TRAINER, "bruno@technofutur.test", "Bruno", "Lambert")


@pytest.fixture
def logistics(org: Organisation) -> User:
    return make_person(org, Role.LOGISTICS, "lea@technofutur.test", "Léa", "Martin")


@pytest.fixture
def school_contact(org: Organisation) -> User:
    return make_person(org, Role.SCHOOL_CONTACT, "sam@ecole.test", "Sam", "Lejeune")


@pytest.fixture
def learner(org: Organisation) -> User:
    return make_person(org, Role.LEARNER, "chloe@exemple.test", "Chloé", "Renard")


@pytest.fixture
def outsider(other_org: Organisation) -> User:
    return make_person(other_org, Role.COORDINATOR, "oscar@province.test", "Oscar", "Piron")


@pytest.fixture
def as_user(client: Client):
    """``as_user(user)`` logs the test client in as that person and returns the client."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


# --- Tooling: concurrency helper and the ``postgres`` marker ---------------------------------

import threading  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from django.db import connections  # noqa: E402


@dataclass
class ConcurrentRun:
    """What each thread of ``run_concurrently`` returned or raised, in thread order."""

    results: list[Any] = field(default_factory=list)
    exceptions: list[BaseException | None] = field(default_factory=list)

    @property
    def errors(self) -> list[BaseException]:
        return [exc for exc in self.exceptions if exc is not None]

    @property
    def successes(self) -> list[Any]:
        return [res for res, exc in zip(self.results, self.exceptions, strict=True) if exc is None]

    def raise_first(self) -> None:
        """Re-raise the first exception, if any (for tests where every call must succeed)."""
        if self.errors:
            raise self.errors[0]


class ConcurrentRunner:
    """Run callables in threads released together by a barrier.

    - ``run_concurrently(fn, n, *args, **kwargs)``: ``fn(*args, **kwargs)`` in ``n`` threads.
    - ``run_concurrently.each([call1, call2, ...])``: one thread per zero-argument callable,
      e.g. ``[partial(book, learner=l) for l in learners]``.

    Each thread uses (and closes, at the end) its own database connection, so the test must
    commit its data for the threads to see it: use ``@pytest.mark.django_db(transaction=True)``
    (or ``transactional_db``). With the default ``db`` fixture the test's open transaction would
    hide its rows from the threads and, on SQLite, hold the write lock they wait for.
    Returns a ``ConcurrentRun``; exceptions are collected, not raised.
    """

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout

    def __call__(self, fn: Callable[..., Any], n: int, *args: Any, **kwargs: Any) -> ConcurrentRun:
        return self.each([partial(fn, *args, **kwargs) for _ in range(n)])

    def each(self, calls: Sequence[Callable[[], Any]]) -> ConcurrentRun:
        n = len(calls)
        run = ConcurrentRun(results=[None] * n, exceptions=[None] * n)
        barrier = threading.Barrier(n)

        def worker(index: int) -> None:
            try:
                barrier.wait(self.timeout)
                run.results[index] = calls[index]()
            except BaseException as exc:  # collected for the test to inspect
                run.exceptions[index] = exc
            finally:
                connections.close_all()  # this thread's connections, ``connection`` included

        threads = [
            threading.Thread(target=worker, args=(i,), name=f"concurrent-{i}") for i in range(n)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.timeout * 2)
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            raise TimeoutError(f"threads still running after {self.timeout * 2:.0f}s: {stuck}")
        return run


@pytest.fixture
def run_concurrently(request: pytest.FixtureRequest) -> ConcurrentRunner:
    """See ``ConcurrentRunner``. Needs ``@pytest.mark.django_db(transaction=True)``."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in (
        request.fixturenames
    )
    if marker is not None:
        transactional = transactional or bool(
            marker.kwargs.get("transaction") or (marker.args and marker.args[0])
        )
    if not transactional:
        pytest.fail(
            "run_concurrently needs committed data: mark the test "
            "@pytest.mark.django_db(transaction=True)",
            pytrace=False,
        )
    return ConcurrentRunner()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``postgres`` unless the database is PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run: make test, or scripts/with_postgres.py)")
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)


# Hypothesis: no per-example deadline (the machine is shared and timing is not what we test).
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("parcours", deadline=None)
hypothesis_settings.load_profile("parcours")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the booking writers' lock file beside this process's SQLite test database
    (``parcours.scheduling.actions``); Django removes the database file itself."""
    from django.conf import settings

    database: dict[str, Any] = settings.DATABASES["default"]
    name = str((database.get("TEST") or {}).get("NAME") or "")
    if name and str(database["ENGINE"]).endswith("sqlite3"):
        Path(f"{name}-writers").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _french_by_default() -> Iterator[None]:
    """Every test starts in French, the site's language: a request served in English by the
    test client leaves English active in this thread (the language middleware activates the
    person's language for the request and, like Django's, leaves it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
