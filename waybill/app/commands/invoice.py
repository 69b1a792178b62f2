"""``waybill invoice …``: invoice requests (催开发票), their deadlines and the penalty points at stake.

The CLI is the I/O edge: it reads the clock (``--at`` defaults to now) and passes it down as a parameter.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.app.commands.stall import at_option, db_option
from waybill.i18n import _

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    invoice = subparsers.add_parser(
        "invoice",
        help=_("count the invoice deadlines (催开发票) and the penalty points at stake"),
        description=_("Invoice requests, their first and final deadlines, buyers' work orders and penalty points."),
    )
    commands = invoice.add_subparsers(dest="invoice_command", metavar="INVOICE_COMMAND", required=True)

    ingest = commands.add_parser("ingest", help=_("store invoice requests from a JSON Lines or CSV file"))
    ingest.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help=_("order_id, requested_at, [issued_at], [work_order_opened_at], [amount], [title]"),
    )
    db_option(ingest)
    ingest.set_defaults(handler=deferred("waybill.app.handlers.invoice:_ingest"))

    for name, text, handler in (
        ("issue", _("record that the invoice of an order was issued"), "_issue"),
        ("workorder", _("record that a buyer opened an invoice work order"), "_workorder"),
    ):
        parser = commands.add_parser(name, help=text)
        parser.add_argument("order_id", metavar="ORDER_ID")
        db_option(parser)
        at_option(parser)
        _rules(parser)
        parser.set_defaults(handler=deferred(f"waybill.app.handlers.invoice:{handler}"))

    scan = commands.add_parser("scan", help=_("list the invoices to issue, their deadlines and the points"))
    db_option(scan)
    at_option(scan)
    _rules(scan)
    scan.add_argument("--json", action="store_true", help=_("print the requests and points as JSON"))
    scan.set_defaults(handler=deferred("waybill.app.handlers.invoice:_scan"))


def _rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", type=Path, metavar="FILE", help=_("invoice rules TOML (default: the built-in rules)")
    )
