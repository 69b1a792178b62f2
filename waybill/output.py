"""Where rendered labels go, all or nothing: output appears only when the whole batch succeeded.

PNGs are written (on a background thread) into a hidden staging folder inside the target folder and moved
into place at the end; single files are written beside the target and renamed over it. ``abort`` removes
every partial file. Every file is the owner's only (0600): labels show recipients' names, phones and
addresses. A path that cannot be written (a folder where a file must go, a path under a file, a read-only or
full disk) is one ``OutputError`` naming it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from waybill.atomic import AtomicFile, writing
from waybill.errors import OutputError
from waybill.layout.label import Label

__all__ = ["LabelSink", "PdfFile", "PngFolder", "PrinterFile", "Written", "write_all"]


class LabelSink(Protocol):
    def add(self, label: Label) -> None: ...
    def commit(self) -> list[Path]: ...
    def abort(self) -> None: ...


def _make_folder(folder: Path) -> bool:
    """Make ``folder`` if needed; whether it was made here."""
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{folder} exists and is not a folder (PNG output needs a folder)")
        return False
    with writing(folder):
        folder.mkdir(parents=True)
    return True


class PngFolder:
    """``DIR/<waybill_no>.png`` and ``DIR/<waybill_no>-2.png`` … for continuation labels."""

    def __init__(self, folder: Path) -> None:
        self.made = _make_folder(folder)
        self.folder = folder
        with writing(folder):
            self.staging = Path(tempfile.mkdtemp(prefix=".waybill-partial-", dir=folder))
        self.names: list[str] = []
        # Each sink loads its own stack (PIL and numpy here, reportlab's font helpers for a PDF), 10-15 ms each.
        from waybill.render.png import PngWriter
        from waybill.render.raster import rasterize

        self.rasterize = rasterize
        self.writer = PngWriter()  # encodes on another thread while the next label is laid out

    def add(self, label: Label) -> None:
        name = f"{label.file_stem}.png"
        image = self.rasterize(label)
        self.writer.write(image, self.staging / name, label.dots_per_mm, shown_as=self.folder / name)
        self.names.append(name)

    def commit(self) -> list[Path]:
        self.writer.finish()  # a write that failed raises here (or from a later add) as an OutputError
        # Check every target before moving any, so a failure cannot leave half the batch in place.
        for name in self.names:
            if (self.folder / name).is_dir():
                raise OutputError(f"{self.folder / name} is a folder; it stands where a label must go")
        paths = []
        for name in self.names:
            with writing(self.folder / name):
                os.replace(self.staging / name, self.folder / name)
            paths.append(self.folder / name)
        self.staging.rmdir()
        return paths

    def abort(self) -> None:
        self.writer.cancel()  # running writes finish first, so nothing lands in the staging folder after
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.made:
            with contextlib.suppress(OSError):  # only if still empty: someone may have put files there meanwhile
                self.folder.rmdir()


class PdfFile(AtomicFile):
    """One PDF page per label."""

    def __init__(self, target: Path) -> None:
        from waybill.render.pdf import PdfWriter  # as PngFolder's writer: loaded by the sink that writes

        super().__init__(target)
        self.writer = PdfWriter(self.stream)

    def add(self, label: Label) -> None:
        with writing(self.target):
            self.writer.add(label)

    def commit(self) -> list[Path]:
        with writing(self.target):
            self.writer.close()
        return super().commit()


class PrinterFile(AtomicFile):
    """A printer-ready byte stream: ``encode`` turns each label into the bytes a printer takes."""

    def __init__(self, target: Path, encode: Callable[[Label], Iterable[bytes]], prologue: bytes = b"") -> None:
        super().__init__(target)
        self.encode = encode
        self.write(prologue)

    def add(self, label: Label) -> None:
        for chunk in self.encode(label):
            self.write(chunk)


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
