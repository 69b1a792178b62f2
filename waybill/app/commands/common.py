"""What every command that turns orders into labels shares (render, print, station, demo): the job, the
orders, and the step before any layout: orders without a number get one (``waybill.numbers``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from printers.layout_fonts import layout_font
from printers.profiles import PrinterProfile

# Re-exported: command modules written before options.py import them from here.
from waybill.app.commands.options import add_db_option, add_label_options
from waybill.catalog import Catalog, load_catalog
from waybill.errors import LayoutError, Problem, UsageError
from waybill.fonts import load_font
from waybill.i18n import _
from waybill.layout.engine import LayoutOptions
from waybill.layout.label import LayoutWarning
from waybill.model import Order
from waybill.numbers.config import needs_numbers
from waybill.orders import LoadedOrders, load_orders
from waybill.pipeline import LabelJob
from waybill.shop import Shop, load_shop
from waybill.template import load_template
from waybill.times import BEIJING, parse_beijing_time

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "Report",
    "add_db_option",
    "add_label_options",
    "catalog_for",
    "label_job",
    "numbering_for",
    "read_orders_for",
    "with_numbers",
]


def label_job(
    args: argparse.Namespace, *, now: datetime | None = None, profile: PrinterProfile | None = None
) -> LabelJob:
    """The job of the label options; labels for a native ``profile`` are fitted to its printer's font."""
    shop = load_shop(args.shop) if args.shop else None
    try:
        printed_at = parse_beijing_time(args.printed_at) if args.printed_at else None
    except ValueError as error:
        raise UsageError(_("--printed-at {text!r} is not an ISO 8601 time").format(text=args.printed_at)) from error
    return LabelJob(
        template=load_template(args.template),
        font=layout_font(profile, load_font(args.font)),
        options=LayoutOptions(dpi=args.dpi, mask=not args.no_mask, shop=shop, printed_at=printed_at),
        now=now or datetime.now(BEIJING).replace(second=0, microsecond=0),
    )


def read_orders_for(
    args: argparse.Namespace, job: LabelJob, path: Path, catalog: Catalog | None = None, *, number: bool = True
) -> LoadedOrders:
    """All orders, validated and (unless ``number`` is false: the station numbers each when it is scanned)
    numbered before any output: problems stop the run unless --skip-invalid. With ``--catalog``, items
    without a barcode get their SKU's."""
    catalog = catalog or catalog_for(args)
    loaded = load_orders(path, job.options.shop, skip_invalid=args.skip_invalid)
    if number:
        loaded = with_numbers(args, loaded, job.options.shop)
    for problem in loaded.problems:
        print(_("skipped: {problem}").format(problem=problem), file=sys.stderr)
    return LoadedOrders(catalog.fill_all(loaded.orders), loaded.problems) if catalog.barcodes else loaded


def catalog_for(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.catalog) if args.catalog else Catalog()


def with_numbers(args: argparse.Namespace, loaded: LoadedOrders, shop: Shop | None) -> LoadedOrders:
    """Orders without a number get one from their carrier's source; one a source could not serve stops
    the run (nothing is printed), or with --skip-invalid becomes a problem and the rest go on."""
    if not needs_numbers(loaded.orders, shop):
        return loaded
    # The store and the number sources (SQLAlchemy, 0.1 s to import) load only for orders that need them.
    from waybill.database import open_database
    from waybill.numbers.assign import assign_numbers

    numbered = assign_numbers(open_database(args.db), loaded.orders, shop)
    if numbered.taken or numbered.kept:
        print(
            _("numbers: {taken} new, {kept} already bound in the store").format(
                taken=numbered.taken, kept=numbered.kept
            ),
            file=sys.stderr,
        )
    for warning in numbered.warnings:
        print(_("warning: {warning}").format(warning=warning), file=sys.stderr)
    if numbered.refused and not args.skip_invalid:
        raise numbered.error()
    refused = tuple(
        Problem(o.origin.source if o.origin else "orders", o.origin.line if o.origin else None, "waybill_no", reason)
        for o, reason in numbered.refused
    )
    return LoadedOrders(numbered.orders, loaded.problems + refused)


def numbering_for(engine: Engine, shop: Shop | None) -> Callable[[Order], Order]:
    """Numbers one order at a time from its carrier's source (the station: a parcel takes its number when it
    is scanned); a source that cannot serve it is a ``NumberError`` for that scan.

    A carrier's low-balance warning is shown the first time, then again only when its numbers left have
    halved since it was last shown (and at none left): not on every scan of a packing shift.
    """
    from waybill.numbers.assign import assign_numbers

    shown: dict[str, int | None] = {}  # carrier → numbers left when its warning was last shown

    def worth_showing(carrier: str, left: int | None) -> bool:
        if carrier in shown:
            before = shown[carrier]
            if left is None or before is None or left >= before or left > before // 2:
                return False
        shown[carrier] = left
        return True

    def number(order: Order) -> Order:
        numbered = assign_numbers(engine, [order], shop)
        for warning in numbered.balance_warnings:
            if worth_showing(warning.carrier, warning.left):
                print(_("warning: {warning}").format(warning=warning.text), file=sys.stderr)
        if numbered.refused:
            raise numbered.error()
        return numbered.orders[0]

    return number


@dataclass
class Report:
    """Counts and messages of one run, printed as they happen and summed up at the end."""

    warnings: int = 0
    skipped: int = 0

    def warning(self, warning: LayoutWarning) -> None:
        self.warnings += 1
        print(_("warning: {warning}").format(warning=warning), file=sys.stderr)

    def skip(self, order: Order, error: LayoutError) -> None:
        self.skipped += 1
        print(_("skipped: {problem}").format(problem=error), file=sys.stderr)

    def problems(self, problems: tuple[Problem, ...]) -> None:
        """Orders --skip-invalid left out (each was already listed when the orders were read)."""
        self.skipped += len({(p.source, p.line) for p in problems})
