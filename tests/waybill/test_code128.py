"""Code128 encoding: the fewest symbol characters, bars that scan back to the text, ASCII only.

reportlab's encoder (a dependency for the PDF writer's font helpers) is the oracle: it also looks for the
shortest encoding, so ours is never longer, and the same code values give the same bars.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from reportlab.graphics.barcode.code128 import Code128

from tests.waybill.labels import decoded_code128
from waybill.layout.code128 import START, code128_symbol, code128_values


def reportlab_values(data: str) -> list[int]:
    symbol = Code128(data)
    symbol.validate()
    return list(symbol.encode()[:-2])


def reportlab_modules(values: list[int]) -> str:
    """reportlab's bars for ``values`` (check value and stop added as reportlab adds them)."""
    symbol = Code128("")
    check = (values[0] + sum(weight * value for weight, value in enumerate(values[1:], 1))) % 103
    symbol.encoded = [*values, check, 106]
    symbol.decompose()
    return "".join(("1" if e.isupper() else "0") * (ord(e.upper()) - ord("A") + 1) for e in symbol.decomposed)


def scanned(modules: str) -> list[str]:
    """What a scanner reads from the bars, drawn 3 pixels a module with quiet zones."""
    row = [0 if bit == "1" else 255 for bit in "0" * 12 + modules + "0" * 12 for _ in range(3)]
    image = Image.new("L", (len(row), 60))
    image.putdata(row * 60)
    return decoded_code128(image)


@pytest.mark.parametrize(
    ("data", "values"),
    [
        ("SF1", [104, 51, 38, 17]),
        # An odd run of digits reaching the end: its first digit stays in B, the rest go in pairs.
        ("SF1000731000000", [104, 51, 38, 17, 99, 0, 7, 31, 0, 0, 0]),
        ("SF160401", [104, 51, 38, 99, 16, 4, 1]),
        # All digits, odd: code set C from the start, the last digit in B (as short as starting in B).
        ("1234567", [105, 12, 34, 56, 100, 23]),
        # A pair of digits between letters saves nothing: no change of code set for it.
        ("12a34", [104, 17, 18, 65, 19, 20]),
        ("AB1234CD", [104, 33, 34, 17, 18, 19, 20, 35, 36]),
        ("AB123456CD", [104, 33, 34, 99, 12, 34, 56, 100, 35, 36]),
        # A control character is in code set A only.
        ("A\tB", [103, 33, 73, 34]),
    ],
)
def test_known_encodings(data: str, values: list[int]) -> None:
    assert code128_values(data) == values
    assert scanned(code128_symbol(values)) == [data]


@given(st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=30))
def test_never_longer_than_reportlab_and_the_same_bars_for_the_same_values(data: str) -> None:
    values = code128_values(data)
    assert values[0] in START.values()
    assert len(values) <= len(reportlab_values(data))
    assert code128_symbol(values) == reportlab_modules(values)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24))
def test_the_bars_scan_back_to_the_text(data: str) -> None:
    assert scanned(code128_symbol(code128_values(data))) == [data]


@pytest.mark.parametrize("data", ["SF12中3", "é", "\x80"])
def test_a_character_outside_ascii_is_refused_not_dropped(data: str) -> None:
    with pytest.raises(ValueError, match="ASCII only"):
        code128_values(data)


def test_the_bars_table_is_the_standards_as_python_barcode_has_it() -> None:
    from barcode.charsets.code128 import CODES, STOP

    from waybill.layout import code128

    assert code128._PATTERNS == CODES
    assert code128._STOP_PATTERN == STOP + "11"  # python-barcode adds the final bar when it draws
    assert {len(pattern) for pattern in code128._PATTERNS} == {11}
