"""The one interface every printer language implements, host side and printer side.

Host side (``printers.encode``, ``printers.session``, ``printers.batch``): what a link opens with, a
label's bytes, the status query and the parser of what comes back, and how a label gets confirmed.
Printer side (``printers.decode``, ``printers.simulator``, ``printers.transports.memory``): how to tell a
stream is in this language, the parser that turns it back into labels, the answer to a status query,
and what a command asks the printer to do besides printing (acknowledge, report status by itself).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from PIL import Image

from printers.confirm_policy import ConfirmMode
from printers.decode.records import Command, Sink
from printers.encode.encoded import EncodedLabel
from printers.status import PrinterStatus, ResponseParser

if TYPE_CHECKING:
    from printers.profiles import PrinterProfile
    from waybill.layout.label import Label

__all__ = ["AckWhenPrinted", "LanguageDriver", "LanguageParser", "SimAction", "StatusBack"]


class LanguageParser(Protocol):
    """An incremental stream parser (see ``printers.decode.Decoder``)."""

    language: str

    def step(self, buf: bytearray, pos: int, base: int, final: bool) -> int | None:
        """Parse the command at ``buf[pos]``: the position after it, or None until more bytes arrive."""

    def finish(self, end: int) -> None:
        """The stream ended at stream offset ``end``."""


@dataclass(frozen=True)
class AckWhenPrinted:
    """Send ``reply`` once everything before the command has printed."""

    reply: bytes


@dataclass(frozen=True)
class StatusBack:
    """Report status changes unasked on this link from now on (or stop)."""

    enabled: bool


SimAction = AckWhenPrinted | StatusBack


class LanguageDriver(ABC):
    name: ClassVar[str]  # the profile's ``language``
    title: ClassVar[str]  # how people write it: "ESC/POS"
    default_profile: ClassVar[str]
    sim_buffer_bytes: ClassVar[int]  # a typical printer's receive buffer, for the simulator
    # Status queries the printer answers the moment they arrive, even inside image data; group 1, when
    # the pattern has one, is the query's number (``DLE EOT n``), else the query is 0.
    query_pattern: ClassVar[re.Pattern[bytes]]
    query_bytes: ClassVar[int]  # the longest query
    # The status says "printing" while anything received is not yet printed, so "ready, not printing"
    # means every label sent before the query has printed (TSPL, ZPL).
    busy_in_status: ClassVar[bool] = False
    paper_out_offline: ClassVar[bool] = False  # a printer out of paper also reports itself offline
    reports_status_changes: ClassVar[bool] = False  # after ``status_back``, faults are pushed, not polled

    # ── host side ────────────────────────────────────────────────────────────────────────────────
    def opening(self, profile: PrinterProfile) -> bytes:
        """What a job or a new link starts with (a file's first bytes too)."""
        del profile
        return b""

    def status_back(self, profile: PrinterProfile) -> bytes:
        """Sent after the opening on a link that reads back: turns on unasked status reports."""
        del profile
        return b""

    @abstractmethod
    def encode_labels(self, images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
        """A job's labels, as they come; the first carries the job's ``opening``."""

    @abstractmethod
    def encode_for_session(self, image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
        """One label that stands on its own on a link already opened: any label can follow a resume."""

    # The printer's resident font native labels are laid out with (``waybill.fonts.cells``); None: no native labels.
    resident_font: ClassVar[str | None] = None

    def encode_native(self, label: Label, profile: PrinterProfile) -> EncodedLabel:
        """One native label (text, symbols and rules by command) that stands on its own, like
        ``encode_for_session``; the label was laid out with ``resident_font``."""
        del label, profile
        raise NotImplementedError(f"{self.title} has no native labels")

    @abstractmethod
    def image_encoding(self, profile: PrinterProfile) -> str:
        """How a label's image goes to the printer, in a word or two (for the profiles table)."""

    @abstractmethod
    def status_request(self) -> tuple[tuple[int, ...], bytes]:
        """``(queries, bytes)``: the queries to ``expect`` on the response parser, and their bytes."""

    @abstractmethod
    def response_parser(self) -> ResponseParser:
        """A fresh parser for what the printer sends back."""

    def confirmation(self, profile: PrinterProfile) -> ConfirmMode:
        """How labels get confirmed on a link where the printer answers status: the printer acknowledges
        each label ("ack"), its status says it has printed everything sent ("idle"), or nothing can tell
        ("sent": labels stay sent)."""
        del profile
        return "idle" if self.busy_in_status else "sent"

    def ack_request(self, token: int) -> bytes:
        """Bytes after a label that make the printer answer ``token`` once it has printed (``"ack"``)."""
        raise NotImplementedError(f"{self.title} has no printed acknowledgements")

    # ── printer side ─────────────────────────────────────────────────────────────────────────────
    @abstractmethod
    def sniff(self, data: bytes | bytearray, final: bool) -> bool | None:
        """Whether a stream starting with ``data`` is in this language; None until that is known."""

    @abstractmethod
    def parser(self, sink: Sink, profile: PrinterProfile | None) -> LanguageParser:
        """The stream parser, reporting into ``sink``; the profile gives head width and dots per mm."""

    @abstractmethod
    def answer(self, query: int, status: PrinterStatus) -> bytes:
        """What a printer in ``status`` answers to query ``query`` (built by the functions the host parses with)."""

    @abstractmethod
    def query_name(self, query: int) -> str:
        """The query as a person reads it (``DLE EOT 1``)."""

    def sim_action(self, command: Command, profile: PrinterProfile) -> SimAction | None:
        """What a decoded command asks of the printer besides printing."""
        del command, profile
        return None

    def status_report(self, status: PrinterStatus) -> bytes:
        """An unasked status report (after ``StatusBack``)."""
        raise NotImplementedError(f"{self.title} reports no status by itself")
