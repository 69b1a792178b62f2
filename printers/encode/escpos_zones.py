"""What ESC/POS page mode cannot draw by command, worked out before a native label is encoded: page mode only
adds dots, so every white mark (an inverse element's text, a white rule) and whatever black text or symbol
touches it goes as an ``ESC *`` image of the preview there (a zone), and the black rules are cut around the
zones."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from PIL import Image

from waybill.fonts.cells import CellFont
from waybill.layout.label import Barcode, Label, Mark, QRCode, Rect, TextRun, painted
from waybill.render.raster import rasterize

__all__ = ["Box", "empty", "outside", "preview", "white_zones"]

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


def _mark_box(mark: Mark, font: CellFont) -> Box:
    """The dots a mark may paint."""
    if isinstance(mark, Rect):
        return mark.x, mark.y, mark.x + mark.w, mark.y + mark.h
    if isinstance(mark, TextRun):
        mul = font.magnification(mark.size)
        left = round(mark.x)
        width = sum(font.cell_width(char) for char in mark.text) * mul + (1 if mark.bold else 0)
        return left, mark.baseline - font.cell * mul, left + width, mark.baseline
    if isinstance(mark, Barcode):
        across, along = (mark.height, mark.length) if mark.vertical else (mark.length, mark.height)
        return mark.x, mark.y, mark.x + across, mark.y + along
    return mark.x, mark.y, mark.x + mark.size, mark.y + mark.size


def _meets(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _within(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def empty(box: Box) -> bool:
    return box[2] <= box[0] or box[3] <= box[1]


def white_zones(marks: Sequence[Mark], font: CellFont) -> list[Box]:
    """The areas sent as bit images: what each white mark covers, grown to hold every black text run or
    symbol that touches it, overlapping areas merged."""
    zones = [
        box
        for mark in marks
        if isinstance(mark, Rect | TextRun) and mark.white and not empty(box := _mark_box(mark, font))
    ]
    drawn = [
        _mark_box(mark, font) for mark in marks if isinstance(mark, TextRun | Barcode | QRCode) and not _white(mark)
    ]
    changed = bool(zones)
    while changed:
        changed = False
        for index, zone in enumerate(zones):
            grown = zone
            for box in drawn:
                if _meets(box, grown) and not _within(box, grown):
                    grown = _union(grown, box)
            for other in zones[index + 1 :]:
                if _meets(other, grown):
                    grown = _union(grown, other)
            if grown != zone:
                zones = [z for z in zones if not _within(z, grown)] + [grown]
                changed = True
                break
    return zones


def _white(mark: Mark) -> bool:
    return isinstance(mark, Rect | TextRun) and mark.white


def outside(marks: Iterable[Mark], zones: Sequence[Box], font: CellFont) -> Iterator[Mark]:
    """The black marks as drawn by command: rules cut around the zones, the rest left out of them."""
    for mark in marks:
        if _white(mark):
            continue
        if isinstance(mark, Rect):
            yield from _cut(mark, zones)
        elif not any(_meets(_mark_box(mark, font), zone) for zone in zones):
            yield mark


def _cut(rect: Rect, zones: Sequence[Box]) -> Iterator[Rect]:
    """``rect`` less the zones, as up to four rectangles around each."""
    pieces = [(rect.x, rect.y, rect.x + rect.w, rect.y + rect.h)]
    for zx0, zy0, zx1, zy1 in zones:
        kept: list[Box] = []
        for x0, y0, x1, y1 in pieces:
            if not _meets((x0, y0, x1, y1), (zx0, zy0, zx1, zy1)):
                kept.append((x0, y0, x1, y1))
                continue
            top, bottom = max(y0, zy0), min(y1, zy1)
            parts = [(x0, y0, x1, top), (x0, bottom, x1, y1), (x0, top, max(x0, zx0), bottom)]
            parts.append((min(x1, zx1), top, x1, bottom))
            kept.extend(part for part in parts if not empty(part))
        pieces = kept
    for x0, y0, x1, y1 in pieces:
        yield Rect(x0, y0, x1 - x0, y1 - y0)


def preview(label: Label, zone: Box) -> Image.Image:
    """The preview's dots in ``zone`` as an ink mask (255 = a dot)."""
    left, top, right, bottom = zone
    shifted: list[Mark] = []
    assert isinstance(label.font, CellFont)
    for mark in painted(label.marks):
        if not _meets(_mark_box(mark, label.font), zone):
            continue
        if isinstance(mark, Rect):
            shifted.append(replace(mark, x=mark.x - left, y=mark.y - top))
        else:
            shifted.append(replace(mark, x=mark.x - left, baseline=mark.baseline - top))
    part = replace(label, width=right - left, height=bottom - top, marks=tuple(shifted))
    return rasterize(part).point(lambda value: 0 if value else 255, "1")  # white is stored as 1
