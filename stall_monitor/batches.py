"""What every ingest does with a stream of records and problems: valid records in batches, each problem
counted and handed to the caller (one copy for events, work orders and invoice requests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from waybill.errors import Problem

__all__ = ["Rejected", "valid_batches"]

T = TypeVar("T")


@dataclass
class Rejected:
    """The lines left out of an ingest run: how many, and whom to tell about each."""

    on_problem: Callable[[Problem], None] | None = None
    count: int = 0

    def __call__(self, problem: Problem) -> None:
        self.count += 1
        if self.on_problem is not None:
            self.on_problem(problem)


def valid_batches(items: Iterable[T | Problem], size: int, rejected: Rejected) -> Iterator[list[T]]:
    """Lists of at most ``size`` valid items, in order; each ``Problem`` goes to ``rejected`` as it comes."""
    batch: list[T] = []
    for item in items:
        if isinstance(item, Problem):
            rejected(item)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
