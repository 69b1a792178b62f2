"""The inverse of the encoders: printer bytes (ESC/POS, TSPL or ZPL) back to label images.

``Decoder`` is incremental, for a printer simulator that gets bytes as they arrive::

    decoder = Decoder(profile=profile, on_command=answer_status_queries)
    for chunk in connection:
        for label in decoder.feed(chunk):
            ...
    leftover_labels = decoder.finish()
    decoder.unknown   # [UnknownCommand(offset, data, reason), ...]

``decode(data)`` does the same for a whole stream. The language is detected from the first command
unless given; the language's driver makes the parser. With a profile, ESC/POS labels are as wide as its
head and TSPL ``SIZE`` is turned into dots; ``crop_label`` then cuts out the label engine's raster using
the profile's offsets, so
``crop_label(decode(encode(image)), profile, image.size)`` equals ``image`` dot for dot (ESC/POS less
any ``EncodedLabel.altered_dots``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from printers.decode.records import Command, DecodedLabel, Sink, UnknownCommand
from printers.languages import all_drivers, driver_for
from printers.profiles import PrinterProfile

if TYPE_CHECKING:
    from printers.languages.base import LanguageParser

__all__ = [
    "Command",
    "DecodeResult",
    "DecodedLabel",
    "Decoder",
    "LanguageChoice",
    "UnknownCommand",
    "crop_label",
    "decode",
    "detect_language",
]

LanguageChoice = str  # "auto" or a name in printers.languages.LANGUAGES


def detect_language(data: bytes | bytearray, final: bool = False) -> str | None:
    """The language of a stream starting with ``data``; None until that is known. Each driver is asked in
    the registry's order (ZPL ``^``/``~`` commands, TSPL keyword lines, then ESC/POS, which has no
    signature). At the end of the stream (``final``) an undecided stream counts as ESC/POS."""
    for driver in all_drivers():
        claimed = driver.sniff(data, final)
        if claimed is None:
            return None
        if claimed:
            return driver.name
    return "escpos"


class Decoder:
    """Feed printer bytes in chunks; get each label as soon as the command that ends it has arrived."""

    def __init__(
        self,
        language: LanguageChoice = "auto",
        profile: PrinterProfile | None = None,
        on_command: Callable[[Command], None] | None = None,
    ) -> None:
        self._sink = Sink(on_command)
        self._profile = profile
        self._parser: LanguageParser | None = None
        self._buf = bytearray()
        self._base = 0  # stream offset of self._buf[0]
        self._finished = False
        if language != "auto":
            self._start(language)

    @property
    def language(self) -> str | None:
        return None if self._parser is None else self._parser.language

    @property
    def unknown(self) -> list[UnknownCommand]:
        return self._sink.unknown

    @property
    def offset(self) -> int:
        """Bytes of the stream consumed so far."""
        return self._base

    def _start(self, language: str) -> None:
        self._parser = driver_for(language).parser(self._sink, self._profile)

    def feed(self, data: bytes | bytearray | memoryview) -> list[DecodedLabel]:
        """Take the next bytes of the stream; the labels they complete."""
        if self._finished:
            raise ValueError("the decoder has finished; start a new one")
        self._buf += data
        return self._run(final=False)

    def finish(self) -> list[DecodedLabel]:
        """The stream has ended: report an incomplete last command, return the labels still pending."""
        if self._finished:
            return []
        labels = self._run(final=True)
        if self._buf:
            self._sink.not_understood(self._base, self._buf, "truncated command at the end of the stream")
            self._base += len(self._buf)
            self._buf.clear()
        if self._parser is not None:
            self._parser.finish(self._base)
        self._finished = True
        labels += self._take()
        return labels

    def _run(self, final: bool) -> list[DecodedLabel]:
        if self._parser is None:
            language = detect_language(self._buf, final)
            if language is None:
                return []
            self._start(language)
        parser = self._parser
        assert parser is not None
        buf, pos = self._buf, 0
        while pos < len(buf):
            after = parser.step(buf, pos, self._base, final)
            if after is None:
                break
            pos = after
        del buf[:pos]
        self._base += pos
        return self._take()

    def _take(self) -> list[DecodedLabel]:
        labels = self._sink.labels
        self._sink.labels = []
        return labels


@dataclass(frozen=True)
class DecodeResult:
    language: str
    labels: list[DecodedLabel]
    unknown: list[UnknownCommand]


def decode(data: bytes, language: LanguageChoice = "auto", profile: PrinterProfile | None = None) -> DecodeResult:
    """Decode a whole stream at once."""
    decoder = Decoder(language, profile)
    labels = decoder.feed(data) + decoder.finish()
    return DecodeResult(decoder.language or "escpos", labels, decoder.unknown)


def crop_label(label: DecodedLabel, profile: PrinterProfile, size: tuple[int, int]) -> Image.Image:
    """The ``size`` (width, height) raster the label engine rendered, cut out of a decoded label; where it
    runs past the printed image (a label shifted by the offsets), blank paper."""
    cut = Image.new("1", size, 255)
    cut.paste(label.image, (-profile.offset_x_dots, -profile.offset_y_dots))
    return cut
