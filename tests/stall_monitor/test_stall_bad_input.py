"""Hostile tracking input (issue 9): one clear error naming the file and field, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.ingest import ingest_events
from stall_monitor.rules import parse_rules
from stall_monitor.samples import kuaidi100_param, write_jsonl
from stall_monitor.sources.files import read_events, read_work_orders
from stall_monitor.sources.kuaidi100 import PushError, parse_push, read_pushes
from stall_monitor.store import events
from waybill.app.cli import main
from waybill.errors import Problem, UsageError
from waybill.records import MAX_DEPTH
from waybill.times import parse_instant as parse_time

RECEIVED_AT = parse_time("2022-12-21T10:00:00+08:00")
STALLED = [
    "waybill_no,time,status,context,location",
    "SF1,2022-12-10 10:00,picked_up,已揽收,杭州",
    "SF1,2022-12-11 10:00,in_transit,到达杭州转运中心,杭州",
]


def _problems(path: Path) -> list[str]:
    return [str(item) for item in read_events(path) if isinstance(item, Problem)]


def test_a_tracking_csv_with_status_twice_is_refused_whole(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    # The second status column would have closed the stalled parcel.
    path.write_text("\n".join([STALLED[0] + ",status", *(row + ",delivered" for row in STALLED[1:])]) + "\n")
    with pytest.raises(TrackingError) as caught:
        ingest_events(engine, read_events(path), received_at=RECEIVED_AT)
    assert str(caught.value) == f"{path}:1: column 'status' is given twice in the header; nothing was read"
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("waybill_no,time,context", "the header has no 'status' column"),
        ("waybill_no,tiem,status", "unknown column 'tiem' in the header"),
    ],
)
def test_a_tracking_csv_header_missing_or_misspelling_a_column_is_refused(
    tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(f"{header}\nSF1,2022-12-10 10:00,x\n", encoding="utf-8")
    with pytest.raises(TrackingError, match=f"^{path}:1: {message}"):
        list(read_events(path))


def test_a_work_order_csv_without_opened_at_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "work_orders.csv"
    path.write_text("waybill_no,responded_at\nSF1,2022-12-12 10:00\n", encoding="utf-8")
    with pytest.raises(TrackingError, match="the header has no 'opened_at' column"):
        list(read_work_orders(path))


def test_a_trailing_comma_in_the_header_is_not_a_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("waybill_no,time,status,\nSF1,2022-12-10 10:00,picked_up,\n", encoding="utf-8")
    (event,) = read_events(path)
    assert not isinstance(event, Problem) and event.status == "picked_up"


def test_a_key_twice_and_deep_nesting_in_jsonl_events_are_problems_of_their_lines(tmp_path: Path) -> None:
    good = {"waybill_no": "SF1", "time": "2022-12-10 10:00", "status": "picked_up"}
    twice = json.dumps(good)[:-1] + ', "status": "delivered"}'
    path = write_jsonl(tmp_path / "events.jsonl", [good, twice, "[" * 50_000])
    assert _problems(path) == [
        f"{path}:2: not valid JSON: key 'status' is given twice in one object",
        f"{path}:3: not valid JSON: nested deeper than {MAX_DEPTH} levels",
    ]


def test_half_a_surrogate_pair_is_a_problem_of_its_line_and_a_whole_pair_is_its_character(tmp_path: Path) -> None:
    good = {"waybill_no": "SF1", "time": "2022-12-10 10:00", "status": "picked_up"}
    half = json.dumps({**good, "context": "\ud800"})  # json.dumps writes the escape: "\\ud800"
    whole = json.dumps({**good, "context": "已揽收😀"})  # "\\ud83d\\ude00"
    path = write_jsonl(tmp_path / "events.jsonl", [half, whole])
    assert _problems(path) == [f"{path}:1: not valid JSON: \\ud800 is half of a UTF-16 surrogate pair, not a character"]
    (event,) = [item for item in read_events(path) if not isinstance(item, Problem)]
    assert event.context == "已揽收😀"


def test_events_of_year_1_are_problems(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "events.jsonl", [{"waybill_no": "SF1", "time": "0001-01-01", "status": "x"}])
    assert _problems(path) == [f"{path}:1: time: '0001-01-01' is not an ISO 8601 time"]


def test_a_tracking_file_that_is_not_text_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "pushes.jsonl"
    path.write_bytes(kuaidi100_param("SF1", []).encode() + b"\n" + b"\xff\xfe\x80" * 10 + b"\n")
    with pytest.raises(TrackingError, match=f"^{path}: not UTF-8 or GB18030 text"):
        list(read_pushes(path))


RULES = """
[[rule_set]]
normal_hours = 48
remote_hours = 72
remote_provinces = []
response_hours = 24
warning_margin_hours = 12
pickup_window_hours = 24
feed_quiet_hours = 6
"""


def test_a_kuaidi100_push_dated_year_1_keeps_its_other_events() -> None:
    param = kuaidi100_param("SF1", [("0001-01-01 00:00:00", "在途", "x"), ("2022-12-10 10:00:00", "揽收", "y")])
    first, second = parse_push(param)
    assert isinstance(first, Problem) and first.field == "lastResult.data[0]"
    assert first.message == "time '0001-01-01 00:00:00' is not a time"
    assert not isinstance(second, Problem) and second.status == "picked_up"


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ('{"lastResult": ' * 5000 + "{}" + "}" * 5000, f"param is not valid JSON: nested deeper than {MAX_DEPTH}"),
        ('{"lastResult": {"nu": "SF1", "nu": "SF2"}}', "param is not valid JSON: key 'nu' is given twice"),
    ],
)
def test_a_kuaidi100_push_nested_too_deep_or_with_a_key_twice_is_a_push_error(param: str, message: str) -> None:
    with pytest.raises(PushError, match=f"^{message}"):
        parse_push(param)
    assert issubclass(PushError, TrackingError)  # the project's own error: the CLI and server report it


@pytest.mark.parametrize(
    ("key", "value"),
    [("normal_hours", "nan"), ("remote_hours", "inf"), ("response_hours", "1e300"), ("feed_quiet_hours", "-1")],
)
def test_rules_with_hours_that_are_no_number_of_hours_are_refused(key: str, value: str) -> None:
    text = RULES.replace(f"{key} = ", f"{key} = {value} #")
    with pytest.raises(TrackingError) as caught:
        parse_rules(text, "r.toml")
    assert str(caught.value).startswith(f"r.toml: rule_set[0]: {key} must be a number of hours from 0 to 8784, not")


def test_rules_from_year_1_are_refused() -> None:
    text = RULES + "\n[[rule_set]]\nfrom = 0001-01-01\nnormal_hours = 72\n"
    with pytest.raises(TrackingError, match=r"rule_set\[1\]: from 0001-01-01T00:00:00: year 1 is outside 1970-2199"):
        parse_rules(text, "r.toml")


@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31T23:59:59-23:59"])
def test_scan_at_year_1_is_a_usage_error(tmp_path: Path, at: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "waybill.db"
    assert main(["stall", "ingest", "--db", str(db), "--events", str(write_jsonl(tmp_path / "e.jsonl", []))]) == 0
    assert main(["stall", "scan", "--db", str(db), "--at", at]) == UsageError.exit_code
    err = capsys.readouterr().err
    assert (
        err == f"waybill: error: --at {at!r} is not an ISO 8601 time from 1970 to 2199 such as 2022-12-15T08:00+08:00\n"
    )


def test_a_tracking_csv_cell_past_the_field_size_limit_is_a_problem_of_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(STALLED[0] + "\n" + STALLED[1] + "\n" + f'SF1,2022-12-11 10:00,x,"{"x" * 200_000}",y\n')
    good, bad = read_events(path)
    assert not isinstance(good, Problem) and isinstance(bad, Problem)
    assert (
        str(bad)
        == f"{path}:3: not valid CSV (field larger than field limit (131072)); the rest of the file was not read"
    )


def test_values_wider_than_the_stores_columns_are_problems_of_their_lines(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "events.jsonl",
        [
            {"waybill_no": "SF" + "1" * 100, "time": "2022-12-10 10:00", "status": "x"},
            {"waybill_no": "SF1", "time": "2022-12-10 10:00", "status": "x" * 65},
            {"waybill_no": "SF1", "time": "2022-12-10 10:00", "status": "x", "location": "杭" * 201},
            {"waybill_no": "SF2", "time": "2022-12-10 10:00", "status": "picked_up"},
        ],
    )
    problems: list[Problem] = []
    counts = ingest_events(engine, read_events(path), received_at=RECEIVED_AT, on_problem=problems.append)
    assert (counts.new, counts.rejected) == (1, 3)  # on PostgreSQL the good event used to go with the batch
    assert [str(p) for p in problems] == [
        f"{path}:1: waybill_no: is longer than 64 characters",
        f"{path}:2: status: is longer than 64 characters",
        f"{path}:3: location: is longer than 200 characters",
    ]


def test_a_push_with_a_waybill_number_wider_than_the_store_is_a_push_error() -> None:
    with pytest.raises(PushError, match=r"^lastResult\.nu is longer than 64 characters"):
        parse_push(kuaidi100_param("SF" + "1" * 100, []))
    (item,) = parse_push(kuaidi100_param("SF1", [("2022-12-10 10:00:00", "x" * 65, "c")]))
    assert isinstance(item, Problem) and item.message == "status is longer than 64 characters"
