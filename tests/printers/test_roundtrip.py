"""encode → decode gives the label raster back, dot for dot (ESC/POS: less the defused dots, which are known)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image

from printers.decode import Decoder, crop_label, decode
from printers.encode import encode_labels
from printers.profiles import PrinterProfile, get_profile
from printers.testing import line_art, naive_hazards, noise, variant

SIZES_203 = [(608, 1040), (800, 1200), (800, 1440)]
PROFILES_203: list[Callable[[], PrinterProfile]] = [
    lambda: get_profile("escpos-4inch"),
    lambda: variant("escpos-4inch", image_command="graphics"),
    lambda: variant("escpos-4inch", realtime_disable=False, label_end="cut", offset_x_dots=16, offset_y_dots=8),
    lambda: variant("escpos-4inch", image_command="graphics", offset_x_dots=5, offset_y_dots=3, max_band_bytes=7000),
    lambda: get_profile("tspl-203"),
    lambda: variant("tspl-203", offset_x_dots=19, offset_y_dots=6, max_band_bytes=30_000),
    lambda: get_profile("zpl-203"),
    lambda: variant("zpl-203", offset_x_dots=19, offset_y_dots=6, max_band_bytes=30_000, label_end="cut"),
]
PROFILE_IDS = [
    "escpos-raster",
    "escpos-graphics",
    "escpos-offset-cut",
    "escpos-graphics-offset",
    "tspl",
    "tspl-offset",
    "zpl",
    "zpl-offset-bands-cut",
]
IMAGES = {"noise": noise, "line-art": line_art}


def expected_print(image: Image.Image, altered: tuple[tuple[int, int], ...]) -> Image.Image:
    """The label as printed: the raster with the encoder's defused dots (black 0x10 bits) turned white."""
    printed = image.copy()
    for dot in altered:
        assert printed.getpixel(dot) == 0  # only black dots are ever changed
        printed.putpixel(dot, 255)
    return printed


def round_trip(images: list[Image.Image], profile: PrinterProfile) -> None:
    encoded = list(encode_labels(images, profile))
    stream = b"".join(label.data for label in encoded)
    if profile.language == "escpos":
        assert naive_hazards(stream, dc4_disabled=profile.realtime_disable) == []
    result = decode(stream, profile=profile)
    assert result.language == profile.language and result.unknown == []
    assert len(result.labels) == len(images)
    for image, label, sent in zip(images, result.labels, encoded, strict=True):
        if profile.language == "escpos":
            assert label.image.width == profile.head_width_dots
        else:
            assert sent.altered_dots == ()
        back = crop_label(label, profile, image.size)
        assert back.tobytes() == expected_print(image, sent.altered_dots).tobytes()
        # outside the label, the head printed nothing
        head = Image.new("1", label.image.size, 255)
        head.paste(back, (profile.offset_x_dots, profile.offset_y_dots))
        assert head.tobytes() == label.image.tobytes()


@pytest.mark.parametrize("kind", IMAGES)
@pytest.mark.parametrize("make_profile", PROFILES_203, ids=PROFILE_IDS)
@pytest.mark.parametrize("size", SIZES_203, ids=lambda size: f"{size[0]}x{size[1]}")
def test_round_trip_203_dpi(size: tuple[int, int], make_profile: Callable[[], PrinterProfile], kind: str) -> None:
    round_trip([IMAGES[kind](size, seed=size[1])], make_profile())


@pytest.mark.parametrize("kind", IMAGES)
@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_round_trip_300_dpi(language: str, kind: str, escpos_300: PrinterProfile) -> None:
    profile = escpos_300 if language == "escpos" else get_profile(f"{language}-300")
    round_trip([IMAGES[kind]((1181, 2126), seed=3)], profile)


@pytest.mark.parametrize("name", ["escpos-4inch", "tspl-203", "zpl-203"])
def test_a_job_of_mixed_labels_in_chunks(name: str) -> None:
    profile = get_profile(name)
    images = [line_art((608, 1040)), noise((800, 1440)), line_art((800, 1440), seed=9), noise((608, 1040), seed=4)]
    encoded = list(encode_labels(images, profile))
    decoder = Decoder(profile=profile)
    labels = []
    for chunk in encoded:  # as a simulator receives it: TCP-sized pieces
        for start in range(0, len(chunk.data), 1460):
            labels += decoder.feed(chunk.data[start : start + 1460])
    labels += decoder.finish()
    assert len(labels) == 4 and decoder.unknown == []
    for image, label, sent in zip(images, labels, encoded, strict=True):
        assert crop_label(label, profile, image.size).tobytes() == expected_print(image, sent.altered_dots).tobytes()


def test_continuous_receipt_labels_run_together() -> None:
    """With no label end the printer cannot tell labels apart: the decoder gives one long strip."""
    profile = variant("escpos-80mm", label_end="none")
    images = [line_art((576, 300), seed=1), line_art((576, 200), seed=2)]
    encoded = list(encode_labels(images, profile))
    (strip,) = decode(b"".join(label.data for label in encoded), profile=profile).labels
    assert strip.image.size == (576, 500) and strip.ending == "end of stream"
    assert strip.image.crop((0, 0, 576, 300)).tobytes() == expected_print(images[0], encoded[0].altered_dots).tobytes()
    assert (
        strip.image.crop((0, 300, 576, 500)).tobytes() == expected_print(images[1], encoded[1].altered_dots).tobytes()
    )
