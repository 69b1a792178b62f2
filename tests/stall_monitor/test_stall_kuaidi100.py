"""Kuaidi100 pushes: status mapping, sign check, malformed pushes, full-history re-sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.events import Event
from stall_monitor.ingest import ingest_events
from stall_monitor.samples import kuaidi100_param as push
from stall_monitor.sources.kuaidi100 import PushError, parse_push, read_pushes, sign_matches, signature
from stall_monitor.store import events
from waybill.errors import Problem
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")  # the ingest clock in these tests


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"status": "揽收"}, "picked_up"),
        ({"status": "在途"}, "in_transit"),
        ({"status": "转投"}, "in_transit"),
        ({"status": "派件"}, "out_for_delivery"),
        ({"status": "签收"}, "delivered"),
        ({"status": "退回"}, "returning"),
        ({"status": "退签"}, "return_delivered"),
        ({"status": "拒签"}, "refused"),
        ({"status": "疑难"}, "problem"),
        ({"status": "清关"}, "customs"),
        ({"statusCode": "1"}, "picked_up"),
        ({"statusCode": "0"}, "in_transit"),
        ({"statusCode": "7"}, "in_transit"),
        ({"statusCode": "5"}, "out_for_delivery"),
        ({"statusCode": "3"}, "delivered"),
        ({"statusCode": "6"}, "returning"),
        ({"statusCode": "4"}, "return_delivered"),
        ({"statusCode": 14}, "refused"),
        ({"statusCode": "2"}, "problem"),
        ({"statusCode": "8"}, "customs"),
        ({"statusCode": "1001", "status": "在途"}, "1001"),  # an unknown code is kept, never taken for in transit
        ({"status": "待清点"}, "待清点"),
    ],
)
def test_item_status_mapping(item: dict[str, object], expected: str) -> None:
    body = json.loads(push("SF1", [("2022-12-20 10:00:00", "", "x")], state=""))
    body["lastResult"]["data"][0] = {"time": "2022-12-20 10:00:00", "context": "x", **item}
    (event,) = parse_push(json.dumps(body))
    assert isinstance(event, Event)
    assert event.status == expected


def test_push_state_applies_to_the_newest_item_only() -> None:
    body = json.loads(
        push("sf1", [("2022-12-21 10:00:00", "", "签收"), ("2022-12-20 10:00:00", "", "运输")], state="3")
    )
    newest, older = parse_push(json.dumps(body))
    assert isinstance(newest, Event) and isinstance(older, Event)
    assert (newest.waybill_no, newest.carrier, newest.status, newest.time) == (
        "SF1",
        "SF",
        "delivered",
        bj("2022-12-21 10:00"),
    )
    assert older.status == ""  # nothing said about it: stored as it came (empty), reported as unknown


def test_unknown_company_code_is_kept_upper_case() -> None:
    (event,) = parse_push(push("X1", [("2022-12-20 10:00:00", "在途", "x")], com="somecourier"))
    assert isinstance(event, Event) and event.carrier == "SOMECOURIER"


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("{oops", "param is not valid JSON"),
        ("[]", "param must be a JSON object"),
        ('{"status": "polling"}', "param has no lastResult object"),
        ('{"lastResult": {"data": []}}', "lastResult has no waybill number"),
        ('{"lastResult": {"nu": "SF1", "data": {}}}', "lastResult.data must be a list"),
    ],
)
def test_malformed_pushes(param: str, message: str) -> None:
    with pytest.raises(PushError, match=message):
        parse_push(param)


def test_a_bad_item_is_a_problem_and_the_rest_is_kept() -> None:
    body = json.loads(push("SF1", [("2022-12-21 10:00:00", "在途", "a"), ("2022-12-20 10:00:00", "揽收", "b")]))
    body["lastResult"]["data"].insert(1, {"time": "soon", "context": "?"})
    items = parse_push(json.dumps(body), "pushes.jsonl", 7)
    assert [type(i).__name__ for i in items] == ["Event", "Problem", "Event"]
    assert str(items[1]) == "pushes.jsonl:7: lastResult.data[1]: time 'soon' is not a time"


def test_sign_is_md5_of_param_and_salt_compared_without_case() -> None:
    param = push("SF1", [("2022-12-20 10:00:00", "在途", "x")])
    sign = signature(param, "s3cret")
    assert sign == sign.upper() and len(sign) == 32
    assert sign_matches(param, sign.lower(), "s3cret")
    assert not sign_matches(param, sign, "other")
    assert not sign_matches(param + " ", sign, "s3cret")
    assert not sign_matches(param, "", "s3cret")


def test_push_file_resends_full_history_idempotently(engine: Engine, tmp_path: Path) -> None:
    first = push("SF1", [("2022-12-20 18:00:00", "在途", "到达杭州"), ("2022-12-20 10:00:00", "揽收", "已揽收")])
    second = push(
        "SF1",
        [("2022-12-21 09:00:00", "派件", "派送中"), ("2022-12-20 18:00:00", "在途", "到达杭州"),
         ("2022-12-20 10:00:00", "揽收", "已揽收")],
    )  # fmt: skip
    path = tmp_path / "pushes.jsonl"
    path.write_text("\n".join([first, "not json", second, '{"lastResult": {}}']) + "\n", encoding="utf-8")
    problems: list[Problem] = []
    counts = ingest_events(engine, read_pushes(path), received_at=RECEIVED, on_problem=problems.append)
    again = ingest_events(engine, read_pushes(path), received_at=RECEIVED)

    assert (counts.new, counts.duplicate, counts.rejected) == (3, 2, 2)
    assert (again.new, again.duplicate) == (0, 5)
    assert [(p.line, p.message) for p in problems] == [
        (2, "param is not valid JSON (Expecting value at column 1)"),
        (4, "lastResult has no waybill number (nu)"),
    ]
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 3
