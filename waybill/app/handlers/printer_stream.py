"""``waybill render -f escpos|tspl|zpl``: labels → the bytes a printer takes, in one file."""

from __future__ import annotations

import sys
from pathlib import Path

from printers.encode import encode_label_for_session, session_opening
from printers.profiles import PrinterProfile
from waybill.i18n import _
from waybill.layout.label import Label
from waybill.output import PrinterFile


def printer_file(output: Path, profile: PrinterProfile) -> PrinterFile:
    return PrinterFile(output, lambda label: [_encoded(label, profile)], prologue=session_opening(profile))


def _encoded(label: Label, profile: PrinterProfile) -> bytes:
    encoded = encode_label_for_session(label, profile)
    if encoded.altered_dots:
        print(
            _("warning: {label}: {n} dot(s) whitened so the image data holds no printer real-time command").format(
                label=label.file_stem, n=len(encoded.altered_dots)
            ),
            file=sys.stderr,
        )
    return encoded.data
