"""``waybill printers check --pool FILE``: each printer of a pool file, connected at once, and its status."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

from printers.pool_file import load_pool_file
from printers.pool_printer import Probe, probe
from waybill.i18n import _
from waybill.terminal import aligned


def _check(args: argparse.Namespace) -> int:
    pool_file = load_pool_file(args.pool, args.profiles)
    specs = list(pool_file.printers.values())
    if not specs:
        print(_("{source}: no printers").format(source=pool_file.source))
        return 0
    with ThreadPoolExecutor(max_workers=min(16, len(specs))) as workers:
        answers: list[Probe] = list(workers.map(lambda spec: probe(spec.uri, spec.profile), specs))
    pool_of = {printer: pool for pool, members in pool_file.pools.items() for printer in members}
    rows = [[_("printer"), _("uri"), _("profile"), _("line"), _("pool"), _("status")]] + [
        [spec.name, spec.uri, spec.profile.name, spec.line or "-", pool_of.get(spec.name, "-"), answer.detail]
        for spec, answer in zip(specs, answers, strict=True)
    ]
    for line in aligned(rows):
        print(line)
    ready = {spec.name for spec, answer in zip(specs, answers, strict=True) if answer.ready}
    for pool, members in pool_file.pools.items():
        up = [name for name in members if name in ready]
        summary = (
            _("pool {pool}: {ready} of {total} printers ready ({names})")
            if up
            else _("pool {pool}: {ready} of {total} printers ready")
        )
        print(summary.format(pool=pool, ready=len(up), total=len(members), names=", ".join(up)))
    return 0 if len(ready) == len(specs) else 1
