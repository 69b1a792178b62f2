"""``waybill stall …``: ingest tracking data, scan for stalls, work orders, the report and the webhook server.

The CLI is the I/O edge: it reads the clock (``--at`` defaults to now) and passes it down as a parameter.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from stall_monitor.rules import Rules, load_rules
from waybill.app.commands.stall import instant
from waybill.collector import no_cycle_collection
from waybill.i18n import _
from waybill.times import beijing_iso


def _scan(args: argparse.Namespace) -> int:
    from stall_monitor.scan import JSON_OPTIONS, scan_store

    at, rules = instant(args.at), _load_rules(args)  # the options first: they need no store
    result = scan_store(args.db, rules, at)
    with no_cycle_collection():  # a row a parcel, as the scan built a Stall a parcel
        if args.json:
            _write_json_list(result.stalls, sys.stdout, JSON_OPTIONS)  # a Stall is its JSON
        else:
            from stall_monitor.report import stall_table

            print(stall_table(result))
    return 0


def _write_json_list(items: Iterable[Any], stream: TextIO, options: int = 0) -> None:
    """A JSON array of what orjson encodes (with ``options``) indented by 2, byte for byte as ``json.dump(indent=2,
    ensure_ascii=False)`` writes the same data, streamed a thousand items at a time: orjson encodes in C (the
    pure-Python indenting encoder took 3.5 s for 30,000)."""
    import orjson

    stream.flush()
    buffer = getattr(stream, "buffer", None)  # a text stream without bytes beneath (a StringIO) gets text

    def write(data: bytes) -> None:
        if buffer is not None:
            buffer.write(data)
        else:
            stream.write(data.decode("utf-8"))

    def items_of(chunk: list[Any]) -> bytes:
        # The chunk as an indented array, less its brackets: "\n  {…},\n  {…}", items at depth 1 as in the whole.
        return orjson.dumps(chunk, option=orjson.OPT_INDENT_2 | options)[1:-2]

    opening, chunk = b"[", []
    for item in items:
        chunk.append(item)
        if len(chunk) == 1000:
            write(opening + items_of(chunk))
            opening, chunk = b",", []
    if chunk:
        write(opening + items_of(chunk) + b"\n]\n")
    else:
        write(b"[]\n" if opening == b"[" else b"\n]\n")
    stream.flush()


def _workorder_open(args: argparse.Namespace) -> int:
    from stall_monitor.store import open_store
    from stall_monitor.workorders import open_work_order

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
    from stall_monitor.store import open_store
    from stall_monitor.workorders import respond_work_order

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
    from stall_monitor.store import open_store
    from stall_monitor.words import headline
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
    from stall_monitor.store import open_store

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
