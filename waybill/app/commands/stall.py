"""``waybill stall …``: ingest tracking data, scan for stalls, work orders, the report and the webhook server.

The CLI is the I/O edge: it reads the clock (``--at`` defaults to now) and passes it down as a parameter.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stall_monitor.export import SECTIONS
from waybill.app.commands import deferred
from waybill.errors import Problem, UsageError
from waybill.i18n import _
from waybill.times import FIRST_YEAR, LAST_YEAR, parse_instant

__all__ = ["at_option", "db_option", "instant", "print_problems", "register", "rules_option"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    stall = subparsers.add_parser(
        "stall",
        help=_("catch parcels whose tracking has gone quiet before the buyer opens a work order"),
        description=_("Tracking ingest, dated stall rules, work-order clocks, stall report and webhook server."),
    )
    commands = stall.add_subparsers(dest="stall_command", metavar="STALL_COMMAND", required=True)

    ingest = commands.add_parser("ingest", help=_("store tracking events, Kuaidi100 pushes, orders, work orders"))
    db_option(ingest)
    ingest.add_argument(
        "--events",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=_("events as JSON Lines or CSV: waybill_no, time, status, context, location, [carrier]"),
    )
    ingest.add_argument(
        "--kuaidi100",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=_("Kuaidi100 pushes, one param JSON a line"),
    )
    ingest.add_argument(
        "--orders",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=_("register the waybills of an order file (JSON Lines or CSV) without printing"),
    )
    ingest.add_argument("--shop", type=Path, metavar="FILE", help=_("shop profile for --orders (senders)"))
    ingest.add_argument(
        "--work-orders",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=_("work orders as JSON Lines or CSV: waybill_no, opened_at, [responded_at]"),
    )
    ingest.set_defaults(handler=deferred("waybill.app.handlers.stall_ingest:run"))  # fmt: skip

    scan = commands.add_parser("scan", help=_("list stalled, at-risk and not-picked-up parcels and due work orders"))
    db_option(scan)
    at_option(scan)
    rules_option(scan)
    scan.add_argument("--json", action="store_true", help=_("print the stall list as JSON"))
    scan.set_defaults(handler=deferred("waybill.app.handlers.stall:_scan"))

    workorder = commands.add_parser("workorder", help=_("record a stall work order being opened or answered"))
    actions = workorder.add_subparsers(dest="workorder_action", metavar="ACTION", required=True)
    for action, text, handler in (
        ("open", _("a buyer opened a stall work order"), "_workorder_open"),
        ("respond", _("the merchant answered the open work order"), "_workorder_respond"),
    ):
        parser = actions.add_parser(action, help=text)
        parser.add_argument("waybill_no")
        db_option(parser)
        at_option(parser)
        rules_option(parser)
        parser.set_defaults(handler=deferred(f"waybill.app.handlers.stall:{handler}"))

    report = commands.add_parser("report", help=_("write the stall report (HTML, Excel, CSV or JSON)"))
    db_option(report)
    at_option(report)
    rules_option(report)
    report.add_argument(
        "--invoice-rules",
        type=Path,
        metavar="FILE",
        help=_("invoice rules TOML for the invoice section (default: the built-in rules)"),
    )
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        help=_("file to write (default: standard output); report.csv writes report-summary.csv, report-urgent.csv …"),
    )
    report.add_argument(
        "-f",
        "--format",
        choices=("html", "csv", "xlsx", "json"),
        default=None,
        help=_("default: from the output file's suffix, else html"),
    )
    report.add_argument(
        "--section",
        choices=SECTIONS,
        help=_("CSV: this section only, to -o or standard output (default: a file a section)"),
    )
    report.set_defaults(handler=deferred("waybill.app.handlers.stall:_report"))

    serve = commands.add_parser("serve", help=_("receive Kuaidi100 pushes and serve the live report"))
    db_option(serve)
    rules_option(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: loopback only; any other needs --salt)")
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--salt", help=_("Kuaidi100 salt: pushes with a wrong sign get 403 and are not stored"))
    serve.set_defaults(handler=deferred("waybill.app.handlers.stall:_serve"))


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=_("database file or URL (default: WAYBILL_DB, else the per-user file)"))


def at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="TIME", help=_("ISO 8601 instant (no zone = Beijing time); default now"))


def rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="FILE", help=_("rules TOML (default: the built-in rules)"))


def instant(text: str | None) -> datetime:
    """``--at``: an ISO 8601 time (Beijing time without a zone), or now."""
    if text is None:
        return datetime.now(UTC)
    try:
        return parse_instant(text)
    except ValueError as error:
        raise UsageError(
            _("--at {text!r} is not an ISO 8601 time from {first} to {last} such as 2022-12-15T08:00+08:00").format(
                text=text, first=FIRST_YEAR, last=LAST_YEAR
            )
        ) from error


def print_problems() -> Callable[[Problem], None]:
    def report(problem: Problem) -> None:
        print(_("rejected: {problem}").format(problem=problem), file=sys.stderr)

    return report
