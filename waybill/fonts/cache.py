"""Font metrics parsed once per font file and kept in ``$XDG_CACHE_HOME/waybill/fonts/``.

A cache file belongs to one font path and subfont. It is used when the font's size and modification time
are those it was made from (the cheap check), or else when the font's content hash still matches; otherwise,
and whenever it cannot be read or is corrupt, the font is parsed again and the file rewritten. A cache that
cannot be written (a read-only home) only costs the parse: it is never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import reportlab  # the package only (its version): the parser modules load on a cache miss

from waybill.fonts.record import FontRecord, RecordFormatError
from waybill.paths import cache_home

__all__ = ["cache_file", "font_record"]

# Widths and subsets come from reportlab's parser: another version rebuilds the cache.
PARSER = f"reportlab {reportlab.Version}"


def cache_file(path: Path, index: int) -> Path:
    key = hashlib.blake2b(f"{path}\0{index}".encode(), digest_size=10).hexdigest()
    return cache_home() / "fonts" / f"{path.stem}-{index}-{key}.metrics"


def _content_hash(path: Path) -> str:
    with path.open("rb") as font:
        return hashlib.file_digest(font, "sha256").hexdigest()


def font_record(path: Path, index: int) -> FontRecord:
    """The record of subfont ``index`` of ``path`` (resolved); raises what the parser raises for a bad font."""
    stat = path.stat()
    quick = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "index": index, "parser": PARSER}
    target = cache_file(path, index)
    cached = _read(target)
    if cached is not None and all(cached.source.get(key) == value for key, value in quick.items()):
        return cached
    digest = _content_hash(path)
    source = {**quick, "sha256": digest}
    if cached is not None and {**cached.source, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns} == source:
        metrics = replace(cached, source=source)  # touched, not changed: refresh the stamp
    else:
        from waybill.fonts.truetype import parse  # reportlab's parser: ~50 ms to import, needed on a miss only

        metrics = parse(path, index, source)
    _write(target, metrics)
    return metrics


def _read(target: Path) -> FontRecord | None:
    try:
        return FontRecord.from_bytes(target.read_bytes())
    except (OSError, RecordFormatError):
        return None


def _write(target: Path, metrics: FontRecord) -> None:
    """Replace ``target`` atomically, so a concurrent reader sees the old file or the new one, never half."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(metrics.to_bytes())
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise
    except OSError:
        pass  # no cache this time: the next run parses again
