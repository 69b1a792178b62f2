"""The font labels for a printer are fitted with. Apart from the encoders, so laying out a PDF or a preview
loads no printer encoder, and apart from ``printers.languages``, which the command line reads at start-up."""

from __future__ import annotations

from printers.languages import driver_for
from printers.profiles import PrinterProfile
from waybill.fonts import Font
from waybill.fonts.cells import resident_font
from waybill.layout.label import LabelFont

__all__ = ["layout_font"]


def layout_font(profile: PrinterProfile | None, outline: Font) -> LabelFont:
    """The printer's resident font on a native profile (``outline`` drawing what it lacks), else ``outline``."""
    name = driver_for(profile.language).resident_font if profile is not None and profile.native else None
    return resident_font(name, outline) if name else outline
