"""1-bit PNGs: Pillow reads back every dot and the resolution; written on background threads they are the same
bytes as a plain write; errors surface; an abort leaves nothing."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.waybill.labels import decoded_code128, labels_of, sample_orders
from waybill.errors import OutputError
from waybill.layout.label import Label
from waybill.output import PngFolder, write_all
from waybill.render.png import PngWriter, encode_png, write_png
from waybill.render.raster import rasterize


def sample_labels() -> list[Label]:
    return [label for order in sample_orders() for label in labels_of(order, "100x180")]


@pytest.mark.parametrize(("template", "dpi"), [("100x180", 203), ("76x130", 300), ("100x150", 300)])
def test_pillow_reads_back_every_dot_and_the_resolution(template: str, dpi: int) -> None:
    for order in sample_orders()[:6]:
        for label in labels_of(order, template, dpi):
            image = rasterize(label)
            with Image.open(io.BytesIO(encode_png(image, label.dots_per_mm))) as read:
                assert (read.mode, read.size) == ("1", image.size)
                assert read.tobytes() == image.tobytes()
                assert read.info["dpi"] == pytest.approx((dpi, dpi), abs=0.01)


@pytest.mark.parametrize("size", [(1, 1), (7, 3), (8, 2), (13, 9), (801, 5)])
def test_any_width_round_trips_including_the_padding_bits(size: tuple[int, int]) -> None:
    noise = random.Random(size[0] * 1000 + size[1])
    image = Image.new("1", size, 1)
    draw = ImageDraw.Draw(image)
    for _ in range(size[0] * size[1] // 2):
        draw.point((noise.randrange(size[0]), noise.randrange(size[1])), fill=0)
    with Image.open(io.BytesIO(encode_png(image, 8.0))) as read:
        assert read.mode == "1" and read.tobytes() == image.tobytes()


def test_only_1_bit_images_are_encoded() -> None:
    with pytest.raises(ValueError, match="mode '1'"):
        encode_png(Image.new("L", (4, 4)), 8.0)


def test_threaded_writes_are_byte_identical_to_plain_ones(tmp_path: Path) -> None:
    labels = sample_labels()
    (tmp_path / "plain").mkdir()
    (tmp_path / "threads").mkdir()
    writer = PngWriter(threads=3, queued=2)
    for label in labels:
        image = rasterize(label)
        write_png(image, tmp_path / "plain" / f"{label.file_stem}.png", label.dots_per_mm)
        writer.write(image, tmp_path / "threads" / f"{label.file_stem}.png", label.dots_per_mm)
    writer.finish()
    for label in labels:
        name = f"{label.file_stem}.png"
        assert (tmp_path / "threads" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    first = labels[0]
    with Image.open(tmp_path / "threads" / f"{first.file_stem}.png") as image:
        assert image.mode == "1" and image.info["dpi"] == pytest.approx((203, 203), abs=0.01)
        assert image.tobytes() == rasterize(first).tobytes()
        assert decoded_code128(image) == [first.waybill_no] * 2


def test_a_failed_write_raises_from_finish(tmp_path: Path) -> None:
    writer = PngWriter(threads=1)
    label = sample_labels()[0]
    writer.write(rasterize(label), tmp_path / "no-such-folder" / "x.png", label.dots_per_mm)
    with pytest.raises(OutputError, match=r"no-such-folder/x\.png: cannot write"):
        writer.finish()


def test_a_failed_write_raises_from_a_later_write_once_the_queue_is_full(tmp_path: Path) -> None:
    writer = PngWriter(threads=1, queued=1)
    label = sample_labels()[0]
    image = rasterize(label)
    writer.write(image, tmp_path / "partial" / "x.png", label.dots_per_mm, shown_as=tmp_path / "x.png")
    with pytest.raises(OutputError, match=r"x\.png: cannot write") as raised:
        writer.write(image, tmp_path / "y.png", label.dots_per_mm)
    assert "partial" not in str(raised.value)  # named as the user knows it, not by the staging path
    writer.cancel()


def test_an_error_midway_leaves_no_file_behind(tmp_path: Path) -> None:
    labels = sample_labels()

    def stream() -> Iterator[Label]:
        yield from labels[:6]
        raise RuntimeError("the layout of the next order failed")

    out = tmp_path / "png"
    out.mkdir()
    with pytest.raises(RuntimeError):
        write_all(PngFolder(out), stream())
    assert list(out.iterdir()) == []  # not a label, not the staging folder


def test_a_folder_gets_every_label(tmp_path: Path) -> None:
    labels = sample_labels()
    written = write_all(PngFolder(tmp_path), iter(labels))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{label.file_stem}.png" for label in labels)
    assert written.labels == len(labels)
