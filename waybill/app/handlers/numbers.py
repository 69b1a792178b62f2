"""``waybill numbers import|assign|balance|cancel``: e-waybill numbers (取号) from segments or a service."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from waybill.app.commands.common import with_numbers
from waybill.database import open_database
from waybill.errors import NumberError, OrderError, Problem, UsageError
from waybill.i18n import _
from waybill.numbers.assign import source_for
from waybill.numbers.segments import parse_segments
from waybill.numbers.source import Balance
from waybill.numbers.store import NumberStore
from waybill.order_codec import order_line
from waybill.orders import load_orders
from waybill.shop import Shop, load_shop
from waybill.terminal import aligned


def import_command(args: argparse.Namespace) -> int:
    source = str(args.segments)
    try:
        text = args.segments.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise OrderError(
            [Problem(source, None, None, _("cannot read: {reason}").format(reason=error.strerror))]
        ) from error
    except UnicodeDecodeError as error:
        raise OrderError([Problem(source, None, None, _("not UTF-8 text"))]) from error
    store = NumberStore(open_database(args.db))
    segments = parse_segments(text, source, store.segments())
    store.import_segments(segments, source)
    print(
        _("imported {n} segment(s), {numbers} numbers, from {source}").format(
            n=len(segments), numbers=f"{sum(s.size for s in segments):,}", source=source
        )
    )
    return 0


def assign_command(args: argparse.Namespace) -> int:
    shop = load_shop(args.shop)
    loaded = with_numbers(args, load_orders(args.orders, shop, skip_invalid=args.skip_invalid), shop)
    for problem in loaded.problems:
        print(_("skipped: {problem}").format(problem=problem), file=sys.stderr)
    lines = "".join(order_line(order) + "\n" for order in loaded.orders)
    if args.output is None:
        sys.stdout.write(lines)
    else:  # all or nothing: a half-written file would look like a short batch
        partial = args.output.with_name(args.output.name + ".partial")
        partial.write_text(lines, encoding="utf-8")
        os.replace(partial, args.output)
    done = (
        _("{n} order(s) with numbers → {path}; {skipped} skipped")
        if args.output
        else _("{n} order(s) with numbers; {skipped} skipped")
    )
    print(done.format(n=len(loaded.orders), path=args.output, skipped=len(loaded.problems)), file=sys.stderr)
    return 0


def balance_command(args: argparse.Namespace) -> int:
    store = NumberStore(open_database(args.db))
    balances = store.pool_balances()
    shop = load_shop(args.shop) if args.shop else Shop()
    for code, account in shop.accounts.items():
        if account.numbers is None:
            continue
        if account.numbers.source == "pool":
            if not any((b.carrier, b.branch_code) == (code, account.branch_code) for b in balances):
                balances.append(Balance(code, "pool", account.branch_code, 0, 0, 0, 0))
        else:
            balances.extend(source_for(store, shop, code).balance())
    if args.json:
        print(json.dumps([asdict(b) for b in balances], ensure_ascii=False, indent=2))
        return 0
    if not balances:
        print(_("no numbers yet: import segments with `waybill numbers import SEGMENTS.csv`"))
        return 0
    rows = [(_("carrier"), _("source"), _("branch"), _("total"), _("used"), _("cancelled"), _("left"))]
    rows += [
        (b.carrier, b.source, b.branch_code, f"{b.total:,}", f"{b.used:,}", f"{b.cancelled:,}", f"{b.left:,}")
        for b in balances
    ]
    for line in aligned(rows, right={3, 4, 5, 6}):
        print(line)
    return 0


def cancel_command(args: argparse.Namespace) -> int:
    store = NumberStore(open_database(args.db))
    waybill_no = args.waybill_no.strip().upper()
    binding = store.by_number([waybill_no]).get(waybill_no)
    if binding is None:
        raise NumberError(
            _("{waybill}: no such number was given out here (see `waybill numbers balance`)").format(waybill=waybill_no)
        )
    if binding.cancelled_at is not None:
        raise NumberError(
            _("{waybill} was already cancelled: {reason}").format(
                waybill=waybill_no, reason=binding.cancel_reason or _("no reason given")
            )
        )
    if binding.source == "pool":
        store.cancel(waybill_no, args.reason)
    else:
        if args.shop is None:
            raise UsageError(
                _("{waybill} came from {source}: give --shop with [carriers.{carrier}.numbers]").format(
                    waybill=waybill_no, source=binding.source, carrier=binding.carrier
                )
            )
        shop = load_shop(args.shop)
        numbers = shop.account(binding.carrier).numbers
        if numbers is None or numbers.source != binding.source:
            raise UsageError(
                _("{shop} names no {source} source for {carrier}").format(
                    shop=args.shop, source=binding.source, carrier=binding.carrier
                )
            )
        source_for(store, shop, binding.carrier).cancel(binding, args.reason)
    print(
        _(
            "cancelled {waybill} ({carrier}, order {order}); it is never given out or printed again, and the order "
            "gets a new number on its next assign"
        ).format(waybill=waybill_no, carrier=binding.carrier, order=binding.order_id)
    )
    return 0
