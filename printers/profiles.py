"""Printer facts as data: one frozen ``PrinterProfile`` per printer model, and a TOML file to add or override them.

Encoders and transports read these facts; nothing branches on a printer's *name*.

A profile file (``--profiles FILE``) holds one table per profile::

    [profiles.tspl-203]          # override a built-in: only the keys given change
    offset_x_dots = 12

    [profiles.shelf-left]        # a new profile: start from a built-in with ``base``...
    base = "escpos-4inch"
    image_command = "graphics"

    [profiles.bench-300]         # ...or give every required key
    language = "tspl"
    dpi = 300                    # or dots_per_mm = 11.811; 203 dpi means exactly 8 dots/mm
    head_width_dots = 1248
    max_band_bytes = 1048576
    label_end = "gap_feed"

Every bad value is a ``ProfileError`` naming the file, the table and the key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from printers.errors import ProfileError
from printers.languages import LANGUAGES
from waybill.i18n import _
from waybill.units import dots_per_mm

__all__ = [
    "BUILTIN_PROFILES",
    "DEFAULT_PROFILE",
    "ImageCommand",
    "LabelEnd",
    "Language",
    "PrinterProfile",
    "get_profile",
    "load_profiles",
    "require_same_dpi",
]

Language = str  # a name in printers.languages.LANGUAGES: the driver that speaks to the printer
# What ends a label. ESC/POS: GS FF (feed to the next gap), GS V (feed to the cutter and cut), nothing.
# TSPL: GAP g mm,0 mm; GAP + SET CUTTER 1; GAP 0,0 (continuous media). ZPL: ^MNY gap tracking; + ^MMC
# cutter; ^MNN continuous media.
LabelEnd = Literal["gap_feed", "cut", "none"]
# ESC/POS image command: GS v 0 raster bit image, or GS 8 L fn 112 + GS ( L fn 50 graphics.
ImageCommand = Literal["raster", "graphics"]

DEFAULT_PROFILE = "tspl-203"  # four-inch waybill printers speak TSPL first

_LABEL_ENDS: tuple[str, ...] = get_args(LabelEnd)
_IMAGE_COMMANDS: tuple[str, ...] = get_args(ImageCommand)


@dataclass(frozen=True)
class PrinterProfile:
    """What the encoders and the print spooler need to know about one printer model."""

    name: str
    language: Language
    dots_per_mm: float
    head_width_dots: int
    # Largest image data (bytes) one raster command may carry: the printer's receive buffer.
    max_band_bytes: int
    label_end: LabelEnd
    image_command: ImageCommand = "raster"
    # Answers status queries: DLE EOT n (ESC/POS), ESC ! ? (TSPL) or ~HS (ZPL).
    answers_status: bool = False
    # Answers GS ( H fn 48 "printed" acknowledgements (ESC/POS).
    answers_ack: bool = False
    # Accepts GS ( D to disable the real-time commands DLE DC4 fn 1 and 2 around a raster (ESC/POS).
    realtime_disable: bool = False
    head_speed_mm_s: float = 100.0
    gap_mm: float = 3.0
    # Calibration: where the label's top-left dot lands on the head (like a print component's offset).
    offset_x_dots: int = 0
    offset_y_dots: int = 0
    # Printer-native labels: text in the printer's resident font, barcodes, QR codes and rules by command,
    # bitmaps only for what the printer cannot draw (every language's driver; ESC/POS: page mode on a
    # Chinese model).
    native: bool = False
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for key in _FIELD_NAMES:
            problem = _check(key, getattr(self, key))
            if problem:
                raise ProfileError(
                    _("printer profile {name!r}: {key}: {problem}").format(name=self.name, key=key, problem=problem)
                )

    @property
    def dpi(self) -> int:
        return round(self.dots_per_mm * 25.4)

    def dots(self, mm: float) -> int:
        """Whole dots for a length in mm (100 mm → 800 at 203 dpi, 1181 at 300 dpi)."""
        return round(mm * self.dots_per_mm)

    def mm(self, dots: int) -> float:
        return dots / self.dots_per_mm

    def check_fits(self, width: int) -> None:
        """Raise unless a label ``width`` dots wide fits the head once moved by the x offset."""
        right = self.offset_x_dots + width
        if right > self.head_width_dots:
            raise ProfileError(
                _(
                    "label is {width} dots wide ({width_mm:.1f} mm); with the x offset of {offset} dots it needs "
                    "{right} dots, but printer profile {name!r} has a head of {head} dots ({head_mm:.1f} mm)"
                ).format(
                    width=width,
                    width_mm=self.mm(width),
                    offset=self.offset_x_dots,
                    right=right,
                    name=self.name,
                    head=self.head_width_dots,
                    head_mm=self.mm(self.head_width_dots),
                )
            )


def require_same_dpi(dpi: int, profile: PrinterProfile) -> None:
    """Labels laid out at ``dpi`` must be printed by a head of the same resolution, or they change size."""
    if abs(dots_per_mm(dpi) - profile.dots_per_mm) > 0.01:
        raise ProfileError(
            _("labels are laid out at {dpi} dpi but printer profile {name} is {profile_dpi} dpi").format(
                dpi=dpi, name=profile.name, profile_dpi=profile.dpi
            )
        )


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(PrinterProfile))
_REQUIRED = tuple(
    f.name
    for f in dataclasses.fields(PrinterProfile)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and f.name != "name"
)


def _check(key: str, value: Any) -> str | None:
    """Why ``value`` is not valid for field ``key`` (None when it is)."""
    if key in ("name", "description"):
        return None if isinstance(value, str) else _("must be a string")
    if key == "language":
        return (
            None if value in LANGUAGES else _("must be one of {choices}").format(choices=", ".join(sorted(LANGUAGES)))
        )
    if key == "label_end":
        return None if value in _LABEL_ENDS else _("must be one of {choices}").format(choices=", ".join(_LABEL_ENDS))
    if key == "image_command":
        return (
            None
            if value in _IMAGE_COMMANDS
            else _("must be one of {choices}").format(choices=", ".join(_IMAGE_COMMANDS))
        )
    if key in ("answers_status", "answers_ack", "realtime_disable", "native"):
        return None if isinstance(value, bool) else _("must be true or false")
    # Upper bounds far past any printer, so that no setting is absurd (a head of 10^30 dots).
    if key in ("head_width_dots", "max_band_bytes"):
        if not _is_int(value) or not 1 <= value <= _MOST[key]:
            return _("must be a whole number from 1 to {most:,}").format(most=_MOST[key])
        return None
    if key in ("offset_x_dots", "offset_y_dots"):
        ok = _is_int(value) and 0 <= value <= _MOST[key]
        return None if ok else _("must be a whole number of dots from 0 to {most:,}").format(most=_MOST[key])
    if key in ("dots_per_mm", "head_speed_mm_s"):
        return (
            None
            if _is_number(value) and 0 < value <= _MOST[key]
            else _("must be a number above 0, at most {most:g}").format(most=_MOST[key])
        )
    if key == "gap_mm":
        return (
            None
            if _is_number(value) and 0 <= value <= _MOST[key]
            else _("must be a number from 0 to {most:g}").format(most=_MOST[key])
        )
    return _("is not a profile setting")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_MOST = {
    "head_width_dots": 8192,
    "max_band_bytes": 1 << 24,
    "offset_x_dots": 8192,
    "offset_y_dots": 8192,
    "dots_per_mm": 48.0,  # 1200 dpi
    "head_speed_mm_s": 2000.0,
    "gap_mm": 100.0,
}


BUILTIN_PROFILES: Mapping[str, PrinterProfile] = MappingProxyType(
    {
        p.name: p
        for p in (
            PrinterProfile(
                name="escpos-80mm",
                language="escpos",
                dots_per_mm=8.0,
                head_width_dots=576,
                max_band_bytes=16_384,
                label_end="cut",
                answers_status=True,
                head_speed_mm_s=150.0,
                gap_mm=0.0,
                description="80 mm receipt printer, ESC/POS, cutter",
            ),
            PrinterProfile(
                name="escpos-4inch",
                language="escpos",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=65_535,
                label_end="gap_feed",
                answers_status=True,
                answers_ack=True,
                realtime_disable=True,
                head_speed_mm_s=150.0,
                gap_mm=3.0,
                description="4-inch dual-mode label printer, ESC/POS (TM-L90 class)",
            ),
            PrinterProfile(
                name="escpos-4inch-native",
                language="escpos",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=65_535,
                label_end="gap_feed",
                answers_status=True,
                answers_ack=True,
                realtime_disable=True,
                head_speed_mm_s=150.0,
                gap_mm=3.0,
                native=True,
                description="4-inch dual-mode label printer, ESC/POS, native labels: page mode, Font A 12×24 "
                "and GB18030 24×24 (Chinese model)",
            ),
            PrinterProfile(
                name="tspl-203",
                language="tspl",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=152.0,
                gap_mm=3.0,
                description="4-inch waybill printer, TSPL, 203 dpi (XP-420B class)",
            ),
            PrinterProfile(
                name="tspl-203-native",
                language="tspl",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=152.0,
                gap_mm=3.0,
                native=True,
                description="4-inch waybill printer, TSPL, 203 dpi, native labels: resident font TSS24.BF2",
            ),
            PrinterProfile(
                name="tspl-300",
                language="tspl",
                dots_per_mm=300 / 25.4,
                head_width_dots=1248,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=102.0,
                gap_mm=3.0,
                description="4-inch waybill printer, TSPL, 300 dpi",
            ),
            PrinterProfile(
                name="zpl-203",
                language="zpl",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=102.0,
                gap_mm=3.0,
                description="4-inch label printer, ZPL II, 203 dpi (Zebra GK888t class)",
            ),
            PrinterProfile(
                name="zpl-203-native",
                language="zpl",
                dots_per_mm=8.0,
                head_width_dots=832,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=102.0,
                gap_mm=3.0,
                native=True,
                description="4-inch label printer, ZPL II, 203 dpi, native labels: resident font E:ANMDS.TTF",
            ),
            PrinterProfile(
                name="zpl-300",
                language="zpl",
                dots_per_mm=300 / 25.4,
                head_width_dots=1248,
                max_band_bytes=1_048_576,
                label_end="gap_feed",
                answers_status=True,
                head_speed_mm_s=102.0,
                gap_mm=3.0,
                description="4-inch label printer, ZPL II, 300 dpi (Zebra ZD421 class)",
            ),
        )
    }
)


def load_profiles(path: Path | str | None = None) -> dict[str, PrinterProfile]:
    """The built-in profiles, with those of the TOML file at ``path`` added or overriding them."""
    profiles = dict(BUILTIN_PROFILES)
    if path is None:
        return profiles
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ProfileError(
            _("{path}: cannot read the profile file: {reason}").format(path=path, reason=e.strerror or e)
        ) from e
    except UnicodeDecodeError as e:
        raise ProfileError(_("{path}: not UTF-8 text: {error}").format(path=path, error=e)) from e
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(_("{path}: not valid TOML: {error}").format(path=path, error=e)) from e
    unknown = sorted(set(document) - {"profiles"})
    if unknown:
        raise ProfileError(
            _("{path}: {table}: unknown table (profiles go in [profiles.NAME])").format(path=path, table=unknown[0])
        )
    tables = document.get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError(_("{path}: profiles: must be a table of [profiles.NAME] tables").format(path=path))
    for name, table in tables.items():
        profiles[name] = _profile_from_table(path, name, table, profiles)
    return profiles


def _profile_from_table(path: Path, name: str, table: Any, known: Mapping[str, PrinterProfile]) -> PrinterProfile:
    where = f"{path}: [profiles.{name}]"
    if not isinstance(table, dict):
        raise ProfileError(_("{where}: must be a table").format(where=where))
    values = dict(table)
    base_name = values.pop("base", None)
    if base_name is not None:
        if not isinstance(base_name, str) or base_name not in known:
            raise ProfileError(
                _("{where} base: unknown profile {base_name!r}; known: {known}").format(
                    where=where, base_name=base_name, known=", ".join(sorted(known))
                )
            )
        base: PrinterProfile | None = known[base_name]
    else:
        base = known.get(name)
    if "dpi" in values:
        if "dots_per_mm" in values:
            raise ProfileError(_("{where} dpi: give dpi or dots_per_mm, not both").format(where=where))
        dpi = values.pop("dpi")
        if not _is_number(dpi) or not 0 < dpi <= 1200:
            raise ProfileError(_("{where} dpi: must be a number above 0, at most 1200").format(where=where))
        values["dots_per_mm"] = dots_per_mm(dpi)
    for key, value in values.items():
        if key == "name":
            raise ProfileError(_("{where} name: the name is the table's name; remove this key").format(where=where))
        problem = _check(key, value)
        if problem:
            raise ProfileError(_("{where} {key}: {problem}").format(where=where, key=key, problem=problem))
    if base is None:
        missing = [key for key in _REQUIRED if key not in values]
        if missing:
            raise ProfileError(
                _(
                    '{where} {key}: missing (a new profile needs {keys}, or base = "NAME" of a profile to start from)'
                ).format(where=where, key=missing[0], keys=", ".join(_REQUIRED))
            )
        return PrinterProfile(name=name, **values)
    if base_name is not None and "description" not in values:
        values["description"] = f"{base.description} (from {base_name})".strip()
    return dataclasses.replace(base, name=name, **values)


def get_profile(name: str, extra_file: Path | str | None = None) -> PrinterProfile:
    """The profile called ``name``, from the built-ins and ``extra_file``; ``ProfileError`` if unknown."""
    profiles = load_profiles(extra_file)
    try:
        return profiles[name]
    except KeyError:
        raise ProfileError(
            _("unknown printer profile {name!r}; known: {known}").format(name=name, known=", ".join(sorted(profiles)))
        ) from None
