"""The webhook server end to end over loopback: the real aiohttp server on its thread, real HTTP requests."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.ingest import ingest_events
from stall_monitor.invoices.clocks import InvoiceFacts
from stall_monitor.invoices.ingest import ingest_invoice_requests
from stall_monitor.invoices.scan import invoice_scan_json
from stall_monitor.rules import Rules
from stall_monitor.samples import kuaidi100_param as push
from stall_monitor.scan import scan
from stall_monitor.server import Limits, StallServer, make_server
from stall_monitor.sources.kuaidi100 import read_pushes, signature
from stall_monitor.store import events, open_store
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")  # the ingest clock in these tests

SALT = "s3cret"
PUSHES = [
    push("SF1", [("2022-12-20 18:00:00", "在途", "到达杭州"), ("2022-12-20 10:00:00", "揽收", "已揽收")]),
    push("YT2", [("2022-12-19 09:00:00", "在途", "到达兰州")], com="yuantong"),
    push("SF1", [("2022-12-21 08:00:00", "在途", "离开杭州"), ("2022-12-20 18:00:00", "在途", "到达杭州"),
                 ("2022-12-20 10:00:00", "揽收", "已揽收")]),
    push("ZT3", [("2022-12-21 08:00:00", "签收", "已签收"), ("2022-12-19 08:00:00", "揽收", "已揽收")], com="zhongtong",
         state="3"),
]  # fmt: skip


@pytest.fixture
def server(engine: Engine, rules: Rules) -> Iterator[StallServer]:
    logged: list[str] = []
    instance = make_server(engine, rules, "127.0.0.1", 0, salt=SALT, limits=Limits(max_body=4096),
                           clock=lambda: RECEIVED, log=logged.append)  # fmt: skip
    instance.start()
    yield instance
    instance.stop()


def _request(
    server: StallServer, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    host, port = server.address
    connection = http.client.HTTPConnection(str(host), port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _post(server: StallServer, fields: dict[str, str]) -> tuple[int, dict[str, object]]:
    body = urlencode(fields).encode()
    status, data = _request(
        server, "POST", "/webhooks/kuaidi100", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return status, json.loads(data)


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())


def test_pushes_over_http_give_the_same_scan_as_the_push_file(
    server: StallServer, engine: Engine, rules: Rules, tmp_path: Path
) -> None:
    for param in PUSHES:
        status, answer = _post(server, {"param": param, "sign": signature(param, SALT).lower()})
        assert (status, answer) == (200, {"result": True, "returnCode": "200", "message": "成功"})
    status, answer = _post(server, {"param": PUSHES[0], "sign": signature(PUSHES[0], SALT)})  # a repeated push
    assert status == 200

    # The same pushes from a file into a second, separate store (a SQLite file).
    file_store = open_store(str(tmp_path / "from-file.db"))
    path = tmp_path / "pushes.jsonl"
    path.write_text("\n".join(PUSHES) + "\n", encoding="utf-8")
    at = bj("2022-12-24 07:00")
    over_http = scan(engine, rules, at)
    ingest_events(file_store, read_pushes(path), received_at=RECEIVED)
    from_file = scan(file_store, rules, at)

    assert [s.as_json() for s in over_http.stalls] == [s.as_json() for s in from_file.stalls]
    assert [(s.waybill_no, s.level, s.carrier) for s in over_http.stalls] == [
        ("YT2", "stalled", "YTO"),
        ("SF1", "at_risk", "SF"),
    ]
    assert _stored(engine) == 6  # SF1 3 (its full history re-sent), YT2 1, ZT3 2
    status, body = _request(server, "GET", "/api/stalls?at=2022-12-24T07:00:00%2B08:00")
    assert status == 200
    assert json.loads(body) == [s.as_json() for s in from_file.stalls]
    file_store.dispose()


def test_a_wrong_sign_is_refused_and_nothing_is_stored(server: StallServer, engine: Engine) -> None:
    assert _post(server, {"param": PUSHES[0], "sign": signature(PUSHES[0], "wrong")})[0] == 403
    assert _post(server, {"param": PUSHES[0]})[0] == 403
    assert _stored(engine) == 0


def test_malformed_bodies_get_400_and_the_server_keeps_serving(server: StallServer, engine: Engine) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    bad_param = "{not json"
    cases = [
        (b"param=%ZZ&&&", form),
        (b"\xff\xfe", form),
        (urlencode({"sign": "x"}).encode(), form),
        (urlencode({"param": bad_param, "sign": signature(bad_param, SALT)}).encode(), form),
        (b'{"param": "x"}', {"Content-Type": "application/json"}),
    ]
    for body, headers in cases:
        status, answer = _request(server, "POST", "/webhooks/kuaidi100", body, headers)
        assert status == 400, body
        assert json.loads(answer)["result"] is False
    assert _request(server, "GET", "/healthz") == (200, b'{"status": "ok"}')
    param = PUSHES[1]
    assert _post(server, {"param": param, "sign": signature(param, SALT)})[0] == 200
    assert _stored(engine) == 1


def test_body_size_limit(server: StallServer, engine: Engine) -> None:
    param = push("SF1", [(f"2022-12-20 {h:02d}:00:00", "在途", "很长的描述" * 40) for h in range(24)])
    status, answer = _post(server, {"param": param, "sign": signature(param, SALT)})
    assert status == 413
    assert answer["returnCode"] == "413"
    assert _stored(engine) == 0
    assert _request(server, "GET", "/healthz")[0] == 200


def test_no_content_length_is_refused(server: StallServer) -> None:
    host, port = server.address
    with socket.create_connection((str(host), port), timeout=10) as raw:
        raw.sendall(b"POST /webhooks/kuaidi100 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\r\n")
        reply = raw.recv(4096)
    assert reply.startswith(b"HTTP/1.1 411 ")


def test_live_report_and_unknown_paths(server: StallServer) -> None:
    param = PUSHES[1]
    _post(server, {"param": param, "sign": signature(param, SALT)})
    status, page = _request(server, "GET", "/?at=2022-12-24T10:00+08:00")  # unencoded '+' is tolerated
    assert status == 200
    text = page.decode()
    assert text.startswith("<!DOCTYPE html>") and "YT2" in text and "<svg" in text
    assert _request(server, "GET", "/api/stalls?at=tomorrow")[0] == 400
    assert _request(server, "GET", "/nope")[0] == 404
    assert _request(server, "POST", "/nope", b"", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 404


def test_concurrent_pushes_are_all_stored(server: StallServer, engine: Engine) -> None:
    params = [push(f"SF{i:03d}", [("2022-12-20 10:00:00", "在途", f"第{i}件")]) for i in range(40)]
    results: list[int] = []

    def send(chunk: list[str]) -> None:
        for param in chunk:
            results.append(_post(server, {"param": param, "sign": signature(param, SALT)})[0])

    threads = [threading.Thread(target=send, args=(params[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [200] * 40
    assert _stored(engine) == 40


def test_invoices_are_served_as_json_and_on_the_live_page(server: StallServer, engine: Engine) -> None:
    requested = bj("2022-12-05T10:00:00+08:00")
    ingest_invoice_requests(
        engine,
        [
            InvoiceFacts("TB-LATE", requested, work_order_opened_at=bj("2022-12-24T09:00:00+08:00")),
            InvoiceFacts("TB-DONE", requested, issued_at=bj("2022-12-06T09:00:00+08:00")),
        ],
    )
    at = bj("2022-12-24T12:00:00+08:00")

    status, body = _request(server, "GET", "/api/invoices?at=2022-12-24T12:00:00%2B08:00")

    assert status == 200
    assert json.loads(body) == invoice_scan_json(engine, at)
    assert [r["order_id"] for r in json.loads(body)["requests"]] == ["TB-LATE"]
    assert json.loads(body)["requests"][0]["level"] == "work_order"
    status, page = _request(server, "GET", "/?at=2022-12-24T12:00:00%2B08:00")
    assert status == 200 and "TB-LATE" in page.decode() and "TB-DONE" not in page.decode()
