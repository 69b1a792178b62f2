"""``waybill render``: orders → PNG files, one PDF, or a printer-ready ESC/POS, TSPL or ZPL stream."""

from __future__ import annotations

import argparse
from pathlib import Path

from printers.languages import LANGUAGES, driver_for
from printers.profiles import PrinterProfile, get_profile, require_same_dpi
from waybill.app.commands.common import Report, label_job, read_orders_for
from waybill.errors import UsageError
from waybill.i18n import _
from waybill.output import LabelSink, PdfFile, PngFolder, write_all
from waybill.pipeline import labels_for


def open_sink(fmt: str, output: Path, profile: PrinterProfile | None) -> LabelSink:
    if fmt == "png":
        return PngFolder(output)
    if fmt == "pdf":
        return PdfFile(output)
    assert profile is not None
    # The printer encoders (and numpy, 0.1 s to import) load for printer formats only.
    from waybill.app.handlers.printer_stream import printer_file

    return printer_file(output, profile)


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
