"""What order files and tracking files share: telling JSON Lines from CSV, reading JSON strictly, and reading
JSON Lines into numbered objects with a ``Problem`` (file and line) for each line that is not one."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from waybill.errors import Problem
from waybill.i18n import _

__all__ = ["JSONL_SUFFIXES", "MAX_DEPTH", "BadJson", "is_csv", "json_lines", "strict_json"]

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
# No record we read nests deeper than 4 (a push: param → lastResult → data → item); 32 is far past sane.
MAX_DEPTH = 32
_MAX_INT_DIGITS = 100  # longer integer literals are refused before Python converts them (4300 digits raise)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class BadJson(ValueError):
    """Text that is not one sane JSON value; the message says why, for the user."""


def is_csv(path: Path, first_character: str) -> bool:
    """By the file's suffix; with none we know, by its first non-blank character (``{`` opens JSON Lines)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix in JSONL_SUFFIXES:
        return False
    return first_character not in ("{", "")


def strict_json(text: str) -> Any:
    """``json.loads``, refusing what it would take silently or fail on with an exception of its own:

    a key given twice in one object (the last would silently win), NaN and Infinity (not JSON), integer
    literals of more than 100 digits, nesting deeper than ``MAX_DEPTH`` (``RecursionError`` otherwise), and
    an escape of half a UTF-16 surrogate pair (``\\ud800`` alone: a string no UTF-8 store or file can hold).
    """
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        raise BadJson(
            _("not valid JSON ({reason} at column {column})").format(reason=error.msg, column=error.colno)
        ) from error
    except RecursionError as error:
        raise BadJson(_("not valid JSON: nested deeper than {n} levels").format(n=MAX_DEPTH)) from error
    # Only text with enough brackets can nest too deep: the walk is skipped for ordinary records.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise BadJson(_("not valid JSON: nested deeper than {n} levels").format(n=MAX_DEPTH))
    if _SURROGATE_ESCAPE.search(text):  # a pair decodes to one character; a lone half stays a surrogate
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            half = f"\\u{ord(error.object[error.start]):04x}"
            raise BadJson(
                _("not valid JSON: {escape} is half of a UTF-16 surrogate pair, not a character").format(escape=half)
            ) from error
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        twice = next(key for key, count in Counter(key for key, _value in pairs).items() if count > 1)
        raise BadJson(_("not valid JSON: key {key!r} is given twice in one object").format(key=twice))
    return data


def _no_constant(name: str) -> Any:
    raise BadJson(_("not valid JSON: {name} is not a number").format(name=name))


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > _MAX_INT_DIGITS:
        raise BadJson(_("not valid JSON: a number of {n} digits").format(n=len(literal.lstrip("-"))))
    return int(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BadJson(_("not valid JSON: {value} is out of range").format(value=literal[:20]))
    return value


def _deeper_than(value: Any, depth: int) -> bool:
    """Whether ``value`` nests more than ``depth`` containers; the walk stops at ``depth`` (bounded recursion)."""
    if isinstance(value, dict):
        children: Iterable[Any] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return False
    return depth == 0 or any(_deeper_than(child, depth - 1) for child in children)


def _flat_text_object(line: str) -> dict[str, Any] | None:
    """The object on ``line`` when it is one of flat string fields that ``strict_json`` would take as it is, or
    None (then ask ``strict_json``); orjson decodes in C, ten times faster than ``json.loads`` with hooks.

    The check for a key given twice (orjson keeps the last silently) counts quotes: with no backslash every
    ``"`` opens or closes a string, and an object of n distinct keys with n string values has exactly 4n of
    them; a repeated key would add its own. String values only: no numbers to bound, no nesting to limit.
    """
    if "\\" in line:
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(data) is dict and line.count('"') == 4 * len(data) and set(map(type, data.values())) <= {str}:
        return data
    return None


def json_lines(lines: Iterable[str], source: str, each: str) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """(line number, object) per non-blank line; ``each`` names what a line holds, for the message."""
    for number, line in enumerate(lines, start=1):
        data = _flat_text_object(line)
        if data is not None:
            yield number, data
            continue
        if not line.strip():
            continue
        try:
            data = strict_json(line)
        except BadJson as error:
            yield Problem(source, number, None, str(error))
            continue
        if not isinstance(data, dict):
            yield Problem(source, number, None, _("each line must be one JSON object ({each})").format(each=_(each)))
            continue
        yield number, data
