"""The ``waybill`` command: a thin dispatcher over the sub-command modules.

Each module in ``COMMAND_MODULES`` has ``register(subparsers)`` that adds its sub-commands and sets
``handler`` (``args -> int``) on them. User mistakes surface as ``WaybillError``: one line, its exit code.

Start-up is what every command pays, so building the parser must stay light: ``register`` uses argparse and
light constants only, and the handler is a ``deferred("waybill.app.handlers.<name>:<function>")`` that imports
its module (the database, PDF, image and printer stacks) only when that command runs::

    # waybill/app/commands/purge.py: the command line, argparse only
    def register(subparsers):
        parser = subparsers.add_parser("purge", help="...")
        parser.add_argument("--before", ...)
        parser.set_defaults(handler=deferred("waybill.app.handlers.purge:run"))

    # waybill/app/handlers/purge.py: what it does, with its heavy imports at the top
    def run(args: argparse.Namespace) -> int: ...

A module whose ``register`` sets a plain function as handler still works; it only makes every command's
start-up pay for its imports. tests/test_cli_startup.py checks that ``waybill --help`` imports none of
sqlalchemy, reportlab, numpy or PIL.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from waybill.errors import WaybillError
from waybill.i18n import _, set_language
from waybill.privacy import mask_phones

COMMAND_MODULES = (
    "waybill.app.commands.render",
    "waybill.app.commands.numbers",
    "waybill.app.commands.templates",
    "waybill.app.commands.demo",
    "waybill.app.commands.printers",
    "waybill.app.commands.printing",
    "waybill.app.commands.simulator",
    "waybill.app.commands.serve_print",
    "waybill.app.commands.stall",
    "waybill.app.commands.invoice",
    "waybill.app.commands.purge",
)


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("en", "zh-CN"),
        help=_("language of messages, help and reports (default: WAYBILL_LANG, else the locale)"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waybill",
        description=_(
            "Print electronic waybills with their pick lists, drive thermal printers, and catch stalled parcels."
        ),
    )
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks of errors"))
    _lang_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The language first: the help texts are translated as the parser is built.
    # Only before the command: `printers decode --lang zpl` is the stream's language.
    pre = argparse.ArgumentParser(add_help=False)  # the full parser checks the choice
    pre.add_argument("--lang")
    pre.add_argument("command", nargs=argparse.REMAINDER)
    set_language(pre.parse_known_args(argv)[0].lang)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except WaybillError as error:
        if args.debug:
            traceback.print_exc()
        print(
            _("waybill: error: {error}").format(error=mask_phones(str(error))), file=sys.stderr
        )  # errors may echo input
        return error.exit_code
    except KeyboardInterrupt:
        print(_("waybill: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`waybill jobs 3 | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
