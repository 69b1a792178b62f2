"""Files written all or nothing, the owner's only: a temporary file beside the target, renamed over it.

An ``OSError`` on the way (a folder where the file must go, a path under a file, a read-only or full disk)
becomes one ``OutputError`` line naming the path; the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from waybill.errors import OutputError

__all__ = ["AtomicFile", "write_file", "writing"]


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` met while writing ``path`` into one ``OutputError`` line that names it."""
    try:
        yield
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {_reason(path, error)}") from error


def _reason(path: Path, error: OSError) -> str:
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        # A file stands where a folder must be: name it, it is what the user has to move.
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None and blocker != path:
            return f"{blocker} is a file, not a folder"
    return error.strerror or str(error)


class AtomicFile:
    """A file written under a temporary name (0600, from ``mkstemp``) and renamed over the target on commit."""

    def __init__(self, target: Path) -> None:
        if target.is_dir():
            raise OutputError(f"{target} is a folder; give a file name")
        self.target = target
        with writing(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        self.partial = Path(name)
        self.stream: BinaryIO = os.fdopen(handle, "wb")

    def write(self, data: bytes) -> None:
        with writing(self.target):
            self.stream.write(data)

    def commit(self) -> list[Path]:
        with writing(self.target):
            self.stream.close()  # a full disk may only show here, when the last buffer goes out
            os.replace(self.partial, self.target)
        return [self.target]

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # the disk that failed the write may fail the flush too
            self.stream.close()
        self.partial.unlink(missing_ok=True)


def write_file(target: Path, data: bytes) -> Path:
    """``data`` as the whole of ``target``, all or nothing, the owner's only (a report, an export)."""
    sink = AtomicFile(target)
    try:
        sink.write(data)
        return sink.commit()[0]
    except BaseException:
        sink.abort()
        raise
