"""Product barcodes as printed on goods: EAN-13, UPC-A (check digits computed by python-barcode) or Code128.

A code of 13 digits is an EAN-13, of 12 digits a UPC-A; anything else printable ASCII is taken as Code128,
whose check character the scanner verifies and never transmits. A UPC-A is the EAN-13 with a leading 0, and
scanners are set to send either form, so codes are compared by ``gtin_key``.
"""

from __future__ import annotations

from typing import Literal

Symbology = Literal["ean13", "upca", "code128"]
MAX_LENGTH = 48  # longer than any product code; a longer "barcode" is a pasted description

__all__ = ["MAX_LENGTH", "Symbology", "check_digit_problem", "gtin_key", "problem", "symbology"]


def symbology(code: str) -> Symbology:
    if code.isascii() and code.isdigit() and len(code) == 13:
        return "ean13"
    if code.isascii() and code.isdigit() and len(code) == 12:
        return "upca"
    return "code128"


def check_digit_problem(code: str) -> str | None:
    """For an EAN-13 or UPC-A whose last digit is not its check digit, what it should be; else None."""
    kind = symbology(code)
    if kind == "code128":
        return None
    import barcode  # here: the package loads its image writer (PIL); most goods carry no EAN in the order

    expected = str(barcode.get(kind, code[:-1]).get_fullcode())
    if expected == code:
        return None
    return f"{'EAN-13' if kind == 'ean13' else 'UPC-A'} check digit should be {expected[-1]}, not {code[-1]}"


def problem(code: str) -> str | None:
    """Why ``code`` cannot be a product barcode, or None."""
    if not code.isascii() or not code.isprintable():
        return f"{code!r} has characters a Code128 barcode cannot carry (printable ASCII only)"
    if len(code) > MAX_LENGTH:
        return f"{len(code)} characters; a product barcode has at most {MAX_LENGTH}"
    wrong = check_digit_problem(code)
    return f"{code!r}: {wrong}" if wrong else None


def gtin_key(code: str) -> str:
    """The form two scans of one product share: a UPC-A as its 13-digit EAN form, other codes as they are."""
    return "0" + code if symbology(code) == "upca" else code
