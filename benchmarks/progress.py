"""A dependency-free progress indicator: a bar on a terminal, percentage lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``Progress("Rows", 1_000_000)``, then ``update(done)`` or ``advance(n)``, ``finish()``."""

    WIDTH = 30

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(int(total), 1)
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1
        self._last_draw = 0.0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int) -> None:
        self.done = min(done, self.total)
        self._draw()

    def finish(self) -> float:
        self.done = self.total
        self._draw(force=True)
        elapsed = time.perf_counter() - self.started
        if self.is_tty:
            self.stream.write("\n")
        self.stream.flush()
        return elapsed

    def _draw(self, force: bool = False) -> None:
        fraction = self.done / self.total
        elapsed = time.perf_counter() - self.started
        if self.is_tty:
            now = time.perf_counter()
            if not force and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(
                f"\r  {self.label:<28} [{bar}] {fraction:6.1%} "
                f"{self.done:>11,}/{self.total:,} {elapsed:6.1f}s"
            )
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self._last_decile or (force and fraction >= 1.0 and decile != 10):
            self._last_decile = decile
            self.stream.write(
                f"  {self.label}: {fraction:4.0%} ({self.done:,}/{self.total:,}) {elapsed:.1f}s\n"
            )
            self.stream.flush()


def step(message: str) -> None:
    """A one-line announcement of a step (stderr, so stdout keeps only the results)."""
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()
