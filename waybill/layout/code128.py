"""Code128: the shortest encoding of a text, and the bars of a symbol.

The tables (each code set's values, each value's bars) are python-barcode's. Its encoder picks code sets as
it goes, which makes a typical ``SF`` number 156 modules where the shortest is 145; reportlab's finds the
shortest, but importing it loads reportlab's whole widget and paragraph stack, 70-90 ms of every start-up.
So the code sets are chosen here, by a search over the text from its end: the fewest symbol characters, then
the fewest code-set changes, then code set C entered as early as possible. The narrow modules the main
barcode keeps on narrower stock depend on it.
"""

from __future__ import annotations

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
# On a tie: enter C now rather than later, stay rather than change to A or B.
_PREFERENCE = {"C": 0, None: 1, "B": 2, "A": 3}

Cost = tuple[int, int]  # (symbol characters, code-set changes) to encode the rest of the text


def _consumed(data: str, index: int, code_set: str) -> int:
    """How many characters from ``index`` one symbol character of ``code_set`` carries (0: it cannot)."""
    if code_set == "C":
        return 2 if data[index] in _DIGITS and data[index + 1 : index + 2] in _DIGITS else 0
    return 1 if data[index] in _VALUES[code_set] else 0


def code128_values(data: str) -> list[int]:
    """The symbol's code values: the start code and the data (code set changes included), without the
    check value and the stop code. A printer drawing Code128 itself is sent these to draw the same bars.
    Raises ValueError for a character outside ASCII (Code128 carries ASCII 0-127 only)."""
    outside = next((char for char in data if ord(char) > 127), None)
    if outside is not None:
        raise ValueError(f"Code128 cannot carry {outside!r} (ASCII only)")
    length = len(data)
    # best[i][s]: the cost of data[i:] when code set s is current, and what to do there (None: stay in s,
    # else the set to change to first).
    best: list[dict[str, tuple[Cost, str | None]]] = [{} for _ in range(length + 1)]
    best[length] = {code_set: ((0, 0), None) for code_set in START}
    for index in range(length - 1, -1, -1):
        here: dict[str, Cost | None] = {}
        for code_set in START:
            step = _consumed(data, index, code_set)
            here[code_set] = best[index + step][code_set][0] if step else None
        for code_set in START:
            options: list[tuple[Cost, int, str | None]] = []
            staying = here[code_set]
            if staying is not None:
                options.append(((staying[0] + 1, staying[1]), _PREFERENCE[None], None))
            for target in START:
                changing = here[target]
                if target != code_set and changing is not None:
                    options.append(((changing[0] + 2, changing[1] + 1), _PREFERENCE[target], target))
            cost, _, action = min(options)  # a character is in A or B, so there is always an option
            best[index][code_set] = (cost, action)
    current = min(START, key=lambda s: (best[0][s][0], _PREFERENCE[s]))
    values = [START[current]]
    index = 0
    while index < length:
        change = best[index][current][1]
        if change is not None:
            values.append(_CHANGE_TO[change])
            current = change
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
