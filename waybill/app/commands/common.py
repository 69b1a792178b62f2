"""What every command that turns orders into labels shares (render, print, station, demo): the job, the orders."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Re-exported: command modules written before options.py import it from here.
from waybill.app.commands.options import add_label_options
from waybill.errors import LayoutError, Problem, UsageError
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions
from waybill.layout.label import LayoutWarning
from waybill.model import Order
from waybill.orders import LoadedOrders, load_orders
from waybill.pipeline import LabelJob
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING, parse_beijing_time

__all__ = ["Report", "add_label_options", "label_job", "read_orders_for"]


def label_job(args: argparse.Namespace, *, now: datetime | None = None) -> LabelJob:
    shop = load_shop(args.shop) if args.shop else None
    try:
        printed_at = parse_beijing_time(args.printed_at) if args.printed_at else None
    except ValueError as error:
        raise UsageError(f"--printed-at {args.printed_at!r} is not an ISO 8601 time") from error
    return LabelJob(
        template=load_template(args.template),
        font=load_font(args.font),
        options=LayoutOptions(dpi=args.dpi, mask=not args.no_mask, shop=shop, printed_at=printed_at),
        now=now or datetime.now(BEIJING).replace(second=0, microsecond=0),
    )


def read_orders_for(args: argparse.Namespace, job: LabelJob, path: Path) -> LoadedOrders:
    """All orders, validated before any output: problems stop the run unless --skip-invalid."""
    loaded = load_orders(path, job.options.shop, skip_invalid=args.skip_invalid)
    for problem in loaded.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return loaded


@dataclass
class Report:
    """Counts and messages of one run, printed as they happen and summed up at the end."""

    warnings: int = 0
    skipped: int = 0

    def warning(self, warning: LayoutWarning) -> None:
        self.warnings += 1
        print(f"warning: {warning}", file=sys.stderr)

    def skip(self, order: Order, error: LayoutError) -> None:
        self.skipped += 1
        print(f"skipped: {error}", file=sys.stderr)

    def problems(self, problems: tuple[Problem, ...]) -> None:
        """Orders --skip-invalid left out (each was already listed when the orders were read)."""
        self.skipped += len({(p.source, p.line) for p in problems})
