"""TSPL: TSC-style four-inch label printers (XP-420B class), the first language of waybill printers.

Labels are ``BITMAP`` commands (``printers.encode.tspl``); status is ``ESC ! ?``, one byte back, whose
"printing" bit covers everything received and not yet printed: a ready printer that is not printing has
printed every label sent before the query, which is how labels get confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from PIL import Image

from printers.decode.records import Sink
from printers.decode.tspl import TSPL_KEYWORDS, TsplParser
from printers.encode import tspl
from printers.encode.encoded import EncodedLabel
from printers.encode.tspl_native import encode_native_label
from printers.languages.base import LanguageDriver
from printers.status import TSPL_STATUS_QUERY, PrinterStatus, ResponseParser, TsplResponses, tspl_status_byte
from waybill.fonts.cells import TSS24

if TYPE_CHECKING:
    from printers.profiles import PrinterProfile
    from waybill.layout.label import Label

__all__ = ["DRIVER", "TsplDriver"]

_WORD = re.compile(rb"[A-Za-z]+")


class TsplDriver(LanguageDriver):
    name = "tspl"
    title = "TSPL"
    default_profile = "tspl-203"
    sim_buffer_bytes = 4 * 1024 * 1024
    query_pattern: ClassVar[re.Pattern[bytes]] = re.compile(re.escape(TSPL_STATUS_QUERY))
    query_bytes = 3
    busy_in_status = True

    def encode_labels(self, images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
        return tspl.encode_job(images, profile)

    def encode_for_session(self, image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
        # Each label carries its own SIZE/GAP set-up (a few dozen bytes), so any label can come first.
        return tspl.encode_label(image, profile, with_setup=True)

    resident_font = TSS24

    def encode_native(self, label: Label, profile: PrinterProfile) -> EncodedLabel:
        return encode_native_label(label, profile, with_setup=True)

    def image_encoding(self, profile: PrinterProfile) -> str:
        return f"native/{TSS24}" if profile.native else "BITMAP"

    def status_request(self) -> tuple[tuple[int, ...], bytes]:
        return (0,), TSPL_STATUS_QUERY

    def response_parser(self) -> ResponseParser:
        return TsplResponses()

    def sniff(self, data: bytes | bytearray, final: bool) -> bool | None:
        """The first command is a TSPL keyword line. Leading blank space and 3-byte ``ESC ! x`` / ``~! x``
        immediate commands (a command in ESC/POS too) are skipped."""
        i = 0
        while i < len(data):
            byte = data[i]
            if byte in b"\r\n\t ":
                i += 1
            elif byte in (0x1B, 0x7E) and (i + 1 >= len(data) or data[i + 1] == ord("!")):
                if i + 3 > len(data):
                    return False if final else None
                i += 3
            else:
                break
        else:
            return False if final else None
        word = _WORD.match(data, i)
        if word is None:
            return False
        if word.end() == len(data) and not final:
            return None
        return word.group().upper().decode() in TSPL_KEYWORDS

    def parser(self, sink: Sink, profile: PrinterProfile | None) -> TsplParser:
        return TsplParser(sink, profile.dots_per_mm if profile else None)

    def answer(self, query: int, status: PrinterStatus) -> bytes:
        del query
        return bytes((tspl_status_byte(status),))

    def query_name(self, query: int) -> str:
        del query
        return "ESC ! ?"


DRIVER = TsplDriver()
