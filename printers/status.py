"""Printer status and acknowledgements, both directions: what a printer answers (a simulator builds these
bytes) and what the host makes of them (the print session parses them). One typed ``PrinterStatus`` for
ESC/POS ``DLE EOT n`` replies, ESC/POS automatic status back (``GS a``), TSPL ``ESC ! ?`` and ZPL ``~HS``
(whose codec is in ``printers.languages.zpl``).

ESC/POS reply bytes have the fixed pattern ``0xx1xx10``; automatic-status-back reports are 4 bytes whose
first byte matches ``0xx1xx00``; an acknowledgement of ``GS ( H`` fn 48 is ``37 22 d1 d2 d3 d4 00``. The
three can be told apart by their first byte, so one response stream can carry them all.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from waybill.i18n import _

__all__ = [
    "ACK_HEAD",
    "ASB_ENABLE",
    "DLE_EOT",
    "TSPL_STATUS_QUERY",
    "Ack",
    "EscposResponses",
    "PrinterStatus",
    "Response",
    "ResponseParser",
    "StatusReply",
    "StatusReport",
    "TsplResponses",
    "ack_reply",
    "ack_request",
    "apply_escpos_reply",
    "asb_report",
    "escpos_reply",
    "is_asb_start",
    "is_escpos_reply",
    "parse_asb",
    "parse_tspl_status",
    "token_of",
    "tspl_status_byte",
]

DLE_EOT = b"\x10\x04"  # + n: real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor
TSPL_STATUS_QUERY = b"\x1b!?"  # ESC ! ?: one status byte back
ASB_ENABLE = b"\x1d\x61\x0f"  # GS a 15: report drawer, online/offline, errors and paper sensors on change
ACK_HEAD = b"\x37\x22"


@dataclass(frozen=True)
class PrinterStatus:
    online: bool = True
    cover_open: bool = False
    paper_end: bool = False
    paper_near_end: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    recoverable_error: bool = False
    head_open: bool = False  # TSPL, ZPL
    paper_jam: bool = False  # TSPL
    ribbon_out: bool = False  # TSPL, ZPL
    paused: bool = False  # TSPL, ZPL
    printing: bool = False  # TSPL, ZPL: busy with a label
    buffer_full: bool = False  # ZPL: the receive buffer is full (not a fault: the printer is busy)

    @property
    def faults(self) -> tuple[str, ...]:
        """What stops the printer, in words a packer acts on; empty when it can print."""
        named = (
            (self.paper_end, _("paper out")),
            (self.cover_open, _("cover open")),
            (self.head_open, _("print head open")),
            (self.paper_jam, _("paper jam")),
            (self.ribbon_out, _("ribbon out")),
            (self.cutter_error, _("cutter error")),
            (self.unrecoverable_error, _("unrecoverable error: switch the printer off and on")),
            (self.recoverable_error, _("error (clears by itself)")),
            (self.paused, _("paused")),
        )
        faults = tuple(text for flag, text in named if flag)
        if not self.online and not faults:
            return (_("offline"),)
        return faults

    @property
    def ready(self) -> bool:
        return not self.faults

    def describe(self) -> str:
        parts = list(self.faults) or [_("ready")]
        if self.paper_near_end:
            parts.append(_("paper near end"))
        if self.printing:
            parts.append(_("printing"))
        if self.buffer_full:
            parts.append(_("buffer full"))
        return _(", ").join(parts)


# ── ESC/POS real-time status (DLE EOT n) ─────────────────────────────────────────────────────────────


def _bit(byte: int, bit: int) -> bool:
    return bool(byte >> bit & 1)


def is_escpos_reply(byte: int) -> bool:
    return byte & 0x93 == 0x12


def apply_escpos_reply(status: PrinterStatus, n: int, byte: int) -> PrinterStatus:
    """``status`` updated with the reply ``byte`` to ``DLE EOT n``."""
    if n == 1:
        return dataclasses.replace(status, online=not _bit(byte, 3))
    if n == 2:
        # Bit 6 says only that an error occurred; DLE EOT 3 says which.
        return dataclasses.replace(status, cover_open=_bit(byte, 2), paper_end=_bit(byte, 5))
    if n == 3:
        return dataclasses.replace(
            status, cutter_error=_bit(byte, 3), unrecoverable_error=_bit(byte, 5), recoverable_error=_bit(byte, 6)
        )
    if n == 4:
        return dataclasses.replace(status, paper_near_end=byte & 0x0C == 0x0C, paper_end=byte & 0x60 == 0x60)
    raise ValueError(f"DLE EOT {n} is not a status query")


def escpos_reply(status: PrinterStatus, n: int) -> int:
    """The byte a printer in ``status`` answers to ``DLE EOT n``."""
    byte = 0x12
    if n == 1:
        byte |= 0x08 * (not status.online)
    elif n == 2:
        error = status.cutter_error or status.unrecoverable_error or status.recoverable_error
        byte |= 0x04 * status.cover_open | 0x20 * status.paper_end | 0x40 * error
    elif n == 3:
        byte |= 0x08 * status.cutter_error | 0x20 * status.unrecoverable_error | 0x40 * status.recoverable_error
    elif n == 4:
        byte |= 0x0C * status.paper_near_end | 0x60 * status.paper_end
    else:
        raise ValueError(f"DLE EOT {n} is not a status query")
    return byte


# ── ESC/POS automatic status back (GS a) ─────────────────────────────────────────────────────────────


def is_asb_start(byte: int) -> bool:
    return byte & 0x93 == 0x10


def parse_asb(report: bytes) -> PrinterStatus:
    """A 4-byte automatic status report: online and cover (byte 1), errors (2), paper sensors (3)."""
    first, second, third = report[0], report[1], report[2]
    return PrinterStatus(
        online=not _bit(first, 3),
        cover_open=_bit(first, 5),
        cutter_error=_bit(second, 3),
        unrecoverable_error=_bit(second, 5),
        recoverable_error=_bit(second, 6),
        paper_near_end=third & 0x03 == 0x03,
        paper_end=third & 0x0C == 0x0C,
    )


def asb_report(status: PrinterStatus) -> bytes:
    first = 0x10 | 0x08 * (not status.online) | 0x20 * status.cover_open
    second = 0x08 * status.cutter_error | 0x20 * status.unrecoverable_error | 0x40 * status.recoverable_error
    third = 0x03 * status.paper_near_end | 0x0C * status.paper_end
    return bytes((first, second, third, 0x00))


# ── ESC/POS "it really printed" (GS ( H fn 48) ───────────────────────────────────────────────────────


def ack_request(token: int) -> bytes:
    """GS ( H fn 48: answered with ``token`` once everything before it has been printed."""
    return b"\x1d\x28\x48\x06\x00\x30\x30" + _token_bytes(token)


def ack_reply(token_bytes: bytes) -> bytes:
    return ACK_HEAD + token_bytes + b"\x00"


def _token_bytes(token: int) -> bytes:
    # d1..d4 must each be 0x30-0x7E: write the token as four base-79 digits from 0x30.
    if not 0 <= token < 79**4:
        raise ValueError(f"acknowledgement token {token} out of range")
    digits = []
    for _digit in range(4):
        token, digit = divmod(token, 79)
        digits.append(0x30 + digit)
    return bytes(reversed(digits))


def token_of(token_bytes: bytes) -> int:
    value = 0
    for byte in token_bytes:
        value = value * 79 + (byte - 0x30)
    return value


# ── TSPL (ESC ! ?) ───────────────────────────────────────────────────────────────────────────────────


def parse_tspl_status(byte: int) -> PrinterStatus:
    return PrinterStatus(
        head_open=_bit(byte, 0),
        paper_jam=_bit(byte, 1),
        paper_end=_bit(byte, 2),
        ribbon_out=_bit(byte, 3),
        paused=_bit(byte, 4),
        printing=_bit(byte, 5),
        cover_open=_bit(byte, 6),
    )


def tspl_status_byte(status: PrinterStatus) -> int:
    flags = (
        status.head_open,
        status.paper_jam,
        status.paper_end,
        status.ribbon_out,
        status.paused,
        status.printing,
        status.cover_open,
    )
    return sum(1 << bit for bit, flag in enumerate(flags) if flag)


# ── the host side: one parser for everything a printer sends back ───────────────────────────────────


@dataclass(frozen=True)
class StatusReply:
    """A reply to a status query (``DLE EOT n`` or ``ESC ! ?``): the status as now known."""

    status: PrinterStatus


@dataclass(frozen=True)
class StatusReport:
    """An unasked-for report (automatic status back): the status changed."""

    status: PrinterStatus


@dataclass(frozen=True)
class Ack:
    token: int


Response = StatusReply | StatusReport | Ack


class ResponseParser(ABC):
    """Splits the bytes a printer sends back into replies, reports and acknowledgements; one subclass per
    language (``LanguageDriver.response_parser``).

    ``expect(n)`` tells it a query is on its way: replies come back in order, and some (ESC/POS) do not
    say which query they answer. Bytes that no query explains are kept (the first 64) in ``surplus``.
    """

    def __init__(self) -> None:
        self.status = PrinterStatus()
        self._pending: list[int] = []
        self.surplus = bytearray()  # bytes no query explains: noise, or something that is not this printer

    def _noise(self, data: bytes | bytearray) -> None:
        self.surplus += data[: max(0, 64 - len(self.surplus))]

    def expect(self, n: int) -> None:
        self._pending.append(n)

    @abstractmethod
    def feed(self, data: bytes) -> list[Response]:
        """The responses completed by ``data``."""


class TsplResponses(ResponseParser):
    """TSPL printers only answer ``ESC ! ?``: every byte is one reply."""

    def feed(self, data: bytes) -> list[Response]:
        responses: list[Response] = []
        for byte in data:
            if self._pending:
                self._pending.pop(0)
            else:
                self._noise(bytes((byte,)))  # still a status byte if the printer answered a look-alike
            self.status = parse_tspl_status(byte)
            responses.append(StatusReply(self.status))
        return responses


class EscposResponses(ResponseParser):
    """``DLE EOT n`` replies, automatic status reports and ``GS ( H`` acknowledgements, told apart by their
    first byte."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Response]:
        self._buffer += data
        return list(self._responses())

    def _responses(self) -> Iterator[Response]:
        buffer = self._buffer
        while buffer:
            first = buffer[0]
            if first == ACK_HEAD[0] and (len(buffer) < 2 or buffer[1] == ACK_HEAD[1]):
                if len(buffer) < 7:
                    return
                yield Ack(token_of(bytes(buffer[2:6])))
                del buffer[:7]
            elif is_asb_start(first):
                if len(buffer) < 4:
                    return
                self.status = parse_asb(bytes(buffer[:4]))
                yield StatusReport(self.status)
                del buffer[:4]
            elif is_escpos_reply(first) and self._pending:
                self.status = apply_escpos_reply(self.status, self._pending.pop(0), first)
                yield StatusReply(self.status)
                del buffer[:1]
            else:
                self._noise(buffer[:1])  # noise (or a reply nobody asked for): skip it
                del buffer[:1]
