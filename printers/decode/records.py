"""What the decoder reports: labels, commands seen, commands not understood."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

__all__ = ["Command", "DecodedLabel", "Sink", "UnknownCommand"]


@dataclass(frozen=True)
class DecodedLabel:
    """One printed label as the printer would print it.

    ``image`` is mode "1" (0 = black) and its top-left pixel is the printer's origin (ESC/POS: the
    head's first dot on the label's first printed row; TSPL: the label's origin, where ``BITMAP 0,0``
    lands), so the label engine's raster sits at the profile's ``(offset_x_dots, offset_y_dots)``
    (see ``crop_label``). The label's bytes are ``stream[start:end]``: from just after the previous label
    end (0 for the first) to just after the command that ended it, which ``ending`` names.
    """

    index: int
    image: Image.Image = field(compare=False)
    language: str
    start: int
    end: int
    ending: str
    copies: int = 1


@dataclass(frozen=True)
class UnknownCommand:
    """Bytes the decoder did not understand (or cannot render), at stream byte ``offset``."""

    offset: int
    data: bytes
    reason: str

    def __str__(self) -> str:
        shown = self.data[:16].hex(" ") + (" …" if len(self.data) > 16 else "")
        return f"offset {self.offset}: {self.reason} [{shown}]"


@dataclass(frozen=True)
class Command:
    """A command the decoder recognised: its mnemonic (``"DLE EOT"``, ``"GS ( H"``, ``"PRINT"`` …),
    stream offset and raw bytes (image data left out). A printer simulator hooks these to answer
    status queries and acknowledgements in stream order."""

    name: str
    offset: int
    raw: bytes


@dataclass
class Sink:
    """Where a language parser puts what it finds."""

    on_command: Callable[[Command], None] | None = None
    labels: list[DecodedLabel] = field(default_factory=list)
    unknown: list[UnknownCommand] = field(default_factory=list)
    count: int = 0

    def command(self, name: str, offset: int, raw: bytes | bytearray) -> None:
        if self.on_command is not None:
            self.on_command(Command(name, offset, bytes(raw)))

    def not_understood(self, offset: int, data: bytes | bytearray, reason: str) -> None:
        self.unknown.append(UnknownCommand(offset, bytes(data), reason))

    def label(self, image: Image.Image, language: str, start: int, end: int, ending: str, copies: int = 1) -> None:
        self.count += 1
        self.labels.append(DecodedLabel(self.count, image, language, start, end, ending, copies))
