"""The line a packer watches during a batch: done/total, labels per hour, time left; then a summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = [
    "Progress",
    "duration",
]


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.live = self.stream.isatty()
        self._shown = False

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    @property
    def per_hour(self) -> float:
        return self.done / self.elapsed * 3600 if self.done and self.elapsed > 0 else 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.live:
            self._draw()

    def _draw(self) -> None:
        rate = self.per_hour
        left = (self.total - self.done) / rate * 3600 if rate else 0.0
        width = 24
        filled = width * self.done // max(1, self.total)
        bar = "█" * filled + "·" * (width - filled)
        self.stream.write(f"\r{bar} {self.done}/{self.total} labels · {rate:,.0f}/h · {duration(left)} left ")
        self.stream.flush()
        self._shown = True

    def say(self, text: str) -> None:
        """A message on its own line, without breaking the live bar."""
        if self._shown:
            self.stream.write("\n")
            self._shown = False
        self.stream.write(text + "\n")
        self.stream.flush()
        if self.live:
            self._draw()

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"
