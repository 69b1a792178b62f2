"""What every printer-native encoder does alike: check the label was fitted to a resident font, join pick-list
cells into one text command, and split a text run into what the printer's font holds and what goes as a
bitmap, at the dots where each piece starts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import groupby

from printers.errors import ProfileError
from printers.profiles import PrinterProfile
from waybill.fonts.cells import CellFont
from waybill.i18n import _
from waybill.layout.label import Label, Mark, TextRun

__all__ = ["Piece", "RunCells", "joined", "native_font", "pieces", "run_cells"]


def native_font(label: Label, profile: PrinterProfile, name: str) -> CellFont:
    """The resident font ``label`` was laid out with, which must be the printer's font ``name`` (the cells and
    magnifications the layout fitted to); ``ProfileError`` otherwise, or if the label is too wide for the
    head once moved by the x offset."""
    font = label.font
    if not isinstance(font, CellFont) or font.name != name:
        used = font.name if isinstance(font, CellFont) else font.path.name
        raise ProfileError(
            _(
                "printer profile {name!r} prints native labels in {font}, but this label was laid out with {used}"
            ).format(name=profile.name, font=name, used=used)
        )
    profile.check_fits(label.width)
    return font


def joined(marks: Iterable[Mark], font: CellFont) -> Iterator[Mark]:
    """The marks with each run of black text joined to the next when spaces bridge the gap exactly (cells on
    one line of a pick list): the same dots in one command instead of several."""
    pending: TextRun | None = None
    for mark in marks:
        if pending is not None and isinstance(mark, TextRun):
            space = font.cell_width(" ") * font.magnification(pending.size)
            gap = mark.x - pending.x - font.width(pending.text, pending.size)
            same_line = (mark.baseline, mark.size, mark.bold, mark.white) == (
                pending.baseline,
                pending.size,
                pending.bold,
                False,
            )
            if same_line and gap >= 0 and gap % space == 0 and mark.x == round(mark.x):
                pending = replace(pending, text=pending.text + " " * int(gap // space) + mark.text)
                continue
        if pending is not None:
            yield pending
            pending = None
        if isinstance(mark, TextRun) and not mark.white and mark.x == round(mark.x):
            pending = mark
        else:
            yield mark
    if pending is not None:
        yield pending


@dataclass(frozen=True)
class RunCells:
    """Where a text run's cells are, in printer dots: its magnification and the area they cover (a bold
    run's second drawing one dot to the right included)."""

    mul: int
    left: int
    top: int
    width: int
    height: int


def run_cells(run: TextRun, font: CellFont, dx: int = 0, dy: int = 0) -> RunCells:
    """The cells of ``run``, moved by (``dx``, ``dy``): their top is a cell above the baseline."""
    mul = font.magnification(run.size)
    width = sum(font.cell_width(char) for char in run.text) * mul + (1 if run.bold else 0)
    return RunCells(mul, round(run.x) + dx, run.baseline - font.cell * mul + dy, width, font.cell * mul)


@dataclass(frozen=True)
class Piece:
    """Characters of a run that the printer's font holds (``resident``) or lacks, starting ``x`` dots in."""

    x: int
    text: str
    resident: bool


def pieces(text: str, font: CellFont, left: int, mul: int) -> Iterator[Piece]:
    """``text`` (starting at ``left``) split where the printer's font starts or stops holding it."""
    x = left
    for resident, chars in groupby(text, font.resident):
        piece = "".join(chars)
        yield Piece(x, piece, resident)
        x += sum(font.cell_width(char) for char in piece) * mul
