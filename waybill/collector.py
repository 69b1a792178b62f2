"""Pausing Python's cycle collector while a large, acyclic result is built.

Tens of thousands of rows, tuples and dataclasses allocated in a row set off collection after collection, and
each pass of the oldest generation walks every object alive (SQLAlchemy's alone are ~90,000). What is built
here holds no cycles, so nothing is left for the collector to find.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["no_cycle_collection"]


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The collector paused for the block (or, as ``@no_cycle_collection()``, the function), then restored as
    it was, so pauses nest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
