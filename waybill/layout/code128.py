"""Code128: the shortest encoding of a text, and the bars of a symbol.

Each value's bars come from python-barcode's table (the code sets' values are ASCII arithmetic, kept here).
Its encoder picks code sets as it goes, which makes a typical ``SF`` number 156 modules where the shortest
is 145; reportlab's finds the shortest, but importing it loads reportlab's whole widget and paragraph
stack, 70-90 ms of every start-up. So the code sets are chosen here, by a search over the text from its
end: the fewest symbol characters, then the fewest code-set changes, then code set C entered as early as
possible. The narrow modules the main barcode keeps on narrower stock depend on it.
"""

from __future__ import annotations

from itertools import pairwise

from barcode.charsets.code128 import CODES, STOP

__all__ = ["START", "code128_symbol", "code128_values"]

START = {"A": 103, "B": 104, "C": 105}
_CHANGE_TO = {"A": 101, "B": 100, "C": 99}  # the same value in every code set but the target
_TERMINATION = "11"  # the bar that ends the stop pattern (python-barcode's STOP leaves it out)
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
    bars: list[str] = [CODES[value] for value in (*values, check)]
    stop: str = STOP
    return "".join(bars) + stop + _TERMINATION
