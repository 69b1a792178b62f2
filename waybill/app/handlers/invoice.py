"""``waybill invoice …``: invoice requests (催开发票), their deadlines and the penalty points at stake.

The CLI is the I/O edge: it reads the clock (``--at`` defaults to now) and passes it down as a parameter.
"""

from __future__ import annotations

import argparse
import json
import sys

from stall_monitor.errors import TrackingError
from stall_monitor.invoices.ingest import ingest_invoice_requests, record_invoice_work_order, record_issue
from stall_monitor.invoices.report import invoice_table
from stall_monitor.invoices.rules import load_invoice_rules
from stall_monitor.invoices.scan import invoice_scan
from stall_monitor.sources.files import read_invoice_requests
from stall_monitor.store import open_store
from waybill.app.commands.stall import instant, print_problems
from waybill.i18n import _, ngettext
from waybill.times import beijing_iso


def _ingest(args: argparse.Namespace) -> int:
    counts = ingest_invoice_requests(open_store(args.db), read_invoice_requests(args.file), on_problem=print_problems())
    print(_("invoices {path}: {summary}").format(path=args.file, summary=counts.summary()))
    # Everything valid was stored; a rejected line still makes the run fail so scripts notice.
    return TrackingError.exit_code if counts.rejected else 0


def _issue(args: argparse.Namespace) -> int:
    at = instant(args.at)
    rules = load_invoice_rules(args.rules)
    requested_at = record_issue(open_store(args.db), args.order_id, at)
    rule = rules.at(requested_at)
    first, final = rule.first_deadline(requested_at), rule.final_deadline(requested_at)
    if at < first:
        message = _("{order}: invoice issued {at}, in time (requested {requested})")
    elif at < final:
        message = _("{order}: invoice issued {at}, after the first deadline (requested {requested})")
    else:
        message = _("{order}: invoice issued {at}, after the final deadline (requested {requested})")
    print(message.format(order=args.order_id.strip(), at=beijing_iso(at), requested=beijing_iso(requested_at)))
    return 0


def _workorder(args: argparse.Namespace) -> int:
    at = instant(args.at)
    rules = load_invoice_rules(args.rules)
    engine = open_store(args.db)
    created = record_invoice_work_order(engine, args.order_id, at)
    order_id = args.order_id.strip()
    head = (
        _("{order}: invoice work order opened at {at}")
        if created
        else _("{order}: invoice work order already recorded at {at}")
    ).format(order=order_id, at=beijing_iso(at))
    case = next((c for c in invoice_scan(engine, rules, at).requests if c.order_id == order_id), None)
    if case is None:
        print(_("{head}; the invoice is issued").format(head=head))
    elif case.rule.carries_points:
        points = case.rule.points_per_case
        print(
            ngettext(
                "{head}; issue by {due} or lose {n} point", "{head}; issue by {due} or lose {n} points", points
            ).format(head=head, due=beijing_iso(case.penalty_at), n=points)
        )
    else:
        print(_("{head}; issue by {due}").format(head=head, due=beijing_iso(case.penalty_at)))
    return 0


def _scan(args: argparse.Namespace) -> int:
    result = invoice_scan(open_store(args.db), load_invoice_rules(args.rules), instant(args.at))
    if args.json:
        json.dump(result.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(invoice_table(result))
    return 0
