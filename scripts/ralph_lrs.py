#!/usr/bin/env python3
"""A throwaway Ralph learning record store (xAPI), started like ``with_postgres.py`` starts
PostgreSQL: for the xAPI tests and the benchmark.

    scripts/ralph_lrs.py [--require] -- pytest -q parcours/integrations

runs the command with ``RALPH_LRS_ENDPOINT`` (``http://127.0.0.1:PORT/xAPI/``),
``RALPH_LRS_USERNAME`` and ``RALPH_LRS_PASSWORD`` set; the tests also start one themselves
(``parcours/integrations/xapi/tests/conftest.py``) when those are not set. In Python::

    with RalphServer.temporary() as lrs:
        lrs.endpoint, lrs.username, lrs.password

How: ``ralph auth --write-to-disk`` (``RALPH_AUTH_FILE`` in a temporary directory) creates the
basic-auth credentials, then Ralph's API (``ralph.api:app``, what ``ralph runserver -b fs``
serves) runs under uvicorn on a free 127.0.0.1 port with the file-system backend
(``RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH`` = the data directory), and we wait for
``/__heartbeat__``. The server is stopped and the directory deleted at the end.

Two fixes to Ralph 5.1's file-system LRS backend, made in the server process only (``serve``);
everything else (validation, authentication, duplicate ids, queries) is Ralph's own code:

* it writes each POST with the data backend's default operation, *create*, which refuses to
  write to an existing file, so a second POST answers 500 ("fs_lrs.jsonl already exists and
  overwrite is not allowed"): the server here makes it *append* (an operation the fs data
  backend supports);
* its ``?verb=`` and ``?activity=`` filters compare the stored strings with pydantic IRI
  objects and never match: the server passes them as strings.

Without Ralph installed (``ralph-malph[lrs,cli]``), the script says why and exits 0 (nothing
run), or 1 with ``--require``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

USERNAME = "parcours"
HOMEPAGE = "http://parcours.test"
SCOPES = ("statements/write", "statements/read")


class RalphUnavailable(Exception):
    """Ralph is not installed, or does not start."""


def log(message: str) -> None:
    print(f"[ralph_lrs] {message}", file=sys.stderr, flush=True)


def ralph_binary() -> str:
    candidate = Path(sys.executable).with_name("ralph")
    found = str(candidate) if candidate.exists() else shutil.which("ralph")
    if not found:
        raise RalphUnavailable("the `ralph` command is not installed (pip: ralph-malph[lrs,cli])")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RalphServer:
    directory: Path
    port: int = 0
    username: str = USERNAME
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    max_hits: int = 1000  # the largest ?limit= the LRS honours
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/xAPI/"

    @property
    def data_directory(self) -> Path:
        return self.directory / "data"

    @property
    def auth_file(self) -> Path:
        return self.directory / "auth.json"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "RALPH_APP_DIR": str(self.directory / "app"),
                "RALPH_AUTH_FILE": str(self.auth_file),
                "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data_directory),
                "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.data_directory),
                "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(self.max_hits),
            }
        )
        return env

    def create_credentials(self) -> None:
        command = [ralph_binary(), "auth", "-u", self.username, "-p", self.password, "-w"]
        for scope in SCOPES:
            command += ["-s", scope]
        command += ["-A", self.username, HOMEPAGE]
        done = subprocess.run(command, env=self.env(), capture_output=True, check=False)  # noqa: S603
        if done.returncode != 0 or not self.auth_file.exists():
            raise RalphUnavailable(
                "`ralph auth` failed: " + done.stderr.decode(errors="replace")[-500:]
            )

    def start(self, timeout: float = 60.0) -> None:
        """Start the server (again, on the same port and data, after ``kill``)."""
        self.data_directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "app").mkdir(exist_ok=True)
        if not self.auth_file.exists():
            self.create_credentials()
        self.port = self.port or free_port()
        command = [sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(self.port)]
        log_file = (self.directory / "server.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            command, env=self.env(), stdout=log_file, stderr=subprocess.STDOUT
        )
        log_file.close()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RalphUnavailable(f"Ralph exited at start: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/__heartbeat__", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RalphUnavailable(f"Ralph did not answer within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace")[-800:] if path.exists() else ""

    def kill(self) -> None:
        """A crash: SIGKILL, no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    @classmethod
    @contextlib.contextmanager
    def temporary(cls, timeout: float = 60.0, max_hits: int = 1000) -> Iterator[RalphServer]:
        directory = Path(tempfile.mkdtemp(prefix="parcours-ralph-"))
        server = cls(directory, max_hits=max_hits)
        try:
            server.start(timeout)
            yield server
        finally:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)


def serve(port: int) -> None:
    """The server process: Ralph's API with the appending fs backend (see the docstring)."""
    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    query_statements = FSLRSBackend.query_statements

    def query_with_plain_iris(self: Any, params: Any, target: str | None = None) -> Any:
        # ?verb= and ?activity= arrive as IRI objects, which never equal the stored strings.
        changes = {
            name: str(getattr(params, name).root)
            for name in ("verb", "activity")
            if getattr(params, name, None) is not None and hasattr(getattr(params, name), "root")
        }
        if changes:
            params = params.model_copy(update=changes)
        return query_statements(self, params, target)

    FSLRSBackend.query_statements = query_with_plain_iris
    from ralph.api import app

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        parser = argparse.ArgumentParser(prog="ralph_lrs.py serve")
        parser.add_argument("serve")
        parser.add_argument("--port", type=int, required=True)
        serve(parser.parse_args(argv).port)
        return 0
    command: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--require", action="store_true", help="fail if Ralph cannot start")
    options = parser.parse_args(argv)
    if not command:
        parser.error("give the command to run after --")
    try:
        with RalphServer.temporary() as lrs:
            log(f"Ralph LRS on {lrs.endpoint}")
            env = dict(
                os.environ,
                RALPH_LRS_ENDPOINT=lrs.endpoint,
                RALPH_LRS_USERNAME=lrs.username,
                RALPH_LRS_PASSWORD=lrs.password,
            )
            return subprocess.call(command, env=env)  # noqa: S603
    except RalphUnavailable as exc:
        log(f"no Ralph LRS: {exc}")
        return 1 if options.require else 0


if __name__ == "__main__":
    sys.exit(main())
