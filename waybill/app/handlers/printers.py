"""``waybill printers profiles [--profiles FILE]``: the printer profiles, built-in and from FILE."""

from __future__ import annotations

import argparse

from printers.languages import driver_for
from printers.profiles import PrinterProfile, load_profiles


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
