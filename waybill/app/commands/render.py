"""``waybill render``: orders → PNG files, one PDF, or a printer-ready ESC/POS, TSPL or ZPL stream."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from printers.encode import encode_label_for_session, session_opening
from printers.languages import LANGUAGES, driver_for
from printers.profiles import PrinterProfile, get_profile, require_same_dpi
from waybill.app.commands.common import Report, add_db_option, add_label_options, label_job, read_orders_for
from waybill.errors import UsageError
from waybill.i18n import _
from waybill.layout.label import Label
from waybill.output import LabelSink, PdfFile, PngFolder, PrinterFile, write_all
from waybill.pipeline import labels_for

FORMATS = ("png", "pdf", *LANGUAGES)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "render",
        help=_("render orders to label images, a PDF, or a printer stream"),
        description=_(
            "Render every order of ORDERS (JSON Lines or CSV) as combined waybill + pick-list labels. "
            "Bad orders stop the run before anything is written, unless --skip-invalid."
        ),
    )
    parser.add_argument("orders", type=Path, help=_("orders file (.jsonl or .csv)"))
    parser.add_argument("-f", "--format", choices=FORMATS, default="png", help=_("output format"))
    parser.add_argument("-o", "--output", type=Path, required=True, help=_("folder for PNGs, file for the others"))
    parser.add_argument(
        "--profile",
        help=_(
            "printer profile for escpos/tspl/zpl output (`waybill printers profiles`); with png/pdf, a native "
            "profile previews its labels"
        ),
    )
    parser.add_argument("--profiles", type=Path, help=_("a TOML file of extra or overriding printer profiles"))
    add_label_options(parser)
    add_db_option(parser)  # where orders without a number get theirs (see `waybill numbers`)
    parser.set_defaults(handler=run, dpi=None)


def open_sink(fmt: str, output: Path, profile: PrinterProfile | None) -> LabelSink:
    if fmt == "png":
        return PngFolder(output)
    if fmt == "pdf":
        return PdfFile(output)
    assert profile is not None
    return PrinterFile(output, lambda label: [_encoded(label, profile)], prologue=session_opening(profile))


def _encoded(label: Label, profile: PrinterProfile) -> bytes:
    encoded = encode_label_for_session(label, profile)
    if encoded.altered_dots:
        print(
            _("warning: {label}: {n} dot(s) whitened so the image data holds no printer real-time command").format(
                label=label.file_stem, n=len(encoded.altered_dots)
            ),
            file=sys.stderr,
        )
    return encoded.data


def printer_profile(args: argparse.Namespace) -> PrinterProfile | None:
    """The profile for printer formats, which must speak the format's language and match the dpi; with
    png/pdf, a native profile whose labels to preview."""
    if args.format not in LANGUAGES:
        if not args.profile:
            return None
        profile = get_profile(args.profile, args.profiles)
        if not profile.native:
            raise UsageError(
                _("--profile goes with -f {formats}, or names a native profile to preview").format(
                    formats=", -f ".join(LANGUAGES)
                )
            )
    else:
        profile = get_profile(args.profile or driver_for(args.format).default_profile, args.profiles)
        if profile.language != args.format:
            raise UsageError(
                _("profile {profile} speaks {language}, not {format}").format(
                    profile=profile.name, language=profile.language, format=args.format
                )
            )
    args.dpi = args.dpi or profile.dpi
    require_same_dpi(args.dpi, profile)
    return profile


def run(args: argparse.Namespace) -> int:
    profile = printer_profile(args)
    args.dpi = args.dpi or 203
    job = label_job(args, profile=profile)
    loaded = read_orders_for(args, job, args.orders)
    report = Report()
    report.problems(loaded.problems)
    sink = open_sink(args.format, args.output, profile)
    labels = labels_for(
        loaded.orders, job, on_warning=report.warning, on_skip=report.skip if args.skip_invalid else None
    )
    written = write_all(sink, labels)
    where = args.output if args.format == "png" else written.paths[0]
    print(
        _(
            "rendered {labels} label(s) for {orders} order(s) to {where}; "
            "{warnings} warning(s), {skipped} order(s) skipped"
        ).format(
            labels=written.labels, orders=written.orders, where=where, warnings=report.warnings, skipped=report.skipped
        )
    )
    return 0
