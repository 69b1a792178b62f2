"""ZPL II ``^BC`` field data with invocation codes, both directions (the decoder uses the inverse).

In ``^BC`` mode N the field data names the symbol's code values: a start code (``>9`` A, ``>:`` B, ``>;``
C; none: B), then in code set B one ASCII character a value (``^``, ``>`` and ``~`` written ``><``, ``>0``
and ``>=``), in code sets A and C two digits a value (00-95, 00-99), and ``>1``-``>8`` for values 95-102,
of which ``>5`` (CODE C), ``>6`` (CODE B from A or C) and ``>7`` (CODE A from B or C) switch the code set.
The printer adds the check value and the stop code. Sending the label engine's own code values (its code
set switches included) makes the printer draw the very bars the preview shows, not a symbol of its own
choosing. SHIFT (98) is not used: the label engine never shifts.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["code128_field", "code128_field_values"]

_STARTS = {103: (">9", "A"), 104: (">:", "B"), 105: (">;", "C")}
_START_OF = {code: value for value, (code, _) in _STARTS.items()}
_SHIFT = 98
_SWITCHES = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"}, "C": {100: "B", 101: "A"}}
_ESCAPED = {30: ">0", 62: "><", 94: ">="}  # > ^ ~ in code set B
_UNESCAPED = {code: value for value, code in _ESCAPED.items()}
_PAIRS = {"A": 96, "C": 100}  # code sets written in digit pairs: values below this


def code128_field(values: Sequence[int]) -> str:
    """``^FD`` data for the symbol of code ``values`` (start code and data, as ``code128_values``)."""
    start, codeset = _STARTS[values[0]]
    out = [start]
    for value in values[1:]:
        if codeset in _PAIRS and value < _PAIRS[codeset]:
            out.append(f"{value:02d}")
        elif codeset == "B" and value < 95:
            out.append(_ESCAPED.get(value, chr(value + 32)))
        elif value == _SHIFT:
            raise ValueError("Code128 SHIFT is not sent")
        else:
            out.append(f">{value - 94}")
            codeset = _SWITCHES[codeset].get(value, codeset)
    return "".join(out)


def code128_field_values(field: str) -> list[int]:
    """The code values (start code and data) ``^FD`` data in mode N names; ``ValueError`` if it names none."""
    start = _START_OF.get(field[:2])
    values = [start if start is not None else 104]
    codeset = _STARTS[values[0]][1]
    pos = 2 if start is not None else 0
    while pos < len(field):
        pair = field[pos : pos + 2]
        if pair[:1] == ">":
            if codeset == "B" and pair in _UNESCAPED:
                values.append(_UNESCAPED[pair])
            elif len(pair) == 2 and "1" <= pair[1] <= "8" and int(pair[1]) + 94 != _SHIFT:
                value = int(pair[1]) + 94
                values.append(value)
                codeset = _SWITCHES[codeset].get(value, codeset)
            else:
                raise ValueError(f"{pair!r} is not a Code128 invocation code here")
            pos += 2
        elif codeset in _PAIRS:
            if not (len(pair) == 2 and pair.isdigit() and pair.isascii() and int(pair) < _PAIRS[codeset]):
                raise ValueError(f"{pair!r} is not a code set {codeset} digit pair")
            values.append(int(pair))
            pos += 2
        else:
            value = ord(field[pos]) - 32
            if not 0 <= value < 95:
                raise ValueError(f"{field[pos]!r} is not in Code128 code set B")
            values.append(value)
            pos += 1
    if len(values) == 1:
        raise ValueError("no Code128 data")
    return values
