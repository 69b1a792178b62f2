"""The pool file: the printers of a warehouse by name, and pools, named groups of them.

::

    [printers.p1]
    uri = "tcp://192.168.1.51:9100"
    profile = "tspl-203"
    line = "A"                     # optional: the station or packing line it stands at
    [printers.p2]
    uri = "tcp://192.168.1.52:9100"
    profile = "escpos-4inch"
    [pools]
    line-a = ["p1", "p2"]

Every problem is reported at once, each naming the file, the line and the field
(``pool.toml:7: printers.p2.profile: unknown profile …``). A printer belongs to at most one pool (one queue
per printer), two names never share a URI, and the printers of a pool share a resolution (a job is laid
out once for all of them).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from printers.errors import PrinterError
from printers.profiles import PrinterProfile, load_profiles
from printers.transports import SCHEMES
from waybill.errors import Problem
from waybill.i18n import _

__all__ = ["PoolFile", "PoolFileError", "PrinterSpec", "load_pool_file", "parse_pool_file"]

_PRINTER_KEYS = ("uri", "profile", "line")
_Report = Callable[[tuple[str, ...], str], None]  # a problem at a key path


class PoolFileError(PrinterError):
    """A pool file that cannot be used; carries every problem, so all are fixed in one pass."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(str(self.problems[0]))
        else:
            lines = [
                _("{count} problems in the pool file").format(count=len(self.problems)),
                *(f"  {p}" for p in self.problems),
            ]
            super().__init__("\n".join(lines))


@dataclass(frozen=True)
class PrinterSpec:
    """One printer of the pool file."""

    name: str
    uri: str
    profile: PrinterProfile
    line: str | None = None


@dataclass(frozen=True)
class PoolFile:
    source: str
    printers: Mapping[str, PrinterSpec]  # in file order
    pools: Mapping[str, tuple[str, ...]]  # pool → its printers' names, in file order

    def pool(self, name: str) -> list[PrinterSpec]:
        """The printers of pool ``name``; ``PoolFileError`` naming the known pools if there is none."""
        if name not in self.pools:
            known = ", ".join(self.pools) or _("none")
            raise PoolFileError(
                [
                    Problem(
                        self.source,
                        None,
                        "pools",
                        _("no pool {name!r} (pools: {known})").format(name=name, known=known),
                    )
                ]
            )
        return [self.printers[printer] for printer in self.pools[name]]


def load_pool_file(path: Path | str, profiles_file: Path | str | None = None) -> PoolFile:
    """Read the pool file at ``path``; profiles are the built-in ones and those of ``profiles_file``."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PoolFileError(
            [Problem(source, None, None, _("cannot read the pool file: {reason}").format(reason=error.strerror))]
        ) from None
    except UnicodeDecodeError:
        raise PoolFileError([Problem(source, None, None, _("not UTF-8 (TOML files are UTF-8)"))]) from None
    return parse_pool_file(text, source, load_profiles(profiles_file))


def parse_pool_file(text: str, source: str, profiles: Mapping[str, PrinterProfile]) -> PoolFile:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise PoolFileError(
            [
                Problem(
                    source, int(line.group(1)) if line else None, None, _("not TOML: {message}").format(message=message)
                )
            ]
        ) from error
    lines = _KeyLines(text)
    problems: list[Problem] = []

    def problem(path: tuple[str, ...], message: str) -> None:
        problems.append(Problem(source, lines.of(path), ".".join(path), message))

    for key in document.keys() - {"printers", "pools"}:
        problem((key,), _("unknown table (a pool file has [printers.NAME] tables and a [pools] table)"))
    printers, names = _printers(document.get("printers", {}), profiles, problem)
    pools = _pools(document.get("pools", {}), printers, names, problem)
    if problems:
        raise PoolFileError(sorted(problems, key=lambda p: p.line or 0))
    return PoolFile(source, printers, pools)


def _printers(
    tables: Any, profiles: Mapping[str, PrinterProfile], problem: _Report
) -> tuple[dict[str, PrinterSpec], list[str]]:
    """The valid printers, and the names of all (a pool naming an invalid one gets no second error)."""
    if not isinstance(tables, dict):
        problem(("printers",), _("must be [printers.NAME] tables"))
        return {}, []
    printers: dict[str, PrinterSpec] = {}
    by_uri: dict[str, str] = {}
    for name, table in tables.items():
        where = ("printers", name)
        if not isinstance(table, dict):
            problem(where, _("must be a table with uri and profile"))
            continue
        for key in table.keys() - set(_PRINTER_KEYS):
            problem((*where, key), _("unknown key (a printer has {keys})").format(keys=", ".join(_PRINTER_KEYS)))
        uri, profile_name, line = table.get("uri"), table.get("profile"), table.get("line")
        ok = True  # a printer with a problem is left out of ``printers``
        if not isinstance(uri, str) or not uri.strip():
            problem((*where, "uri"), 'missing: the printer\'s address, like uri = "tcp://192.168.1.51:9100"')
            ok = False
        elif (scheme := _scheme(uri)) not in SCHEMES:
            shown = f"{scheme}://" if scheme else _("no scheme")
            problem(
                (*where, "uri"),
                _("{shown} is not a printer link; use {known}").format(
                    shown=shown, known=", ".join(s + "://" for s in SCHEMES)
                ),
            )
            ok = False
        elif uri in by_uri:
            problem(
                (*where, "uri"),
                _("{uri} is printer {name} already: one printer, one name").format(uri=uri, name=by_uri[uri]),
            )
            ok = False
        else:
            by_uri[uri] = name
        if not isinstance(profile_name, str) or not profile_name:
            problem((*where, "profile"), 'missing: the printer profile, like profile = "tspl-203"')
            ok = False
        elif profile_name not in profiles:
            problem(
                (*where, "profile"),
                _("unknown profile {profile_name!r} (known: {known})").format(
                    profile_name=profile_name, known=", ".join(sorted(profiles))
                ),
            )
            ok = False
        if line is not None and not isinstance(line, str):
            problem((*where, "line"), 'must be text, like line = "A"')
            ok = False
        if ok:
            assert isinstance(uri, str) and isinstance(profile_name, str)
            printers[name] = PrinterSpec(name, uri, profiles[profile_name], line)
    return printers, list(tables)


def _pools(
    table: Any, printers: dict[str, PrinterSpec], names: list[str], problem: _Report
) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        problem(("pools",), 'must be a table of pools, like line-a = ["p1", "p2"]')
        return {}
    pools: dict[str, tuple[str, ...]] = {}
    member_of: dict[str, str] = {}
    for name, members in table.items():
        where = ("pools", name)
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            problem(where, 'must list printer names, like line-a = ["p1", "p2"]')
            continue
        for member in members:
            if member not in names:
                problem(
                    where,
                    _("unknown printer {member!r} (printers: {known})").format(
                        member=member, known=", ".join(names) or _("none")
                    ),
                )
            elif member_of.get(member) == name:
                problem(where, _("printer {member!r} is listed twice").format(member=member))
            elif member in member_of:
                problem(
                    where,
                    _("printer {member!r} is in pool {pool!r} already: one queue per printer").format(
                        member=member, pool=member_of[member]
                    ),
                )
            else:
                member_of[member] = name
        specs = [printers[m] for m in members if m in printers]
        if len({spec.profile.dpi for spec in specs}) > 1:
            dpis = ", ".join(f"{spec.name} {spec.profile.dpi} dpi" for spec in specs)
            problem(
                where,
                _("printers of one pool must share a resolution ({dpis}): a job is laid out once").format(dpis=dpis),
            )
        pools[name] = tuple(members)
    return pools


def _scheme(uri: str) -> str:
    scheme, separator = uri.partition("://")[:2]
    return scheme.lower() if separator else ""


class _KeyLines:
    """Where each table and key of a TOML text starts (tomllib gives values, not positions)."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=""")

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if header := self._HEADER.match(line):
                table = _dotted(header.group(1))
                for end in range(1, len(table) + 1):  # [printers.p1] also starts the table printers
                    self._lines.setdefault(table[:end], number)
            elif key := self._KEY.match(line):
                self._lines.setdefault((*table, *_dotted(key.group(1))), number)

    def of(self, path: tuple[str, ...]) -> int | None:
        """The line of ``path``, else of the nearest table around it that has one."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def _dotted(key: str) -> tuple[str, ...]:
    parts = re.findall(r"""\s*("[^"]*"|'[^']*'|[^.\s]+)\s*(?:\.|$)""", key)
    return tuple(part.strip("\"'") for part in parts)
