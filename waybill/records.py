"""What order files and tracking files share: telling JSON Lines from CSV, and reading JSON Lines into
numbered objects with a ``Problem`` (file and line) for each line that is not one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from waybill.errors import Problem

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def is_csv(path: Path, first_character: str) -> bool:
    """By the file's suffix; with none we know, by its first non-blank character (``{`` opens JSON Lines)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix in JSONL_SUFFIXES:
        return False
    return first_character not in ("{", "")


def json_lines(lines: Iterable[str], source: str, each: str) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """(line number, object) per non-blank line; ``each`` names what a line holds, for the message."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield Problem(source, number, None, f"not valid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(data, dict):
            yield Problem(source, number, None, f"each line must be one JSON object ({each})")
            continue
        yield number, data
