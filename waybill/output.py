"""Where rendered labels go, all or nothing: output appears only when the whole batch succeeded.

PNGs are written (on background threads) into a hidden staging folder inside the target folder and moved
into place at the end; single files are written beside the target and renamed over it. ``abort`` removes
every partial file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from waybill.errors import UsageError
from waybill.layout.label import Label
from waybill.render.pdf import PdfWriter
from waybill.render.png import PngWriter
from waybill.render.raster import rasterize


class LabelSink(Protocol):
    def add(self, label: Label) -> None: ...
    def commit(self) -> list[Path]: ...
    def abort(self) -> None: ...


class PngFolder:
    """``DIR/<waybill_no>.png`` and ``DIR/<waybill_no>-2.png`` … for continuation labels."""

    def __init__(self, folder: Path) -> None:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder} exists and is not a folder (PNG output needs a folder)")
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".waybill-partial-", dir=folder))
        self.names: list[str] = []
        self.writer = PngWriter()  # encodes on other threads while the next label is laid out

    def add(self, label: Label) -> None:
        name = f"{label.file_stem}.png"
        self.writer.write(rasterize(label), self.staging / name, label.dots_per_mm)
        self.names.append(name)

    def commit(self) -> list[Path]:
        self.writer.finish()
        paths = []
        for name in self.names:
            os.replace(self.staging / name, self.folder / name)
            paths.append(self.folder / name)
        self.staging.rmdir()
        return paths

    def abort(self) -> None:
        self.writer.cancel()
        shutil.rmtree(self.staging, ignore_errors=True)


class _AtomicFile:
    """A file written under a temporary name and renamed over the target only on commit."""

    def __init__(self, target: Path) -> None:
        if target.is_dir():
            raise UsageError(f"{target} is a folder; give a file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.target = target
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        self.partial = Path(name)
        self.stream: BinaryIO = os.fdopen(handle, "wb")

    def commit(self) -> list[Path]:
        self.stream.close()
        os.replace(self.partial, self.target)
        return [self.target]

    def abort(self) -> None:
        self.stream.close()
        self.partial.unlink(missing_ok=True)


class PdfFile(_AtomicFile):
    """One PDF page per label."""

    def __init__(self, target: Path) -> None:
        super().__init__(target)
        self.writer = PdfWriter(self.stream)

    def add(self, label: Label) -> None:
        self.writer.add(label)

    def commit(self) -> list[Path]:
        self.writer.close()
        return super().commit()


class PrinterFile(_AtomicFile):
    """A printer-ready byte stream: ``encode`` turns each label into the bytes a printer takes."""

    def __init__(self, target: Path, encode: Callable[[Label], Iterable[bytes]], prologue: bytes = b"") -> None:
        super().__init__(target)
        self.encode = encode
        self.stream.write(prologue)

    def add(self, label: Label) -> None:
        for chunk in self.encode(label):
            self.stream.write(chunk)


@dataclass(frozen=True)
class Written:
    paths: list[Path]
    labels: int
    orders: int


def write_all(sink: LabelSink, labels: Iterable[Label]) -> Written:
    """Add every label and commit; on any error (or Ctrl-C) remove what was written and re-raise."""
    count = orders = 0
    try:
        for label in labels:
            sink.add(label)
            count += 1
            orders += label.page == 1
        paths = sink.commit()
    except BaseException:
        sink.abort()
        raise
    return Written(paths, count, orders)
