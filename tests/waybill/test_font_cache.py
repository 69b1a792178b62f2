"""The font metrics cache: read back it equals a fresh parse; corrupt, stale or unwritable caches are rebuilt
or skipped, never an error; subsets made from it are reportlab's own, byte for byte."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP
from waybill.fonts import bundled_font_path
from waybill.fonts.cache import cache_file, font_record
from waybill.fonts.record import FontRecord
from waybill.fonts.truetype import Subsetter, parse

ROOT = Path(__file__).resolve().parents[2]
FIELDS = [name for name in FontRecord.__dataclass_fields__ if name != "source"]


def same_metrics(a: FontRecord, b: FontRecord) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in FIELDS)


@pytest.fixture
def font(tmp_path: Path) -> Path:
    """A private copy of the bundled collection, free to touch and rewrite."""
    return Path(shutil.copy(bundled_font_path(), tmp_path / "font.ttc"))


def test_the_cache_reads_back_what_the_parser_found(font: Path) -> None:
    first = font_record(font, 0)
    assert cache_file(font, 0).is_file()
    again = font_record(font, 0)
    assert again is not first and same_metrics(again, first)
    assert same_metrics(again, parse(font, 0, {}))
    face = TTFontFile(str(font), subfontIndex=0)
    assert again.name == "WenQuanYiMicroHei" and again.ascent == face.ascent
    assert dict(zip(again.codes, again.widths, strict=True)) == {
        code: face.charWidths.get(code, face.defaultWidth) for code in face.charToGlyph
    }


def test_subsets_from_the_cache_are_reportlabs_byte_for_byte(font: Path) -> None:
    metrics = font_record(font, 0)
    face = TTFontFile(str(font), subfontIndex=0)
    subsetter = Subsetter(metrics, font.read_bytes())
    for text in ("顺丰标快 SF1000731000000 收件人：张伟", "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "\U0001f600袋"):
        codes = list(dict.fromkeys(map(ord, text)))
        assert subsetter.program(codes) == face.makeSubset(codes)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"not a cache file at all",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-100] + bytes(100),
        lambda data: data[:40] + bytes([data[40] ^ 0xFF]) + data[41:],
    ],
    ids=["empty", "garbage", "truncated", "zeroed-tail", "flipped-byte"],
)
def test_a_corrupt_cache_file_is_rebuilt(font: Path, damage: Callable[[bytes], bytes]) -> None:
    good = font_record(font, 0)
    target = cache_file(font, 0)
    target.write_bytes(damage(target.read_bytes()))
    assert same_metrics(font_record(font, 0), good)
    assert FontRecord.from_bytes(target.read_bytes()).source == good.source  # rewritten whole


def test_a_changed_font_file_is_parsed_again(font: Path) -> None:
    regular = font_record(font, 0)
    # Swap the collection's two subfonts: index 0 is now the monospaced face, same path, same size.
    data = bytearray(font.read_bytes())
    first, second = struct.unpack_from(">II", data, 12)
    struct.pack_into(">II", data, 12, second, first)
    stat = font.stat()
    font.write_bytes(bytes(data))
    os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    mono = font_record(font, 0)
    assert regular.name == "WenQuanYiMicroHei" and mono.name == "WenQuanYiMicroHeiMono"
    assert mono.source["sha256"] != regular.source["sha256"]


def test_a_touched_but_unchanged_font_keeps_its_metrics(font: Path) -> None:
    before = font_record(font, 0)
    stat = font.stat()
    os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = font_record(font, 0)
    assert same_metrics(after, before)
    assert after.source == {**before.source, "mtime_ns": stat.st_mtime_ns + 1_000_000_000}
    assert FontRecord.from_bytes(cache_file(font, 0).read_bytes()).source == after.source


def test_an_unwritable_cache_only_costs_the_parse(font: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert font_record(font, 0).name == "WenQuanYiMicroHei"
    assert not cache_file(font, 0).exists()


def test_pdfs_are_the_same_from_a_cold_and_a_warm_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run a fresh process (load_font is memoised within one): the first parses, the second reads."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = cache_file(bundled_font_path().resolve(), 0)
    assert not cache.exists()
    outputs = []
    for run in ("cold", "warm"):
        out = tmp_path / f"{run}.pdf"
        command = [
            "render",
            str(SAMPLE_ORDERS),
            "-t",
            "100x180",
            "-f",
            "pdf",
            "-o",
            str(out),
            "--shop",
            str(SAMPLE_SHOP),
        ]
        subprocess.run([sys.executable, "-m", "waybill", *command], check=True, capture_output=True, cwd=ROOT)
        assert cache.is_file()
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
