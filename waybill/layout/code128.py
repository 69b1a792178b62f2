"""Code128: the shortest encoding of a text, and the bars of a symbol.

python-barcode's encoder picks code sets as it goes, which makes a typical ``SF`` number 156 modules where
the shortest is 145; reportlab's finds the shortest, but importing it loads reportlab's whole widget and
paragraph stack, 70-90 ms of every start-up (and python-barcode's package loads its image writer, PIL). So
the code sets are chosen here, by a search over the text from its end: the fewest symbol characters, then
the fewest code-set changes, then code set C entered as early as possible. The narrow modules the main
barcode keeps on narrower stock depend on it. The bars of each value are the standard's table (checked
against python-barcode's in the tests).
"""

from __future__ import annotations

from itertools import pairwise

__all__ = ["START", "code128_symbol", "code128_values"]

START = {"A": 103, "B": 104, "C": 105}
_CHANGE_TO = {"A": 101, "B": 100, "C": 99}  # the same value in every code set but the target
_DIGITS = frozenset("0123456789")
# Code set A: ASCII 32-95, then the control characters 0-31; B: ASCII 32-127.
_VALUES = {
    "A": {chr(code): code - 32 for code in range(32, 96)} | {chr(code): code + 64 for code in range(32)},
    "B": {chr(code): code - 32 for code in range(32, 128)},
}


def code128_values(data: str) -> list[int]:
    """The symbol's code values: the start code and the data (code set changes included), without the
    check value and the stop code. A printer drawing Code128 itself is sent these to draw the same bars.
    Raises ValueError for a character outside ASCII (Code128 carries ASCII 0-127 only)."""
    outside = next((char for char in data if ord(char) > 127), None)
    if outside is not None:
        raise ValueError(f"Code128 cannot carry {outside!r} (ASCII only)")
    length = len(data)
    # A cost counts symbol characters in units that outweigh any number of code-set changes, then changes.
    unit, never = length + 1, (length + 1) ** 3
    change = unit + 1  # a code-set change is one symbol character and one change
    pairs = [a in _DIGITS and b in _DIGITS for a, b in pairwise(data)] + [False]
    # cost[s][i]: of data[i:] with code set s current; then what to do at i in s (None: stay in s, else the
    # set to change to first). On a tie: enter C now rather than later, stay rather than change to A or B.
    cost = {"A": [0] * (length + 2), "B": [0] * (length + 2), "C": [0] * (length + 2)}
    plan: dict[str, list[str | None]] = {"A": [None] * length, "B": [None] * length, "C": [None] * length}
    in_a, in_b = _VALUES["A"], _VALUES["B"]
    for index in range(length - 1, -1, -1):
        char = data[index]
        a = cost["A"][index + 1] + unit if char in in_a else never
        b = cost["B"][index + 1] + unit if char in in_b else never
        c = cost["C"][index + 2] + unit if pairs[index] else never
        for current, options in (
            ("A", (("C", c + change), (None, a), ("B", b + change))),
            ("B", (("C", c + change), (None, b), ("A", a + change))),
            ("C", ((None, c), ("B", b + change), ("A", a + change))),
        ):
            best, action = options[0][1], options[0][0]
            for target, value in options[1:]:
                if value < best:
                    best, action = value, target
            cost[current][index], plan[current][index] = best, action
    current = min("CBA", key=lambda code_set: cost[code_set][0])  # the first of equals: C, then B
    values = [START[current]]
    index = 0
    while index < length:
        target = plan[current][index]
        if target is not None:
            values.append(_CHANGE_TO[target])
            current = target
        if current == "C":
            values.append(int(data[index : index + 2]))
            index += 2
        else:
            values.append(_VALUES[current][data[index]])
            index += 1
    return values


def code128_symbol(values: list[int]) -> str:
    """Modules of the symbol of code ``values`` (start and data, as ``code128_values``): check value and stop
    code added, as a string of ``1`` (bar) and ``0`` (space), quiet zones excluded."""
    check = (values[0] + sum(weight * value for weight, value in enumerate(values[1:], 1))) % 103
    return "".join(_PATTERNS[value] for value in (*values, check)) + _STOP_PATTERN


def _modules(widths: str) -> str:
    """Bar and space widths (a bar first) as modules: ``"212222"`` is ``"11011001100"``."""
    return "".join(("0" if index % 2 else "1") * int(width) for index, width in enumerate(widths))


# Each value's bar, space, bar, space, bar, space widths in modules, values 0-105 (ISO/IEC 15417, table 1).
_WIDTHS = """
    212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212
    112232 122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131
    311222 321122 321221 312212 322112 322211 212123 212321 232121 111323 131123 131321
    112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121
    313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111
    314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114
    122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212
    124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113
    114311 411113 411311 113141 114131 311141 411131 211412 211214 211232
""".split()  # noqa: SIM905 (the standard's table, as it is printed)
_PATTERNS = tuple(map(_modules, _WIDTHS))
_STOP_PATTERN = _modules("2331112")  # the stop code, 106, with its final bar
