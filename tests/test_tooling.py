"""Self-tests of the test tooling: concurrency helper, throwaway PostgreSQL, Makefile."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection

from conftest import ConcurrentRunner
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation

ROOT = Path(__file__).resolve().parent.parent


def load_with_postgres() -> ModuleType:
    """scripts/with_postgres.py is a script, not a package module: load it by path."""
    if "with_postgres" in sys.modules:
        return sys.modules["with_postgres"]
    spec = importlib.util.spec_from_file_location(
        "with_postgres", ROOT / "scripts" / "with_postgres.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["with_postgres"] = module  # dataclasses look their module up while loading
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_threads_create_organisations_concurrently(run_concurrently: ConcurrentRunner) -> None:
    def create() -> Organisation:
        name = f"Org {uuid.uuid4().hex[:8]}"
        return account_actions.create_organisation(name=name, actor=None)

    run = run_concurrently(create, 8)

    run.raise_first()
    assert len({org.pk for org in run.successes}) == 8
    assert Organisation.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_run_concurrently_collects_results_and_exceptions(
    run_concurrently: ConcurrentRunner,
) -> None:
    started = threading.Event()

    def ok() -> str:
        started.set()
        return threading.current_thread().name

    def boom() -> None:
        raise ValueError("boom")

    run = run_concurrently.each([ok, boom, ok])

    assert started.is_set()
    assert run.results[0] == "concurrent-0"
    assert run.results[1] is None
    assert isinstance(run.exceptions[1], ValueError)
    assert [type(exc) for exc in run.errors] == [ValueError]
    assert run.successes == ["concurrent-0", "concurrent-2"]
    with pytest.raises(ValueError, match="boom"):
        run.raise_first()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_marker_runs_only_on_postgresql() -> None:
    assert connection.vendor == "postgresql"


def test_find_bindir_prefers_highest_debian_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_postgres = load_with_postgres()
    for version in ("9.6", "13", "16"):
        bindir = tmp_path / version / "bin"
        bindir.mkdir(parents=True)
        for name in with_postgres.SERVER_BINARIES:
            binary = bindir / name
            binary.write_text("#!/bin/sh\n")
            binary.chmod(0o755)
    (tmp_path / "16" / "bin" / "postgres").unlink()  # incomplete install: skipped
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    assert with_postgres.find_bindir(tmp_path) == tmp_path / "13" / "bin"
    assert with_postgres.candidate_bindirs(tmp_path)[0] == tmp_path / "16" / "bin"


def test_with_postgres_skips_or_requires_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_postgres = load_with_postgres()
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(with_postgres, "DEBIAN_GLOB_ROOT", tmp_path)

    assert with_postgres.main(["--", "false"]) == 0
    assert "PostgreSQL not found: skipping" in capsys.readouterr().err
    assert with_postgres.main(["--require", "--", "true"]) == 1
    assert "required" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")
def test_makefile_targets_parse() -> None:
    targets = ["install", "demo", "check", "test", "bench", "format", "messages"]
    # Not the settings of a `make test` we may be running under (jobserver, variables).
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(  # noqa: S603
        ["make", "-n", "--no-print-directory", *targets],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
