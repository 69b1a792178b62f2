"""``waybill decode FILE -o DIR [--lang L]``: printer bytes back to DIR/label-0001.png …"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from printers.decode import DecodedLabel, Decoder, LanguageChoice
from printers.profiles import get_profile
from waybill.errors import UsageError
from waybill.i18n import _, ngettext
from waybill.render.png import write_png

_CHUNK = 1 << 16


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
