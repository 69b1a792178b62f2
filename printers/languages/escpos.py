"""ESC/POS: receipt and dual-mode label printers (Epson TM-L90 class).

Labels are ``GS v 0`` / ``GS 8 L`` rasters (``printers.encode.escpos``), or on a native profile page-mode
commands in Font A and the GB18030 font of a Chinese model (``printers.encode.escpos_native``); status is
``DLE EOT n``, answered at once even inside image data; ``GS a`` turns on automatic status back, so faults
are pushed; ``GS ( H`` fn 48 after a label is answered once it has printed, the per-label confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from PIL import Image

from printers.confirm_policy import ConfirmMode
from printers.decode.escpos import EscposParser
from printers.decode.records import Command, Sink
from printers.encode import escpos
from printers.encode.encoded import EncodedLabel
from printers.encode.escpos_native import encode_native_label
from printers.languages.base import AckWhenPrinted, LanguageDriver, SimAction, StatusBack
from printers.status import (
    ASB_ENABLE,
    DLE_EOT,
    EscposResponses,
    PrinterStatus,
    ResponseParser,
    ack_reply,
    ack_request,
    asb_report,
    escpos_reply,
)
from waybill.fonts.cells import GB24

if TYPE_CHECKING:
    from printers.profiles import PrinterProfile
    from waybill.layout.label import Label

__all__ = ["DRIVER", "EscposDriver"]

_GS_H_FN48 = b"\x1d\x28\x48\x06\x00\x30\x30"  # GS ( H pL pH m=48 fn=48: acknowledge when printed
_QUERIES = (1, 2, 3, 4)  # online, offline cause, error cause, paper sensors


class EscposDriver(LanguageDriver):
    name = "escpos"
    title = "ESC/POS"
    default_profile = "escpos-4inch"
    sim_buffer_bytes = 64 * 1024
    query_pattern: ClassVar[re.Pattern[bytes]] = re.compile(re.escape(DLE_EOT) + rb"([\x01-\x04])")
    query_bytes = 3
    paper_out_offline = True
    reports_status_changes = True

    def opening(self, profile: PrinterProfile) -> bytes:
        del profile
        return escpos.JOB_START

    def status_back(self, profile: PrinterProfile) -> bytes:
        return ASB_ENABLE if profile.answers_status else b""

    def encode_labels(self, images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
        return escpos.encode_job(images, profile)

    def encode_for_session(self, image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
        return escpos.encode_label(image, profile)

    resident_font = GB24

    def encode_native(self, label: Label, profile: PrinterProfile) -> EncodedLabel:
        return encode_native_label(label, profile)

    def image_encoding(self, profile: PrinterProfile) -> str:
        return f"native/{GB24}" if profile.native else profile.image_command

    def status_request(self) -> tuple[tuple[int, ...], bytes]:
        return _QUERIES, b"".join(DLE_EOT + bytes((n,)) for n in _QUERIES)

    def response_parser(self) -> ResponseParser:
        return EscposResponses()

    def confirmation(self, profile: PrinterProfile) -> ConfirmMode:
        # Status without acknowledgements cannot say a label has printed.
        return "ack" if profile.answers_ack else "sent"

    def ack_request(self, token: int) -> bytes:
        return ack_request(token)

    def sniff(self, data: bytes | bytearray, final: bool) -> bool | None:
        del data, final
        return True  # binary with no signature: the registry asks it last

    def parser(self, sink: Sink, profile: PrinterProfile | None) -> EscposParser:
        return EscposParser(sink, profile.head_width_dots if profile else 0, profile.dpi if profile else 203)

    def answer(self, query: int, status: PrinterStatus) -> bytes:
        return bytes((escpos_reply(status, query),))

    def query_name(self, query: int) -> str:
        return f"DLE EOT {query}"

    def sim_action(self, command: Command, profile: PrinterProfile) -> SimAction | None:
        if command.name == "GS ( H" and command.raw.startswith(_GS_H_FN48) and profile.answers_ack:
            return AckWhenPrinted(ack_reply(command.raw[7:11]))
        if command.name == "GS a":
            return StatusBack(command.raw[2] != 0 and profile.answers_status)
        return None

    def status_report(self, status: PrinterStatus) -> bytes:
        return asb_report(status)


DRIVER = EscposDriver()
