#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server.

    scripts/with_postgres.py [--require] [--keep] -- pytest -q

Finds ``initdb``/``pg_ctl``/``postgres`` (on PATH, else the highest version under
/usr/lib/postgresql/*/bin), initialises a cluster in a temporary directory (superuser
``postgres``, trust authentication, durability switched off because the data is thrown
away), starts it on a free port on 127.0.0.1, creates the database ``parcours`` and runs
the command with ``DATABASE_URL=postgres://postgres@127.0.0.1:PORT/parcours``.
The server is stopped and the directory deleted afterwards, also on Ctrl-C.

PostgreSQL refuses to run as root: when started as root, the server runs as the ``postgres``
system user if it exists, else as a ``parcours-pg`` system user created on the fly (or
``nobody`` if that fails).

Exit code: the command's. Without PostgreSQL binaries, the script prints why and exits 0
(nothing run), or 1 with ``--require`` (what CI uses). Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
DEBIAN_GLOB_ROOT = Path("/usr/lib/postgresql")
DATABASE = "parcours"
SUPERUSER = "postgres"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "log_min_messages": "warning",
    "log_min_duration_statement": "-1",
}
FALLBACK_USER = "parcours-pg"


class PostgresUnavailable(Exception):
    """PostgreSQL is not installed (or not usable) on this machine."""


class PostgresFailed(Exception):
    """PostgreSQL is installed but the throwaway server could not be set up."""


def log(message: str) -> None:
    print(f"[with_postgres] {message}", file=sys.stderr, flush=True)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/16/bin -> (16,); /usr/lib/postgresql/9.6/bin -> (9, 6)
    numbers = re.findall(r"\d+", path.parent.name)
    return tuple(int(n) for n in numbers) if numbers else (-1,)


def candidate_bindirs(debian_root: Path | None = None) -> list[Path]:
    """Directories that may hold the server binaries, best first."""
    debian_root = debian_root or DEBIAN_GLOB_ROOT
    found: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(os.path.realpath(initdb)).parent)
    versioned = sorted(
        (p for p in debian_root.glob("*/bin") if p.is_dir()), key=_version_key, reverse=True
    )
    found.extend(versioned)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def find_bindir(debian_root: Path | None = None) -> Path:
    debian_root = debian_root or DEBIAN_GLOB_ROOT
    for bindir in candidate_bindirs(debian_root):
        if all(os.access(bindir / name, os.X_OK) for name in SERVER_BINARIES):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH nor under "
        f"{debian_root}/*/bin (Debian: apt-get install postgresql postgresql-contrib)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunAs:
    """Who runs the server processes: ourselves, or an unprivileged user when we are root."""

    uid: int | None = None
    gid: int | None = None
    name: str = ""

    @property
    def switching(self) -> bool:
        return self.uid is not None


def _ensure_system_user() -> pwd.struct_passwd:
    for name in ("postgres", FALLBACK_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    if os.access(useradd, os.X_OK):
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                useradd,
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                FALLBACK_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return pwd.getpwnam(FALLBACK_USER)
        log(f"useradd {FALLBACK_USER} failed ({result.stderr.strip()}); using nobody")
    try:
        return pwd.getpwnam("nobody")
    except KeyError as exc:
        raise PostgresFailed("running as root and no unprivileged user is available") from exc


def choose_run_as() -> RunAs:
    if os.geteuid() != 0:
        return RunAs()
    user = _ensure_system_user()
    return RunAs(uid=user.pw_uid, gid=user.pw_gid, name=user.pw_name)


class Cluster:
    def __init__(self, bindir: Path, run_as: RunAs, keep: bool = False) -> None:
        self.bindir = bindir
        self.run_as = run_as
        self.keep = keep
        # When we are root the directory must be reachable by the server's user: use /tmp
        # (world-traversable) rather than a TMPDIR that may live under /root.
        base = "/tmp" if run_as.switching else None  # noqa: S108
        self.root = Path(tempfile.mkdtemp(prefix="parcours-pg-", dir=base))
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.logfile = self.root / "server.log"
        self.port = 0
        self.started = False

    # -- helpers -------------------------------------------------------------------------

    def _server_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["HOME"] = str(self.root)
        env.setdefault("LANG", "C.UTF-8")
        return env

    def _run(self, args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - arguments are built here, not from input
            list(args),
            cwd=self.root,
            env=self._server_env(),
            capture_output=True,
            text=True,
            check=False,
            start_new_session=True,  # keep the server out of the terminal's Ctrl-C
            user=self.run_as.uid,
            group=self.run_as.gid,
            extra_groups=[] if self.run_as.switching else None,
        )
        if check and result.returncode != 0:
            raise PostgresFailed(
                f"{' '.join(args)} exited with {result.returncode}:\n"
                f"{result.stdout}{result.stderr}{self._log_tail()}"
            )
        return result

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return ""
        return "\n--- server log ---\n" + "\n".join(text.splitlines()[-lines:])

    # -- lifecycle -----------------------------------------------------------------------

    def init(self) -> None:
        self.socket_dir.mkdir()
        if self.run_as.switching:
            for path in (self.root, self.socket_dir):
                os.chown(path, self.run_as.uid or 0, self.run_as.gid or 0)
        base = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER]
        base += ["-A", "trust", "-E", "UTF8", "--no-sync"]
        result = self._run([*base, "--locale=C.UTF-8"], check=False)
        if result.returncode != 0:
            log("initdb with --locale=C.UTF-8 failed; retrying with --locale=C")
            shutil.rmtree(self.data, ignore_errors=True)
            self._run([*base, "--locale=C"])

    def start(self, attempts: int = 3) -> None:
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            settings = {
                **SERVER_SETTINGS,
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
            }
            conf = self.data / "postgresql.auto.conf"
            lines = [f"{key} = {value}" for key, value in settings.items()]
            conf.write_text("\n".join(lines) + "\n")
            if self.run_as.switching:
                os.chown(conf, self.run_as.uid or 0, self.run_as.gid or 0)
            result = self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                check=False,
            )
            if result.returncode == 0:
                self.started = True
                self._wait_ready()
                return
            log(f"server did not start on port {self.port} (attempt {attempt}/{attempts})")
            if attempt == attempts:
                raise PostgresFailed(
                    f"pg_ctl start failed:\n{result.stdout}{result.stderr}{self._log_tail()}"
                )

    def _wait_ready(self, timeout: float = 30.0) -> None:
        pg_isready = self.bindir / "pg_isready"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.access(pg_isready, os.X_OK):
                probe = subprocess.run(  # noqa: S603
                    [str(pg_isready), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                    capture_output=True,
                    check=False,
                )
                if probe.returncode == 0:
                    return
            else:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
            time.sleep(0.2)
        raise PostgresFailed(f"server not ready after {timeout:.0f}s{self._log_tail()}")

    def create_database(self, name: str = DATABASE) -> None:
        createdb = self.bindir / "createdb"
        psql = self.bindir / "psql"
        conn = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]
        if os.access(createdb, os.X_OK):
            self._run([str(createdb), *conn, name])
        elif os.access(psql, os.X_OK):
            self._run([str(psql), *conn, "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'])
        else:
            raise PostgresFailed(
                f"cannot create the database: no createdb nor psql in {self.bindir}"
            )

    def url(self, name: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.started:
            result = self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                check=False,
            )
            if result.returncode != 0:
                log(f"pg_ctl stop failed: {result.stderr.strip()}")
            self.started = False
        if self.keep:
            log(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(keep: bool = False) -> Iterator[Cluster]:
    bindir = find_bindir()
    run_as = choose_run_as()
    cluster = Cluster(bindir, run_as, keep=keep)
    try:
        who = f" as {run_as.name}" if run_as.switching else ""
        started_at = time.monotonic()
        cluster.init()
        cluster.start()
        cluster.create_database()
        log(
            f"PostgreSQL from {bindir}{who} ready on 127.0.0.1:{cluster.port} "
            f"in {time.monotonic() - started_at:.1f}s"
        )
        yield cluster
    finally:
        cluster.stop()


class _Terminated(Exception):
    pass


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signum)


def run_command(command: Sequence[str], env: dict[str, str]) -> int:
    proc = subprocess.Popen(list(command), env=env)  # noqa: S603 - the user's own command
    try:
        return proc.wait()
    except (KeyboardInterrupt, _Terminated):
        # The command got the same Ctrl-C from the terminal; give it time to clean up
        # (pytest drops its test databases) before the server goes away.
        if isinstance(sys.exc_info()[1], _Terminated):
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command against a throwaway PostgreSQL server.",
        usage="%(prog)s [--require] [--keep] -- command [args...]",
    )
    parser.add_argument(
        "--require",
        action="store_true",
        help="fail (exit 1) when PostgreSQL is not installed instead of skipping",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the data directory (for debugging)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        parser.error("no command given (put it after --)")

    previous_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with throwaway_cluster(keep=args.keep) as cluster:
            env = dict(os.environ)
            for key in [k for k in env if k.startswith("PG")]:
                del env[key]
            env["DATABASE_URL"] = cluster.url()
            log(f"DATABASE_URL={env['DATABASE_URL']} {' '.join(command)}")
            return run_command(command, env)
    except PostgresUnavailable as exc:
        if args.require:
            log(f"ERROR: {exc}")
            log("PostgreSQL is required here (--require, set when CI=true).")
            return 1
        log(f"{exc}")
        log("PostgreSQL not found: skipping the PostgreSQL run")
        return 0
    except PostgresFailed as exc:
        log(f"ERROR: could not set up the throwaway PostgreSQL server: {exc}")
        return 1
    except (KeyboardInterrupt, _Terminated):
        log("interrupted")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)


if __name__ == "__main__":
    sys.exit(main())
