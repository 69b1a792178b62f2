"""What layout and the PDF writer need from a TrueType font, as one record that reads back from a compact file
(the font cache).

Layout needs the advance widths, ascent and descent and which characters have a glyph; the PDF writer the
descriptor values and, to subset, the character → glyph map, glyph offsets (``loca``), horizontal metrics and
where the tables sit in the file. Parsing the 5 MB bundled collection for these takes a tenth of a second;
reading them back from ``to_bytes`` takes a few milliseconds.
"""

from __future__ import annotations

import json
import struct
import zlib
from array import array
from dataclasses import dataclass

__all__ = ["FORMAT", "FontRecord", "RecordFormatError"]

FORMAT = 1  # bump when the record or its encoding changes: older cache files are then rebuilt
_MAGIC = b"waybill-font\n"
_HEAD = struct.Struct(">II")  # header length, CRC-32 of header + arrays
# The arrays, in file order, with their array type codes (machine byte order: the cache never leaves it).
_ARRAYS = (("codes", "I"), ("widths", "d"), ("glyphs", "I"), ("glyph_offsets", "I"), ("advances", "H"), ("lsbs", "H"))


class RecordFormatError(ValueError):
    """The bytes are not a metrics record this version wrote (a corrupt, truncated or older cache file)."""


@dataclass(frozen=True, eq=False)
class FontRecord:
    """A font's metrics in thousandths of an em (PDF text space), in reportlab's terms where PDF needs them."""

    source: dict[str, object]  # what the record was made from: file size, mtime, hash, subfont, parser version
    name: str  # PostScript name
    subfont_suffix: str  # "-0" for subfont 0 of a collection, "" for a single font
    flags: int
    bbox: tuple[float, float, float, float]
    italic_angle: float
    ascent: float
    descent: float  # negative, as in the font
    cap_height: float
    stem_v: int
    default_width: float
    tables: dict[str, tuple[int, int]]  # tag → (offset in the file, length)
    codes: array[int]  # every character with a glyph, ascending …
    widths: array[float]  # … its advance …
    glyphs: array[int]  # … and its glyph index
    glyph_offsets: array[int]  # ``loca``: glyph i is glyf[offsets[i]:offsets[i + 1]]
    advances: array[int]  # ``hmtx`` per glyph: advance and left side bearing in font units (both unsigned,
    lsbs: array[int]  # as reportlab reads and writes them)

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "source": self.source,
            "name": self.name,
            "subfont_suffix": self.subfont_suffix,
            "flags": self.flags,
            "bbox": list(self.bbox),
            "italic_angle": self.italic_angle,
            "ascent": self.ascent,
            "descent": self.descent,
            "cap_height": self.cap_height,
            "stem_v": self.stem_v,
            "default_width": self.default_width,
            "tables": self.tables,
            "lengths": [len(getattr(self, field)) for field, _ in _ARRAYS],
        }
        head = json.dumps(header, sort_keys=True).encode()
        body = b"".join(getattr(self, field).tobytes() for field, _ in _ARRAYS)
        return _MAGIC + _HEAD.pack(len(head), zlib.crc32(head + body)) + head + body

    @classmethod
    def from_bytes(cls, data: bytes) -> FontRecord:
        """The record ``to_bytes`` wrote; ``RecordFormatError`` for anything else."""
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _HEAD.size:
            raise RecordFormatError("not a font record file")
        start = len(_MAGIC) + _HEAD.size
        head_length, crc = _HEAD.unpack_from(data, len(_MAGIC))
        if zlib.crc32(memoryview(data)[start:]) != crc:
            raise RecordFormatError("checksum mismatch")
        try:
            header = json.loads(data[start : start + head_length])
            if header["format"] != FORMAT:
                raise RecordFormatError(f"format {header['format']}, not {FORMAT}")
            arrays: dict[str, array[int] | array[float]] = {}
            position = start + head_length
            for (field, code), length in zip(_ARRAYS, header["lengths"], strict=True):
                values = array(code)
                end = position + length * values.itemsize
                values.frombytes(data[position:end])
                if len(values) != length:
                    raise RecordFormatError(f"{field}: truncated")
                arrays[field] = values
                position = end
            return cls(
                source=header["source"],
                name=header["name"],
                subfont_suffix=header["subfont_suffix"],
                flags=header["flags"],
                bbox=tuple(header["bbox"]),
                italic_angle=header["italic_angle"],
                ascent=header["ascent"],
                descent=header["descent"],
                cap_height=header["cap_height"],
                stem_v=header["stem_v"],
                default_width=header["default_width"],
                tables={tag: (offset, length) for tag, (offset, length) in header["tables"].items()},
                **arrays,  # type: ignore[arg-type]
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordFormatError(f"bad header: {error}") from error
