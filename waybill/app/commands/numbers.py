"""``waybill numbers import|assign|balance|cancel``: e-waybill numbers (取号) from segments or a service."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.app.commands.options import add_db_option
from waybill.i18n import _


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    numbers = subparsers.add_parser(
        "numbers",
        help=_("e-waybill numbers (取号): import segments, assign, balance, cancel"),
        description=_(
            "Orders without a waybill_no get one from their carrier's source, named in the shop profile "
            '([carriers.X.numbers] source = "pool" or "cainiao"), exactly once: the binding lives in the store.'
        ),
    )
    commands = numbers.add_subparsers(dest="numbers_command", metavar="COMMAND", required=True)

    imports = commands.add_parser("import", help=_("import number segments: CSV carrier,branch_code,prefix,first,last"))
    imports.add_argument("segments", type=Path, help=_("segments file (.csv)"))
    add_db_option(imports)
    imports.set_defaults(handler=deferred("waybill.app.handlers.numbers:import_command"))

    assign = commands.add_parser("assign", help=_("give every order without a number one; write them as JSON Lines"))
    assign.add_argument("orders", type=Path, help=_("orders file (.jsonl or .csv)"))
    assign.add_argument("--shop", type=Path, required=True, help=_("shop profile naming each carrier's number source"))
    assign.add_argument("-o", "--output", type=Path, help=_("JSON Lines file to write (default: standard output)"))
    assign.add_argument("--skip-invalid", action="store_true", help=_("write the orders that could be served"))
    add_db_option(assign)
    assign.set_defaults(handler=deferred("waybill.app.handlers.numbers:assign_command"))

    balance = commands.add_parser("balance", help=_("numbers total, used, cancelled and left per carrier and branch"))
    balance.add_argument("--shop", type=Path, help=_("shop profile: cloud sources are asked for their balance"))
    balance.add_argument("--json", action="store_true", help=_("a JSON list of objects instead of a table"))
    add_db_option(balance)
    balance.set_defaults(handler=deferred("waybill.app.handlers.numbers:balance_command"))

    cancel = commands.add_parser("cancel", help=_("void a number: never given out or printed again"))
    cancel.add_argument("waybill_no")
    cancel.add_argument("--reason", default="", help=_("why (shown when a reprint of it is refused)"))
    cancel.add_argument("--shop", type=Path, help=_("shop profile (needed for a number from a cloud service)"))
    add_db_option(cancel)
    cancel.set_defaults(handler=deferred("waybill.app.handlers.numbers:cancel_command"))
