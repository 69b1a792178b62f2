"""The machine a benchmark ran on, in one line, so figures from different boxes can be compared: cores, load,
Python, and a CPU reference (the same pure-Python loop on every box: a box where it takes twice as long gives
about half the events per second)."""

from __future__ import annotations

import os
import platform
import timeit


def describe() -> str:
    reference = min(timeit.repeat("sum(range(1_000_000))", number=1, repeat=20)) * 1000
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, load {load}, Python {platform.python_version()}; "
        f"CPU reference sum(range(1_000_000)) {reference:.1f} ms"
    )


def as_a_user_runs_it() -> None:
    """Child processes from here on load bytecode as an installed waybill does: some sandboxes set
    PYTHONDONTWRITEBYTECODE, under which every process compiles this project's modules again (a third of a
    render's start-up), while a pip install writes the bytecode once."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
