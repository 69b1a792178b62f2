"""``waybill decode FILE -o DIR [--lang L]``: printer bytes back to DIR/label-0001.png …"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from printers.decode import DecodedLabel, Decoder, LanguageChoice
from printers.profiles import get_profile
from waybill.errors import UsageError
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
        raise UsageError(f"cannot create the output directory {output}: {e.strerror or e}") from e
    written = 0
    try:
        with args.file.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                written += _write(decoder.feed(chunk), output)
    except OSError as e:
        raise UsageError(f"cannot read {args.file}: {e.strerror or e}") from e
    written += _write(decoder.finish(), output)
    unknown = decoder.unknown
    summary = f"{written} label{'s' if written != 1 else ''} ({decoder.language or 'empty stream'})"
    print(f"{summary}; {len(unknown)} command{'s' if len(unknown) != 1 else ''} not understood")
    for item in unknown:
        print(f"  {item}")
    return 0


def _write(labels: list[DecodedLabel], output: Path) -> int:
    for label in labels:
        path = output / f"label-{label.index:04d}.png"
        try:
            write_png(label.image, path)
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
        width, height = label.image.size
        copies = f", {label.copies} copies" if label.copies != 1 else ""
        print(f"{path}  {width}×{height} dots  ends with {label.ending}{copies}  (bytes {label.start}–{label.end})")
    sys.stdout.flush()
    return len(labels)
