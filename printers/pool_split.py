"""How a pool shares labels among its printers, as plain arithmetic (no I/O).

Labels go in contiguous runs of whole orders (an order's labels stay together, each printer's pile comes out
in order). A new job is shared by the printers' speeds; labels moved off a faulted printer are shared so that
the printers taking them finish together, counting what each already has queued.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

__all__ = ["fill_levels", "split_runs"]


def split_runs(sizes: Sequence[int], weights: Sequence[float]) -> list[range]:
    """Cut groups (an order's label count each) into one contiguous run per weight, run ``i`` holding about
    ``weights[i] / sum(weights)`` of the labels; a run may be empty."""
    if not weights or sum(weights) <= 0:
        raise ValueError("at least one printer must take labels")
    total = sum(sizes)
    ends = list(accumulate(sizes))  # labels up to and including group g
    targets = [total * part / sum(weights) for part in accumulate(weights)]
    runs: list[range] = []
    start = 0
    for i, target in enumerate(targets):
        stop = start
        if i == len(targets) - 1:
            stop = len(sizes)
        else:
            # the group boundary nearest the target, never before the run's start
            while stop < len(sizes) and abs(ends[stop] - target) < abs((ends[stop - 1] if stop else 0) - target):
                stop += 1
        runs.append(range(start, stop))
        start = stop
    return runs


def fill_levels(moved: int, loads: Sequence[int], speeds: Sequence[float]) -> list[float]:
    """How many of ``moved`` labels each printer takes so that all finish together: printer ``i`` has
    ``loads[i]`` labels queued and prints at ``speeds[i]`` (any unit). Water-filling: the level ``t`` (time
    to finish) solves sum(max(0, t * speed - load)) = moved."""
    if not speeds or min(speeds) <= 0:
        raise ValueError("every printer taking labels needs a speed above 0")
    order = sorted(range(len(loads)), key=lambda i: loads[i] / speeds[i])
    level = 0.0
    for count in range(1, len(order) + 1):
        chosen = order[:count]
        level = (moved + sum(loads[i] for i in chosen)) / sum(speeds[i] for i in chosen)
        nxt = order[count] if count < len(order) else None
        if nxt is None or level <= loads[nxt] / speeds[nxt]:
            break
    return [max(0.0, level * speeds[i] - loads[i]) for i in range(len(loads))]
