"""``waybill printers check --pool FILE``: each printer of a pool file, connected at once, and its status."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

from printers.pool_file import load_pool_file
from printers.pool_printer import Probe, probe


def _check(args: argparse.Namespace) -> int:
    pool_file = load_pool_file(args.pool, args.profiles)
    specs = list(pool_file.printers.values())
    if not specs:
        print(f"{pool_file.source}: no printers")
        return 0
    with ThreadPoolExecutor(max_workers=min(16, len(specs))) as workers:
        answers: list[Probe] = list(workers.map(lambda spec: probe(spec.uri, spec.profile), specs))
    pool_of = {printer: pool for pool, members in pool_file.pools.items() for printer in members}
    rows = [["printer", "uri", "profile", "line", "pool", "status"]] + [
        [spec.name, spec.uri, spec.profile.name, spec.line or "-", pool_of.get(spec.name, "-"), answer.detail]
        for spec, answer in zip(specs, answers, strict=True)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[5]]))
    ready = {spec.name for spec, answer in zip(specs, answers, strict=True) if answer.ready}
    for pool, members in pool_file.pools.items():
        up = [name for name in members if name in ready]
        print(f"pool {pool}: {len(up)} of {len(members)} printers ready{' (' + ', '.join(up) + ')' if up else ''}")
    return 0 if len(ready) == len(specs) else 1
