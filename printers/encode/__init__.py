"""Printer-language encoders: 1-bit label rasters (mode "1", 0 = black) to the bytes a printer executes.

The language comes from the profile, through its driver (``printers.languages``). ``encode_job`` is a
stream: it takes the labels one at a time and hands back each one's bytes before looking at the next, so
a batch is never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PIL import Image

from printers.encode.encoded import EncodedLabel
from printers.languages import driver_for
from printers.profiles import PrinterProfile
from waybill.layout.label import Label
from waybill.render.raster import rasterize

__all__ = [
    "EncodedLabel",
    "encode_for_session",
    "encode_job",
    "encode_label",
    "encode_label_for_session",
    "encode_labels",
    "session_opening",
]


def encode_labels(images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
    """Per label: its bytes (the first label's include the job's opening) and any dots altered."""
    return driver_for(profile.language).encode_labels(images, profile)


def encode_job(images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[bytes]:
    """The job's bytes, one chunk per label; ``b"".join(...)`` is the whole printer-ready stream."""
    return (label.data for label in encode_labels(images, profile))


def encode_label(image: Image.Image, profile: PrinterProfile) -> bytes:
    """A complete stream printing the one label."""
    return b"".join(encode_job([image], profile))


def encode_for_session(image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
    """One label that stands on its own on a link already opened with ``session_opening``, so any label
    can be the first after a resume."""
    return driver_for(profile.language).encode_for_session(image, profile)


def encode_label_for_session(label: Label, profile: PrinterProfile) -> EncodedLabel:
    """A laid-out label as ``encode_for_session`` sends it: by the printer's own commands on a native
    profile, else as its raster."""
    driver = driver_for(profile.language)
    if profile.native:
        return driver.encode_native(label, profile)
    return driver.encode_for_session(rasterize(label), profile)


def session_opening(profile: PrinterProfile) -> bytes:
    """What a new connection (or a printer file) starts with: ``ESC @`` for ESC/POS, nothing for TSPL."""
    return driver_for(profile.language).opening(profile)
