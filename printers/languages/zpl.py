"""ZPL II: Zebra label printers, and the ZPL emulation of many Chinese four-inch printers.

Labels are one self-contained format each, the image as ``^GFA`` graphic fields in Z64 or ACS
(``printers.encode.zpl``), or on a native profile the label's own text, symbols and rules as fields, the
text in the resident font ``E:ANMDS.TTF`` (``printers.encode.zpl_native``). Status is ``~HS`` (host
status), answered at once: three strings framed by STX and ETX CR LF::

    <STX>aaa,b,c,dddd,eee,f,g,h,iii,j,k,l<ETX><CR><LF>     b paper out, c pause, dddd label length,
                                                        eee formats in the receive buffer, f buffer full,
                                                        h partial format, j corrupt RAM, k/l under/over temp
    <STX>mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www<ETX><CR><LF>   o head up, p ribbon out, q thermal transfer,
                                                        r print mode, t label waiting, uuuuuuuu labels
                                                        remaining in the batch, www graphics stored
    <STX>xxxx,y<ETX><CR><LF>                            password, static RAM

Confirmation is by idle status, as for TSPL: formats in the buffer, a partial format and labels remaining
in the batch are what has been received and not yet printed, and ``~HS`` is answered on arrival, after
every byte sent before it; so "none of them, no fault" means every label sent before the query has
printed. The counts are not used to confirm labels one by one: a printer that formats a label ahead of
the one on the head need not count it in either, so only "nothing left" is safe.
ZPL has no per-label acknowledgement: ``~HQES`` reports only errors and warnings, and the odometer
(``~HQOD``) counts length, not labels, and is not in the ZPL emulations of non-Zebra printers; ``~HS``
is in every ZPL II printer. A printer whose firmware stays silent to ``~HS`` during a fault makes the
batch stop with those labels uncertain, to be reprinted on ``--resume``: never wrongly "printed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from PIL import Image

from printers.decode.records import Sink
from printers.decode.zpl import ZplParser
from printers.encode import zpl
from printers.encode.encoded import EncodedLabel
from printers.encode.zpl_native import encode_native_label
from printers.languages.base import LanguageDriver
from printers.status import PrinterStatus, Response, ResponseParser, StatusReply
from waybill.fonts.cells import ANMDS

if TYPE_CHECKING:
    from printers.profiles import PrinterProfile
    from waybill.layout.label import Label

__all__ = ["DRIVER", "HS_QUERY", "ZplDriver", "ZplResponses", "host_status", "parse_host_status"]

HS_QUERY = b"~HS"
_STX, _ETX = 0x02, 0x03
_LETTER = re.compile(rb"[A-Za-z]")


def host_status(status: PrinterStatus, label_length: int = 0) -> bytes:
    """The three ``~HS`` strings a printer in ``status`` sends. A busy printer has the label on its head
    (labels remaining in the batch: 1)."""
    flag = {False: "0", True: "1"}
    first = (
        f"014,{flag[status.paper_end]},{flag[status.paused]},{label_length:04d},000,{flag[status.buffer_full]},"
        f"0,0,000,0,0,{flag[status.recoverable_error]}"  # 014: 9600 baud, 8 data bits
    )
    second = (
        f"001,0,{flag[status.head_open]},{flag[status.ribbon_out]},{flag[status.ribbon_out]},2,6,0,"
        f"{int(status.printing):08d},1,000"  # print mode 2: tear-off; q: only thermal transfer misses a ribbon
    )
    return b"".join(
        bytes((_STX,)) + text.encode("ascii") + bytes((_ETX,)) + b"\r\n" for text in (first, second, "1234,0")
    )


def parse_host_status(first: list[str], second: list[str]) -> PrinterStatus:
    """String 1 and string 2 of a ``~HS`` answer, split at the commas."""

    def flag(fields: list[str], i: int) -> bool:
        return i < len(fields) and fields[i].strip() == "1"

    def number(fields: list[str], i: int) -> int:
        return int(fields[i]) if i < len(fields) and fields[i].strip().isdigit() else 0

    return PrinterStatus(
        paper_end=flag(first, 1),
        paused=flag(first, 2),
        buffer_full=flag(first, 5),
        recoverable_error=flag(first, 11),  # over temperature: the head cools, then prints on
        head_open=flag(second, 2),
        ribbon_out=flag(second, 3) and flag(second, 4),  # direct thermal needs no ribbon
        # Formats received but not yet printed, one still arriving, or labels of the batch still to print.
        printing=number(first, 4) > 0 or flag(first, 7) or number(second, 8) > 0,
    )


class ZplResponses(ResponseParser):
    """``~HS`` answers: string 1 and string 2 make one reply; string 3 is skipped. Bytes outside a frame
    are surplus."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._first: list[str] | None = None

    def feed(self, data: bytes) -> list[Response]:
        self._buffer += data
        responses: list[Response] = []
        buffer = self._buffer
        while buffer:
            if buffer[0] in b"\r\n":
                del buffer[:1]
            elif buffer[0] == _STX:
                end = buffer.find(bytes((_ETX,)))
                if end < 0:
                    break
                fields = bytes(buffer[1:end]).decode("ascii", "replace").split(",")
                del buffer[: end + 1]
                reply = self._string(fields)
                if reply is not None:
                    responses.append(reply)
            else:
                self._noise(buffer[:1])
                del buffer[:1]
        return responses

    def _string(self, fields: list[str]) -> Response | None:
        if len(fields) >= 12:  # string 1
            self._first = fields
        elif len(fields) >= 9 and self._first is not None:  # string 2: the reply is complete
            self.status = parse_host_status(self._first, fields)
            self._first = None
            if self._pending:
                self._pending.pop(0)
            else:
                self._noise(b"~HS answer nobody asked for")
            return StatusReply(self.status)
        elif len(fields) != 2:  # string 3 has 2 fields
            self._noise(",".join(fields).encode("ascii", "replace"))
        return None


class ZplDriver(LanguageDriver):
    name = "zpl"
    title = "ZPL II"
    default_profile = "zpl-203"
    sim_buffer_bytes = 1024 * 1024
    query_pattern: ClassVar[re.Pattern[bytes]] = re.compile(re.escape(HS_QUERY))
    query_bytes = len(HS_QUERY)
    busy_in_status = True

    def encode_labels(self, images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
        return zpl.encode_job(images, profile)

    def encode_for_session(self, image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
        return zpl.encode_label(image, profile)

    resident_font = ANMDS

    def encode_native(self, label: Label, profile: PrinterProfile) -> EncodedLabel:
        return encode_native_label(label, profile)

    def image_encoding(self, profile: PrinterProfile) -> str:
        return f"native/{ANMDS}" if profile.native else "Z64|ACS"

    def status_request(self) -> tuple[tuple[int, ...], bytes]:
        return (0,), HS_QUERY

    def response_parser(self) -> ResponseParser:
        return ZplResponses()

    def sniff(self, data: bytes | bytearray, final: bool) -> bool | None:
        """The first command is ``^`` or ``~`` and a letter (TSPL's ``~!`` is not)."""
        text = bytes(data).lstrip(b"\r\n\t ")
        if not text:
            return False if final else None
        if text[:1] not in (b"^", b"~"):
            return False
        if len(text) < 2:
            return False if final else None
        return _LETTER.match(text, 1) is not None

    def parser(self, sink: Sink, profile: PrinterProfile | None) -> ZplParser:
        del profile  # ^PW and ^LL are in dots
        return ZplParser(sink)

    def answer(self, query: int, status: PrinterStatus) -> bytes:
        del query
        return host_status(status)

    def query_name(self, query: int) -> str:
        del query
        return "~HS"


DRIVER = ZplDriver()
