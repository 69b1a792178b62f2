"""Labels → one PDF, a page per label of exactly the stock size: vector bars and boxes, real text in the
embedded (subset) TrueType font, so the text can be searched and copied."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from reportlab.lib.colors import black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from waybill.layout.label import Label, Rect, TextRun


class PdfWriter:
    """Add labels one at a time; ``close`` writes the file. Use as a context manager."""

    def __init__(self, target: Path | BinaryIO) -> None:
        # invariant: no creation date or random id, so the same labels give the same file.
        self._canvas = Canvas(str(target) if isinstance(target, Path) else target, invariant=1, pageCompression=1)
        self.pages = 0

    def add(self, label: Label) -> None:
        canvas = self._canvas
        height = label.height_mm * mm
        scale = mm / label.dots_per_mm  # points per dot
        canvas.setPageSize((label.width_mm * mm, height))
        for mark in label.marks:
            colour = white if mark.white else black
            canvas.setFillColor(colour)
            if isinstance(mark, Rect):
                canvas.rect(mark.x * scale, height - (mark.y + mark.h) * scale, mark.w * scale, mark.h * scale,
                            stroke=0, fill=1)  # fmt: skip
            else:
                self._text(mark, label, scale, height, colour)
        canvas.showPage()
        self.pages += 1

    def _text(self, run: TextRun, label: Label, scale: float, height: float, colour: object) -> None:
        text = self._canvas.beginText(run.x * scale, height - run.baseline * scale)
        text.setFont(label.font.pdf_name, run.size * scale)
        if run.bold:
            # Fill and stroke the outline: the same faux bold the raster draws with a stroke.
            text.setTextRenderMode(2)
            self._canvas.setStrokeColor(colour)
            self._canvas.setLineWidth(max(1, run.size // 24) * scale)
        text.textOut(run.text)
        self._canvas.drawText(text)

    def close(self) -> None:
        self._canvas.save()

    def __enter__(self) -> PdfWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
