"""Labels → one PDF, a page per label of exactly the stock size, written as a stream.

reportlab's document object keeps every page in memory until it saves (about 18 KB a label: 10,000 labels
took 260 MiB), so this writer puts each page on disk as it comes and keeps only object offsets. reportlab
still does the font work: it subsets the TrueType font (``makeSubset``, fed from the cached font record
rather than a fresh parse) and builds the ToUnicode maps that make the text extractable. Bars and boxes are
vector rectangles; text is real text in the embedded subset font, placed at the same advances as the raster.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, makeToUnicodeCMap

from waybill.fonts import Font
from waybill.fonts.cells import CellFont
from waybill.fonts.truetype import Subsetter
from waybill.layout.label import Label, Rect, TextRun, bold_stroke, painted

__all__ = [
    "SUBSET_SIZE",
    "PdfWriter",
]

SUBSET_SIZE = 256  # a simple TrueType font addresses its glyphs with one byte
_CATALOG, _PAGES = 1, 2
_RUNS_KEPT = 4096  # texts whose encoding is kept


class _ObjectWriter:
    """Numbered PDF objects written straight to the stream; only their offsets stay in memory."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.position = 0
        self.offsets: dict[int, int] = {}
        self.next_number = 3  # 1 and 2 are the catalog and the page tree, written last
        self._emit(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def reserve(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def object(self, number: int, body: str) -> None:
        self.offsets[number] = self.position
        self._emit(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))

    def stream(self, number: int, data: bytes, extra: str = "") -> None:
        packed = zlib.compress(data, 6)
        self.offsets[number] = self.position
        head = f"{number} 0 obj\n<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n"
        self._emit(head.encode("latin-1") + packed + b"\nendstream\nendobj\n")

    def finish(self) -> None:
        xref = self.position
        count = self.next_number
        rows = [b"xref\n", f"0 {count}\n".encode(), b"0000000000 65535 f \n"]
        for number in range(1, count):
            offset = self.offsets.get(number)
            rows.append(f"{offset:010d} 00000 n \n".encode() if offset is not None else b"0000000000 65535 f \n")
        trailer = f"trailer\n<< /Size {count} /Root {_CATALOG} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        self._emit(b"".join(rows) + trailer.encode())


class _FontSubsets:
    """Assigns each character a (subset, byte) as pages use it; writes the subset fonts at the end."""

    def __init__(self, font: Font, objects: _ObjectWriter) -> None:
        self.font = font
        self.objects = objects
        self.subsets: list[list[int]] = []
        self.numbers: list[int] = []
        self.codes: dict[str, tuple[int, int]] = {}
        # Field names, the sender and the goods recur on every label: each text is encoded once. A character's
        # code never changes once given, so a kept run stays right; the memo is bounded to keep memory flat.
        self._runs: dict[str, list[tuple[int, bytes]]] = {}

    def code(self, char: str) -> tuple[int, int]:
        code = self.codes.get(char)
        if code is None:
            if not self.subsets or len(self.subsets[-1]) == SUBSET_SIZE:
                self.subsets.append([])
                self.numbers.append(self.objects.reserve())
            self.subsets[-1].append(ord(char))
            code = self.codes[char] = (len(self.subsets) - 1, len(self.subsets[-1]) - 1)
        return code

    def runs(self, text: str) -> list[tuple[int, bytes]]:
        """``text`` as (subset, encoded bytes) runs."""
        kept = self._runs.get(text)
        if kept is not None:
            return kept
        runs: list[tuple[int, bytearray]] = []
        for char in text:
            subset, byte = self.code(char)
            if not runs or runs[-1][0] != subset:
                runs.append((subset, bytearray()))
            runs[-1][1].append(byte)
        if len(self._runs) >= _RUNS_KEPT:
            self._runs.clear()
        kept = self._runs[text] = [(subset, bytes(data)) for subset, data in runs]
        return kept

    def write(self) -> None:
        if not self.subsets:
            return
        face, objects = self.font.record, self.objects
        subsetter = Subsetter(face, self.font.path.read_bytes())
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        bbox = " ".join(str(v) for v in face.bbox)
        widths_of = dict(zip(face.codes, face.widths, strict=True))
        for index, (subset, number) in enumerate(zip(self.subsets, self.numbers, strict=True)):
            name = SUBSETN(index).decode("latin-1") + "+" + face.name + face.subfont_suffix
            program = subsetter.program(subset)
            cmap, descriptor, file = objects.reserve(), objects.reserve(), objects.reserve()
            objects.stream(file, program, f" /Length1 {len(program)}")
            objects.stream(cmap, makeToUnicodeCMap(name, subset).encode("latin-1"))
            objects.object(
                descriptor,
                f"<< /Type /FontDescriptor /FontName /{name} /Flags {flags} /FontBBox [{bbox}] "
                f"/ItalicAngle {face.italic_angle} /Ascent {face.ascent} /Descent {face.descent} "
                f"/CapHeight {face.cap_height} /StemV {face.stem_v} /MissingWidth {face.default_width} "
                f"/FontFile2 {file} 0 R >>",
            )
            widths = " ".join(f"{widths_of.get(code, face.default_width):g}" for code in subset)
            objects.object(
                number,
                f"<< /Type /Font /Subtype /TrueType /BaseFont /{name} /FirstChar 0 /LastChar {len(subset) - 1} "
                f"/Widths [{widths}] /FontDescriptor {descriptor} 0 R /ToUnicode {cmap} 0 R >>",
            )


class PdfWriter:
    """Add labels one at a time; ``close`` finishes the file. Use as a context manager."""

    def __init__(self, target: Path | BinaryIO) -> None:
        self._own = isinstance(target, Path)
        self._out: BinaryIO = target.open("wb") if isinstance(target, Path) else target
        self._objects = _ObjectWriter(self._out)
        self._fonts: _FontSubsets | None = None
        self._pages: list[int] = []

    @property
    def pages(self) -> int:
        return len(self._pages)

    def add(self, label: Label) -> None:
        if self._fonts is None:
            font = label.font.outline if isinstance(label.font, CellFont) else label.font
            self._fonts = _FontSubsets(font, self._objects)
        width, height = label.width_mm * mm, label.height_mm * mm
        scale = mm / label.dots_per_mm  # points per dot
        ops: list[str] = []
        used: set[int] = set()
        colour = None
        for mark in painted(label.marks):
            if mark.white != colour:
                colour = mark.white
                ops.append("1 g 1 G" if colour else "0 g 0 G")
            if isinstance(mark, Rect):
                ops.append(
                    f"{mark.x * scale:.3f} {height - (mark.y + mark.h) * scale:.3f} "
                    f"{mark.w * scale:.3f} {mark.h * scale:.3f} re f"
                )
            elif isinstance(label.font, CellFont):
                ops.append(self._cell_text(mark, label.font, scale, height, used))
            else:
                ops.append(self._text(mark, scale, height, used))
        content, page = self._objects.reserve(), self._objects.reserve()
        self._objects.stream(content, "\n".join(ops).encode("latin-1"))
        fonts = " ".join(f"/F{i} {self._fonts.numbers[i]} 0 R" for i in sorted(used))
        self._objects.object(
            page,
            f"<< /Type /Page /Parent {_PAGES} 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] "
            f"/Contents {content} 0 R /Resources << /Font << {fonts} >> >> >>",
        )
        self._pages.append(page)

    def _text(self, run: TextRun, scale: float, height: float, used: set[int]) -> str:
        assert self._fonts is not None
        size = run.size * scale
        parts = [f"BT {run.x * scale:.3f} {height - run.baseline * scale:.3f} Td"]
        # Bold fills and strokes the outline (render mode 2), the faux bold the raster draws with a stroke
        # of the same width on each side of the outline (a PDF line is centred on it, hence twice as wide).
        # The mode is graphics state that outlives ET, so every run sets its own.
        parts.append(f"2 Tr {2 * bold_stroke(run.size) * scale:.3f} w" if run.bold else "0 Tr")
        for subset, data in self._fonts.runs(run.text):
            used.add(subset)
            parts.append(f"/F{subset} {size:.3f} Tf <{data.hex()}> Tj")
        parts.append("ET")
        return " ".join(parts)

    def _cell_text(self, run: TextRun, font: CellFont, scale: float, height: float, used: set[int]) -> str:
        """Text in a printer's resident font: each character at its cell, as wide as the cell (the raster
        preview squeezes glyphs into cells the same way); bold is the line again one dot to the right."""
        assert self._fonts is not None
        outline = font.outline
        mul = font.magnification(run.size)
        size = int(font.cell / (outline.ascent + outline.descent))
        baseline = run.baseline - font.cell * mul + ((font.cell - size) // 2 + round(size * outline.ascent)) * mul
        parts = ["0 Tr"]
        for shift in (0, 1) if run.bold else (0,):
            x = round(run.x) + shift
            for char in run.text:
                cell = font.cell_width(char) * mul
                advance = outline.advance(char) * size / 1000
                squeeze = min(1.0, font.cell_width(char) / advance) if advance else 1.0
                if not char.isspace():
                    ((subset, data),) = self._fonts.runs(char)
                    used.add(subset)
                    parts.append(
                        f"BT /F{subset} {size * mul * scale:.3f} Tf {100 * squeeze:.2f} Tz "
                        f"{x * scale:.3f} {height - baseline * scale:.3f} Td <{data.hex()}> Tj ET"
                    )
                x += cell
        parts.append("100 Tz")
        return " ".join(parts)

    def close(self) -> None:
        if self._fonts is not None:
            self._fonts.write()
        kids = " ".join(f"{number} 0 R" for number in self._pages)
        self._objects.object(_PAGES, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>")
        self._objects.object(_CATALOG, f"<< /Type /Catalog /Pages {_PAGES} 0 R >>")
        self._objects.finish()
        if self._own:
            self._out.close()

    def __enter__(self) -> PdfWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        elif self._own:
            self._out.close()
