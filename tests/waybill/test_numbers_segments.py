"""Number segments: parsing, every refusal with its line and field, and overlap between prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waybill.app.cli import main
from waybill.database import open_database
from waybill.errors import OrderError
from waybill.numbers.segments import Segment, overlapping, parse_segments
from waybill.numbers.store import NumberStore

HEADER = "carrier,branch_code,prefix,first,last\n"


def test_a_segment_numbers_prefix_plus_the_serial_padded_to_the_width_of_last() -> None:
    segments = parse_segments(
        HEADER + "zto,57155,7831,1,0000000100\n\nYTO,571071,YT,0000000000001,9999999999999\n", "s.csv"
    )
    zto, yto = segments
    assert (zto.carrier, zto.branch_code, zto.prefix, zto.first, zto.last, zto.width) == (
        "ZTO",
        "57155",
        "7831",
        1,
        100,
        10,
    )
    assert (zto.number(zto.first), zto.number(zto.last), zto.size) == ("78310000000001", "78310000000100", 100)
    assert yto.number(42) == "YT0000000000042" and yto.where == "s.csv:4"


@pytest.mark.parametrize(
    ("rows", "line", "field"),
    [
        ("ZTO,57155,7831,1\n", 2, "row"),
        ("DHL,57155,7831,1,0000000100\n", 2, "carrier"),
        ("ZTO,,7831,1,0000000100\n", 2, "branch_code"),
        ("ZTO,57155,78_1,1,0000000100\n", 2, "prefix"),
        ("ZTO,57155,7831,one,0000000100\n", 2, "first"),
        ("ZTO,57155,7831,1,-100\n", 2, "last"),
        ("ZTO,57155,7831,200,0000000100\n", 2, "last"),
        ("ZTO,57155,7831,000000000001,0000000100\n", 2, "first"),
        ("ZTO,57155,78,1,999\n", 2, "prefix"),
        ("ZTO,57155,7831,1,0000000100\nZTO,57155,7831,0000000050,0000000200\n", 3, "first"),
        # Different prefixes, same numbers: 73 + 100…199 and 731 + 00…99 are 73100…73199 both.
        ("ZTO,57155,7300000,100,199\nZTO,57155,73000001,00,99\n", 3, "first"),
    ],
    ids=[
        "cells",
        "carrier",
        "branch",
        "prefix",
        "first not digits",
        "last not digits",
        "first above last",
        "first wider",
        "too short",
        "overlap",
        "overlap across prefixes",
    ],
)
def test_a_malformed_or_overlapping_row_is_refused_at_its_line_and_field(rows: str, line: int, field: str) -> None:
    with pytest.raises(OrderError) as raised:
        parse_segments(HEADER + rows, "s.csv")
    assert [(p.source, p.line, p.field) for p in raised.value.problems] == [("s.csv", line, field)]


def test_a_wrong_header_or_an_empty_file_is_refused() -> None:
    with pytest.raises(OrderError, match="the header must be carrier,branch_code,prefix,first,last"):
        parse_segments("carrier,branch,prefix,first,last\nZTO,1,7831,1,0000000100\n", "s.csv")
    with pytest.raises(OrderError, match="no segments"):
        parse_segments(HEADER, "s.csv")


def _numbers(segment: Segment) -> set[str]:
    return {segment.number(serial) for serial in range(segment.first, segment.last + 1)}


segments_strategy = st.builds(
    lambda prefix, first, size, width: Segment(
        "ZTO", "1", prefix, first, first + size, max(width, len(str(first + size)))
    ),
    st.sampled_from(["7", "73", "731", "7310", "74", ""]),
    st.integers(0, 120),
    st.integers(0, 30),
    st.integers(1, 4),
)


@given(segments_strategy, segments_strategy)
def test_overlap_is_exactly_a_shared_number(a: Segment, b: Segment) -> None:
    assert overlapping(a, b) == bool(_numbers(a) & _numbers(b)) == overlapping(b, a)


def test_import_refuses_a_file_overlapping_the_store_and_imports_nothing_from_it(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.csv").write_text(HEADER + "ZTO,57155,7831,1,0000000100\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(
        HEADER + "YTO,571071,YT88,1,00000000100\nZTO,57155,7831,0000000090,0000000300\n", encoding="utf-8"
    )
    assert main(["numbers", "import", str(tmp_path / "a.csv"), "--db", db_url]) == 0
    assert "imported 1 segment(s), 100 numbers" in capsys.readouterr().out
    assert main(["numbers", "import", str(tmp_path / "b.csv"), "--db", db_url]) == 3
    err = capsys.readouterr().err
    assert f"{tmp_path / 'b.csv'}:3: first: overlaps segment 1 (imported from {tmp_path / 'a.csv'})" in err
    assert main(["numbers", "import", str(tmp_path / "a.csv"), "--db", db_url]) == 3  # the same file twice
    stored = NumberStore(open_database(db_url)).segments()
    assert [(s.carrier, s.prefix, s.first, s.last) for s in stored] == [("ZTO", "7831", 1, 100)]
