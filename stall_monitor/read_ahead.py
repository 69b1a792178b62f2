"""Reading a file's events in a second process while this one stores the batches read before them.

Reading (decoding each line, checking its fields, parsing its time, making its key) is about half of an
ingest's work, and the store's half runs in the other; on two cores the two halves overlap. The reader is a
forked child: it inherits the unread ``items`` and sends each batch's rows, plain strings, down a pipe as
one JSON document (orjson writes it seven times faster than pickle, on the reader's side, the one that
bounds the ingest), which blocks it when it is a batch ahead (memory stays flat). It starts when its
``ReadAhead`` is made: the command line makes it before it loads the store's stack (SQLAlchemy, 0.2 s), so
the first batches are read meanwhile; nothing here imports SQLAlchemy. Problems come back in order and are
handed to the caller; an error in the reader (a file that cannot be read, say) is raised by ``batches``,
after the batches before it were stored. Where ``fork`` is not how processes start (Windows, macOS) the same
work runs in this process, one batch after another.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import sys
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import orjson

from stall_monitor.batches import Rejected, valid_batches
from stall_monitor.event_rows import PreparedBatch, event_rows
from stall_monitor.events import Event
from waybill.errors import Problem

__all__ = ["ReadAhead", "prepared_elsewhere", "prepared_in_turn"]


def prepared_in_turn(
    items: Iterable[Event | Problem], batch_size: int, dialect: str, rejected: Rejected
) -> Iterator[PreparedBatch]:
    """``event_rows`` of each batch of ``items``, read here, each when the one before it was stored."""
    return (event_rows(batch, dialect) for batch in valid_batches(items, batch_size, rejected))


def prepared_elsewhere(
    items: Iterable[Event | Problem], batch_size: int, dialect: str, rejected: Rejected
) -> Iterator[PreparedBatch]:
    """``event_rows`` of each batch of ``items``, read by a child process where one can be forked."""
    return ReadAhead(items, batch_size, dialect).batches(rejected)


class ReadAhead:
    """The events of ``items`` read in a child process from now on; ``batches`` receives them. ``close``
    stops a reader whose batches are not wanted, as ``batches`` does when its caller stops early."""

    def __init__(self, items: Iterable[Event | Problem], batch_size: int, dialect: str) -> None:
        self.items, self.batch_size, self.dialect = items, batch_size, dialect
        self._reader: BaseProcess | None = None
        if sys.platform != "linux":
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._reader = context.Process(target=_read, args=(items, batch_size, dialect, sender), daemon=True)
        self._reader.start()
        sender.close()  # the child's end: when the child is gone, recv() ends with EOFError instead of waiting

    def batches(self, rejected: Rejected) -> Iterator[PreparedBatch]:
        """Each batch as it comes; each problem found while reading it goes to ``rejected`` first."""
        if self._reader is None:
            yield from prepared_in_turn(self.items, self.batch_size, self.dialect, rejected)
            return
        reader = self._reader
        try:
            while True:
                try:
                    kind, problems, payload = self._receiver.recv()
                except EOFError:
                    reader.join()
                    why = f"the process reading the events ended unexpectedly (exit {reader.exitcode})"
                    raise RuntimeError(why) from None
                for problem in problems:
                    rejected(problem)
                if kind == "rows":
                    document, duplicate = payload
                    yield PreparedBatch(orjson.loads(document), duplicate)
                elif kind == "error":
                    raise payload
                else:
                    return
        finally:
            self.close()

    def close(self) -> None:
        """Stop the reader if it still runs, then close its pipe: it goes first, so it never writes to none."""
        if self._reader is None:
            return
        if self._reader.is_alive():
            self._reader.terminate()
        self._reader.join()
        self._receiver.close()


def _read(items: Iterable[Event | Problem], batch_size: int, dialect: str, sender: Connection) -> None:
    """The child: each batch's rows with the problems found while reading it, then ``end`` or ``error``."""
    gc.disable()  # as the ingest pauses it (see ``waybill.collector``); this child may be forked before that
    problems: list[Problem] = []
    try:
        for batch in valid_batches(items, batch_size, Rejected(problems.append)):
            # Text a file can hold, JSON can carry: the readers refuse what UTF-8 cannot encode (a lone surrogate).
            prepared = event_rows(batch, dialect)
            sender.send(("rows", problems, (orjson.dumps(prepared.rows), prepared.duplicate)))
            problems.clear()
        sender.send(("end", problems, None))
    except BaseException as error:  # the parent raises it: a file it cannot read, an interrupt, a bug
        with contextlib.suppress(OSError):  # the parent is gone: nobody is left to tell
            sender.send(("error", problems, _sendable(error)))
    finally:
        sender.close()


def _sendable(error: BaseException) -> Any:
    """``error`` itself if it survives pickling (the project's errors do), else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"the process reading the events failed: {error!r}")
    return error
