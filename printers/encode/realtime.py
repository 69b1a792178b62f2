"""ESC/POS real-time commands hiding in image data, and how the encoder defuses them.

A printer scans every received byte for the real-time commands ``DLE EOT n`` (10 04 n), ``DLE ENQ n``
(10 05 n) and ``DLE DC4 fn …`` (10 14 fn …) and executes them on the spot, even in the middle of a
raster's data. A dithered picture, or a text stroke that happens to give a byte 0x10 followed by 0x04,
then makes the printer answer a status byte, recover from an error, clear its buffer or pulse a drawer.

Which sequences count: the union of the ranges Epson-compatible manuals document, wider than any one
of them: ``DLE EOT n`` with n 1–8 (1–4 on the TM-T88, 5 slip on the TM-U925, 7 and 8 ink/peeler on
others), ``DLE ENQ n`` with n 0–4, and ``DLE DC4`` with *any* function byte. A 0x10 0x04 or 0x10 0x05
at the very end of the data also counts, as its ``n`` would be whatever byte comes next. Other ``n``
are ignored by printers (``DLE EOT 12`` is not a command), and rendered waybills do contain them
(``10 04 0c`` about once a label), so treating them as hazards would change dots for nothing.

``GS ( D`` only disables ``DLE DC4`` fn 1 (drawer pulse) and fn 2 (power off); nothing disables
``DLE EOT`` or ``DLE ENQ``. With ``GS ( D`` in force, ``10 14 01`` and ``10 14 02`` are therefore safe
and every other hazard still has to be defused.

The fix: clear the hazard's 0x10 byte to 0x00. 0x10 has a single bit set, so this whitens exactly one
dot (the 4th of that byte's 8). 0x00 cannot start a hazard, but it can be the ``n`` that completes one
(``10 05 10 04 01`` becomes ``10 05 00 04 01``: DLE ENQ 0), so the scan repeats until nothing is found;
each pass removes at least one 0x10, so it ends, and the image changes by one dot per hazard. Splitting the band
does not help: the two bytes are almost always in the same row, and a band holds whole rows.
Sequences that straddle two commands are harmless, because the next command's header (1D …) lies
between them; the encoder still checks each header with its neighbours (a band of 1040 rows writes
``10 04`` into its own row count) and shortens the band by a row when that happens.
"""

from __future__ import annotations

import re

__all__ = ["HAZARD_BIT", "defuse", "find_hazards", "hazard_pattern"]

# Bit cleared in the 0x10 byte, counted from the most significant (leftmost) dot.
HAZARD_BIT = 3

_EOT_ENQ = rb"\x04(?:[\x01-\x08]|\Z)|\x05(?:[\x00-\x04]|\Z)"
_ANY = re.compile(rb"\x10(?:" + _EOT_ENQ + rb"|\x14)")
# With GS ( D: DLE DC4 fn 1 and fn 2 are off; a DLE DC4 whose fn byte is not (yet) seen stays a hazard.
_DC4_DISABLED = re.compile(rb"\x10(?:" + _EOT_ENQ + rb"|\x14(?![\x01\x02]))")


def hazard_pattern(dc4_disabled: bool) -> re.Pattern[bytes]:
    return _DC4_DISABLED if dc4_disabled else _ANY


def find_hazards(data: bytes, dc4_disabled: bool = False) -> list[int]:
    """Offsets of the 0x10 bytes that start a real-time command in ``data``."""
    return [match.start() for match in hazard_pattern(dc4_disabled).finditer(data)]


def defuse(data: bytes, dc4_disabled: bool = False) -> tuple[bytes, tuple[int, ...]]:
    """``data`` with every hazard's 0x10 byte cleared, and the offsets of the bytes changed."""
    pattern = hazard_pattern(dc4_disabled)
    if pattern.search(data) is None:
        return data, ()
    fixed = bytearray(data)
    changed: set[int] = set()
    while offsets := [match.start() for match in pattern.finditer(fixed)]:
        for offset in offsets:
            fixed[offset] = 0x00
        changed.update(offsets)
    return bytes(fixed), tuple(sorted(changed))
