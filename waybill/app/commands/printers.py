"""Sub-commands of the printers package.

``waybill printers profiles [--profiles FILE]``   the printer profiles, built-in and from FILE
``waybill printers check --pool FILE``             each printer of a pool file: connected, and its status
``waybill decode FILE -o DIR [--lang L]``         printer bytes back to DIR/label-0001.png …
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from printers.decode import DecodedLabel, Decoder, LanguageChoice
from printers.languages import LANGUAGES, driver_for
from printers.pool_file import load_pool_file
from printers.pool_printer import Probe, probe
from printers.profiles import PrinterProfile, get_profile, load_profiles
from waybill.errors import UsageError
from waybill.i18n import _, ngettext
from waybill.render.png import write_png

_CHUNK = 1 << 16


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    printers = subparsers.add_parser("printers", help=_("printer profiles, and the printers of a pool file"))
    printers_commands = printers.add_subparsers(dest="printers_command", metavar="COMMAND", required=True)
    profiles = printers_commands.add_parser("profiles", help=_("list the printer profiles"))
    profiles.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    profiles.set_defaults(handler=_profiles)
    check = printers_commands.add_parser(
        "check",
        help=_("connect to each printer of a pool file and report its status"),
        description=_(
            "Connects to every printer of the pool file at once and asks its status; a printer that "
            "cannot be reached is a line of the report. Exit status 1 when any printer is not ready."
        ),
    )
    check.add_argument(
        "--pool", metavar="FILE", type=Path, required=True, help=_("pool file ([printers.NAME], [pools])")
    )
    check.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    check.set_defaults(handler=_check)

    decode = subparsers.add_parser(
        "decode",
        help=_("decode an ESC/POS, TSPL or ZPL stream back to label images"),
        description=_(
            "Decode printer bytes (ESC/POS, TSPL or ZPL) into DIR/label-0001.png … and list the "
            "commands that were not understood."
        ),
    )
    decode.add_argument("file", metavar="FILE", type=Path, help=_("printer stream to decode"))
    decode.add_argument("-o", "--output", metavar="DIR", type=Path, required=True, help=_("directory for the PNGs"))
    decode.add_argument("--lang", choices=("auto", *LANGUAGES), default="auto", help=_("stream language"))
    decode.add_argument(
        "--profile", metavar="NAME", help=_("printer profile: head width (ESC/POS) and dots per mm (TSPL SIZE)")
    )
    decode.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    decode.set_defaults(handler=_decode)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _row(profile: PrinterProfile) -> list[str]:
    return [
        profile.name,
        profile.language,
        str(profile.dpi),
        str(profile.head_width_dots),
        f"{profile.mm(profile.head_width_dots):.0f}",
        str(profile.max_band_bytes),
        profile.label_end,
        driver_for(profile.language).image_encoding(profile),
        _yes(profile.answers_status),
        _yes(profile.answers_ack),
        _yes(profile.realtime_disable),
        f"{profile.head_speed_mm_s:g}",
        f"{profile.gap_mm:g}",
        f"{profile.offset_x_dots},{profile.offset_y_dots}",
        profile.description,
    ]


_HEADINGS = [
    "name",
    "language",
    "dpi",
    "head dots",
    "head mm",
    "band bytes",
    "label end",
    "image",
    "status",
    "ack",
    "GS(D",
    "mm/s",
    "gap mm",
    "offset x,y",
    "description",
]


def _profiles(args: argparse.Namespace) -> int:
    profiles = load_profiles(args.profiles)
    rows = [_HEADINGS, *(_row(profiles[name]) for name in sorted(profiles))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADINGS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _check(args: argparse.Namespace) -> int:
    pool_file = load_pool_file(args.pool, args.profiles)
    specs = list(pool_file.printers.values())
    if not specs:
        print(f"{pool_file.source}: no printers")
        return 0
    with ThreadPoolExecutor(max_workers=min(16, len(specs))) as workers:
        answers: list[Probe] = list(workers.map(lambda spec: probe(spec.uri, spec.profile), specs))
    pool_of = {printer: pool for pool, members in pool_file.pools.items() for printer in members}
    rows = [["printer", "uri", "profile", "line", "pool", "status"]] + [
        [spec.name, spec.uri, spec.profile.name, spec.line or "-", pool_of.get(spec.name, "-"), answer.detail]
        for spec, answer in zip(specs, answers, strict=True)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[5]]))
    ready = {spec.name for spec, answer in zip(specs, answers, strict=True) if answer.ready}
    for pool, members in pool_file.pools.items():
        up = [name for name in members if name in ready]
        print(f"pool {pool}: {len(up)} of {len(members)} printers ready{' (' + ', '.join(up) + ')' if up else ''}")
    return 0 if len(ready) == len(specs) else 1


def _decode(args: argparse.Namespace) -> int:
    profile = get_profile(args.profile, args.profiles) if args.profile else None
    language: LanguageChoice = args.lang
    decoder = Decoder(language, profile)
    output: Path = args.output
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(
            _("cannot create the output directory {path}: {reason}").format(path=output, reason=e.strerror or e)
        ) from e
    written = 0
    try:
        with args.file.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                written += _write(decoder.feed(chunk), output)
    except OSError as e:
        raise UsageError(_("cannot read {path}: {reason}").format(path=args.file, reason=e.strerror or e)) from e
    written += _write(decoder.finish(), output)
    unknown = decoder.unknown
    labels = ngettext("{n} label ({language})", "{n} labels ({language})", written).format(
        n=written, language=decoder.language or _("empty stream")
    )
    commands = ngettext("{n} command not understood", "{n} commands not understood", len(unknown)).format(
        n=len(unknown)
    )
    print(_("{labels}; {commands}").format(labels=labels, commands=commands))
    for item in unknown:
        print(f"  {item}")
    return 0


def _write(labels: list[DecodedLabel], output: Path) -> int:
    for label in labels:
        path = output / f"label-{label.index:04d}.png"
        try:
            write_png(label.image, path)
        except OSError as e:
            raise UsageError(_("cannot write {path}: {reason}").format(path=path, reason=e.strerror or e)) from e
        width, height = label.image.size
        line = (
            _("{path}  {width}×{height} dots  ends with {ending}  (bytes {start}–{end})")
            if label.copies == 1
            else _("{path}  {width}×{height} dots  ends with {ending}, {copies} copies  (bytes {start}–{end})")
        )
        print(
            line.format(
                path=path,
                width=width,
                height=height,
                ending=label.ending,
                copies=label.copies,
                start=label.start,
                end=label.end,
            )
        )
    sys.stdout.flush()
    return len(labels)
