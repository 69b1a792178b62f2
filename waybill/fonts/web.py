"""The bundled font for a web page: a WOFF2 subset with exactly the characters the page uses, as a CSS
``@font-face`` rule with a data URL, so a single HTML file shows its Chinese on any machine, offline.

fontTools does the subsetting (glyph closure, cmap, layout tables) and the WOFF2 packing (with brotli);
the subset of a report is some tens of kilobytes where the whole font is 5 MB.
"""

from __future__ import annotations

import base64
import io

from fontTools import subset
from fontTools.ttLib import TTFont

from waybill.fonts import bundled_font_path

__all__ = ["WEB_FAMILY", "font_face_css", "woff2_subset"]

WEB_FAMILY = "Waybill Sans"
_ASCII = "".join(map(chr, range(0x20, 0x7F)))


def woff2_subset(text: str) -> bytes:
    """The bundled font (WenQuanYi Micro Hei) cut down to the characters of ``text`` and printable ASCII."""
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamp: nothing to subset, nothing a browser reads
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=_ASCII + "".join(sorted(set(text))))
    out = io.BytesIO()
    with TTFont(str(bundled_font_path()), fontNumber=0, lazy=True) as font:
        subsetter.subset(font)
        font.recalcTimestamp = False  # the same page gives the same bytes (fontTools would stamp "now")
        font.flavor = "woff2"
        font.save(out)
    return out.getvalue()


def font_face_css(text: str, family: str = WEB_FAMILY) -> str:
    data = base64.b64encode(woff2_subset(text)).decode("ascii")
    return f'@font-face {{ font-family: "{family}"; src: url(data:font/woff2;base64,{data}) format("woff2"); }}'
