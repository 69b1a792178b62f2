"""The pool file: printers by name, pools of them; every mistake is named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers.pool_file import PoolFileError, load_pool_file

GOOD = """\
[printers.p1]
uri = "tcp://192.168.1.51:9100"
profile = "tspl-203"
line = "A"
[printers.p2]
uri = "tcp://192.168.1.52:9100"
profile = "escpos-4inch"
[pools]
line-a = ["p1", "p2"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pool.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(PoolFileError) as caught:
        load_pool_file(write(tmp_path, text))
    return [str(problem) for problem in caught.value.problems]


def test_the_issue_example(tmp_path: Path) -> None:
    pool_file = load_pool_file(write(tmp_path, GOOD))
    assert list(pool_file.printers) == ["p1", "p2"]
    p1, p2 = pool_file.pool("line-a")
    assert (p1.name, p1.uri, p1.profile.name, p1.line) == ("p1", "tcp://192.168.1.51:9100", "tspl-203", "A")
    assert (p2.name, p2.profile.language, p2.line) == ("p2", "escpos", None)


def test_an_unknown_pool_names_the_known_ones(tmp_path: Path) -> None:
    pool_file = load_pool_file(write(tmp_path, GOOD))
    with pytest.raises(PoolFileError, match=r"pool\.toml: pools: no pool 'line-b' \(pools: line-a\)"):
        pool_file.pool("line-b")


def test_every_problem_names_file_line_and_field(tmp_path: Path) -> None:
    text = """\
[printers.p1]
uri = "tcp://192.168.1.51:9100"
profile = "tspl-2003"

[printers.p2]
uri = "http://192.168.1.52/print"
profile = "escpos-4inch"
speed = 3

[printers.p3]
uri = "tcp://192.168.1.51:9100"
profile = "tspl-300"
line = 4

[pools]
line-a = ["p1", "p9"]
line-b = ["p3", "p3"]
"""
    source = str(tmp_path / "pool.toml")
    found = problems(tmp_path, text)
    assert found[0].startswith(f"{source}:3: printers.p1.profile: unknown profile 'tspl-2003' (known: ")
    assert found[1:] == [
        f"{source}:6: printers.p2.uri: http:// is not a printer link; use tcp://, serial://, usb://, file://, cups://",
        f"{source}:8: printers.p2.speed: unknown key (a printer has uri, profile, line)",
        f"{source}:11: printers.p3.uri: tcp://192.168.1.51:9100 is printer p1 already: one printer, one name",
        f'{source}:13: printers.p3.line: must be text, like line = "A"',
        f"{source}:16: pools.line-a: unknown printer 'p9' (printers: p1, p2, p3)",
        f"{source}:17: pools.line-b: printer 'p3' is listed twice",
    ]


def test_a_printer_in_two_pools_and_mixed_resolutions(tmp_path: Path) -> None:
    text = GOOD.replace('profile = "escpos-4inch"', 'profile = "tspl-300"') + 'line-b = ["p1"]\n'
    source = str(tmp_path / "pool.toml")
    assert problems(tmp_path, text) == [
        f"{source}:9: pools.line-a: printers of one pool must share a resolution (p1 203 dpi, p2 300 dpi): "
        "a job is laid out once",
        f"{source}:10: pools.line-b: printer 'p1' is in pool 'line-a' already: one queue per printer",
    ]


def test_missing_keys_and_unknown_tables(tmp_path: Path) -> None:
    text = '[printer.p1]\nuri = "tcp://h"\n\n[printers.p2]\nline = "B"\n\n[pools]\nline-a = []\n'
    source = str(tmp_path / "pool.toml")
    assert problems(tmp_path, text) == [
        f"{source}:1: printer: unknown table (a pool file has [printers.NAME] tables and a [pools] table)",
        f'{source}:4: printers.p2.uri: missing: the printer\'s address, like uri = "tcp://192.168.1.51:9100"',
        f'{source}:4: printers.p2.profile: missing: the printer profile, like profile = "tspl-203"',
        f'{source}:8: pools.line-a: must list printer names, like line-a = ["p1", "p2"]',
    ]


def test_broken_toml_and_a_duplicate_table_name_their_line(tmp_path: Path) -> None:
    source = str(tmp_path / "pool.toml")
    duplicate = GOOD + '[printers.p1]\nuri = "tcp://192.168.1.53:9100"\n'
    (found,) = problems(tmp_path, duplicate)
    assert found.startswith(f"{source}:10: not TOML: ") and "p1" in found
    (found,) = problems(tmp_path, '[printers.p1]\nuri = "tcp://h\n')
    assert found.startswith(f"{source}:2: not TOML: ")


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PoolFileError, match=r"missing\.toml: cannot read the pool file: No such file"):
        load_pool_file(tmp_path / "missing.toml")


def test_extra_profiles_come_from_a_profiles_file(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[profiles.shelf]\nbase = "tspl-203"\noffset_x_dots = 8\n', encoding="utf-8")
    pool_file = load_pool_file(write(tmp_path, GOOD.replace("tspl-203", "shelf")), profiles)
    assert pool_file.printers["p1"].profile.offset_x_dots == 8
