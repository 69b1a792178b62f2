"""``waybill stall …``: ingest tracking data, scan for stalls, work orders, the report and the webhook server.

The CLI is the I/O edge: it reads the clock (``--at`` defaults to now) and passes it down as a parameter.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stall_monitor.errors import TrackingError
from stall_monitor.export import SECTIONS
from stall_monitor.ingest import IngestCounts, ingest_events
from stall_monitor.rules import Rules, load_rules
from stall_monitor.sources.files import read_events, read_work_orders
from stall_monitor.sources.kuaidi100 import read_pushes
from stall_monitor.store import open_store
from stall_monitor.words import headline
from stall_monitor.workorders import ingest_work_orders, open_work_order, respond_work_order
from waybill.errors import Problem, UsageError
from waybill.i18n import _, ngettext
from waybill.times import FIRST_YEAR, LAST_YEAR, beijing_iso, parse_instant

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
    ingest.set_defaults(handler=_ingest)  # fmt: skip

    scan = commands.add_parser("scan", help=_("list stalled, at-risk and not-picked-up parcels and due work orders"))
    db_option(scan)
    at_option(scan)
    rules_option(scan)
    scan.add_argument("--json", action="store_true", help=_("print the stall list as JSON"))
    scan.set_defaults(handler=_scan)

    workorder = commands.add_parser("workorder", help=_("record a stall work order being opened or answered"))
    actions = workorder.add_subparsers(dest="workorder_action", metavar="ACTION", required=True)
    for action, text, handler in (
        ("open", "a buyer opened a stall work order", _workorder_open),
        ("respond", "the merchant answered the open work order", _workorder_respond),
    ):
        parser = actions.add_parser(action, help=text)
        parser.add_argument("waybill_no")
        db_option(parser)
        at_option(parser)
        rules_option(parser)
        parser.set_defaults(handler=handler)

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
    report.set_defaults(handler=_report)

    serve = commands.add_parser("serve", help=_("receive Kuaidi100 pushes and serve the live report"))
    db_option(serve)
    rules_option(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: loopback only; any other needs --salt)")
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--salt", help=_("Kuaidi100 salt: pushes with a wrong sign get 403 and are not stored"))
    serve.set_defaults(handler=_serve)


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


def _ingest(args: argparse.Namespace) -> int:
    sources = (args.events, args.kuaidi100, args.orders, args.work_orders)
    if not any(sources):
        raise UsageError(_("nothing to ingest: give --events, --kuaidi100, --orders or --work-orders"))
    if args.shop and not args.orders:
        raise UsageError(_("--shop applies to --orders only"))
    engine = open_store(args.db)
    rejected = 0
    if args.orders:
        from stall_monitor.orders import register_order_files

        registered, problems = register_order_files(engine, args.orders, args.shop, on_problem=print_problems())
        rejected += problems
        print(
            ngettext(
                "orders: {n} waybill registered, {rejected} rejected",
                "orders: {n} waybills registered, {rejected} rejected",
                registered,
            ).format(n=registered, rejected=problems)
        )
    received_at = datetime.now(UTC)
    readers: list[tuple[str, Path, Callable[[Path], Iterable[Any]]]] = [
        *((_("events {path}: {summary}"), p, read_events) for p in args.events),
        *((_("kuaidi100 {path}: {summary}"), p, read_pushes) for p in args.kuaidi100),
    ]
    total = IngestCounts()
    for label, path, reader in readers:
        counts = ingest_events(engine, reader(path), received_at=received_at, on_problem=print_problems())
        print(label.format(path=path, summary=counts.summary()))
        total += counts
    if len(readers) > 1:
        print(_("total: {summary}").format(summary=total.summary()))
    rejected += total.rejected
    for path in args.work_orders:
        result = ingest_work_orders(engine, read_work_orders(path), on_problem=print_problems())
        print(_("work orders {path}: {summary}").format(path=path, summary=result.summary()))
        rejected += result.rejected
    # Everything valid was stored; a rejected line still makes the run fail so scripts notice.
    return TrackingError.exit_code if rejected else 0


def _scan(args: argparse.Namespace) -> int:
    from stall_monitor.report import stall_table
    from stall_monitor.scan import scan

    at, rules = instant(args.at), _load_rules(args)  # the options first: they need no store
    result = scan(open_store(args.db, create=False), rules, at)
    if args.json:
        json.dump([s.as_json() for s in result.stalls], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(stall_table(result))
    return 0


def _workorder_open(args: argparse.Namespace) -> int:
    at = instant(args.at)
    rules = _load_rules(args)
    created = open_work_order(open_store(args.db), args.waybill_no, at)
    due = rules.at(at).response_due(at)
    message = (
        _("{waybill}: work order opened at {at}; answer by {due}")
        if created
        else _("{waybill}: work order already recorded at {at}; answer by {due}")
    )
    print(message.format(waybill=args.waybill_no.upper(), at=beijing_iso(at), due=beijing_iso(due)))
    return 0


def _workorder_respond(args: argparse.Namespace) -> int:
    at = instant(args.at)
    rules = _load_rules(args)
    opened_at = respond_work_order(open_store(args.db), args.waybill_no, at)
    due = rules.at(opened_at).response_due(opened_at)
    message = (
        _("{waybill}: work order opened {opened} answered {at}, on time")
        if at <= due
        else _("{waybill}: work order opened {opened} answered {at}, LATE (was due {due})")
    )
    print(
        message.format(
            waybill=args.waybill_no.upper(), opened=beijing_iso(opened_at), at=beijing_iso(at), due=beijing_iso(due)
        )
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from stall_monitor.invoices.rules import load_invoice_rules
    from stall_monitor.invoices.scan import invoice_scan
    from stall_monitor.report import render_data, report_data
    from stall_monitor.scan import scan
    from waybill.app.commands.report_files import report_format, write_report

    fmt = report_format(args.format, args.output, args.section)
    at, rules = instant(args.at), _load_rules(args)  # the options first: they need no store
    invoice_rules = load_invoice_rules(args.invoice_rules)
    engine = open_store(args.db, create=False)
    result = scan(engine, rules, at)
    data = report_data(result, invoice_scan(engine, invoice_rules, at))
    page = render_data(result, data, "html" if fmt == "html" else "json")
    written = write_report(fmt, args.output, args.section, data, page)
    if written:
        print(
            _("{files}: {format} report at {at}: {headline}").format(
                files=", ".join(map(str, written)),
                format=fmt,
                at=beijing_iso(result.at),
                headline=headline(result.counts),
            )
        )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from stall_monitor.server import check_exposure, make_server

    check_exposure(args.host, args.salt)  # before the store is opened or created
    server = make_server(open_store(args.db), _load_rules(args), args.host, args.port, salt=args.salt)

    def ready(address: tuple[str, int]) -> None:
        host, port = address
        print(
            _(
                "serving on http://{host}:{port}/  (POST /webhooks/kuaidi100, GET /api/stalls, /healthz); Ctrl-C stops"
            ).format(host=host, port=port),
            flush=True,
        )

    server.serve(ready)
    return 0


def _load_rules(args: argparse.Namespace) -> Rules:
    return load_rules(args.rules)
