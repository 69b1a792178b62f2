"""The webhook server's production limits over loopback: timeouts, body limit, bounded requests, HEAD, wrong
paths, graceful stop, the access log, and the refusal to serve unauthenticated off loopback."""

from __future__ import annotations

import gc
import http.client
import io
import json
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.rules import Rules
from stall_monitor.samples import kuaidi100_param as push
from stall_monitor.server import Limits, StallServer, is_loopback, make_server
from stall_monitor.sources.kuaidi100 import signature
from stall_monitor.store import events
from waybill.errors import UsageError
from waybill.times import parse_instant as bj

SALT = "s3cret"
RECEIVED = bj("2030-01-01T00:00:00+08:00")
FORM = "application/x-www-form-urlencoded"


@contextmanager
def serving(engine: Engine, rules: Rules, log: list[str] | None = None, **limits: Any) -> Iterator[StallServer]:
    server = make_server(engine, rules, "127.0.0.1", 0, salt=SALT, limits=Limits(**limits), clock=lambda: RECEIVED,
                         log=(log if log is not None else []).append)  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        server.stop()


def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """A bounded poll for a state the server reaches on its own thread."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def body_of(param: str) -> bytes:
    return urlencode({"param": param, "sign": signature(param, SALT)}).encode()


def head_of(body: bytes, path: str = "/webhooks/kuaidi100") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\nContent-Length: {len(body)}\r\n\r\n".encode()


class _Unclosed(io.BufferedReader):
    def close(self) -> None:  # http.client closes its reader after each response; the next one reads on
        pass


class Raw:
    """A client connection writing raw bytes and reading answers in turn from one buffer (pipelining works)."""

    def __init__(self, server: StallServer) -> None:
        self.sock = socket.create_connection(server.address, timeout=10)
        self.file = _Unclosed(self.sock.makefile("rb", buffering=0))

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *_: object) -> None:
        self.sock.close()

    def makefile(self, mode: str) -> io.BufferedReader:
        return self.file

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self, method: str = "POST") -> tuple[int, dict[str, str], bytes]:
        # http.client only calls makefile() on its socket, which Raw provides over its one buffer.
        response = http.client.HTTPResponse(self, method=method)  # type: ignore[arg-type]
        response.begin()
        return response.status, dict(response.getheaders()), response.read()

    def closed_by_server(self, within: float) -> bytes:
        """What the server sent before it closed the connection (fails if still open after ``within``)."""
        self.sock.settimeout(within)
        received = b""
        while chunk := self.file.read1(65536):
            received += chunk
        return received


def post(server: StallServer, param: str) -> int:
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    try:
        connection.request("POST", "/webhooks/kuaidi100", body_of(param), {"Content-Type": FORM})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def stored(engine: Engine) -> list[tuple[str, int]]:
    """(waybill, events stored) for each waybill."""
    with engine.connect() as connection:
        query = sa.select(events.c.waybill_no, sa.func.count()).group_by(events.c.waybill_no)
        return sorted((str(w), int(n)) for w, n in connection.execute(query))


def one_event_push(number: int) -> str:
    return push(f"SF{number:04d}", [("2022-12-20 10:00:00", "在途", f"第{number}件")])


def test_a_connection_that_never_completes_its_request_head_is_closed(engine: Engine, rules: Rules) -> None:
    with serving(engine, rules, header_timeout=0.5) as server:
        with Raw(server) as silent:
            assert silent.closed_by_server(within=10) == b""
        # Trickled bytes do not keep it open: the timeout runs from connect, not from the last byte.
        with Raw(server) as slow:
            head = b"POST /webhooks/kuaidi100 HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 200
            sent = 0
            while sent < len(head):
                readable, _, _ = select.select([slow.sock], [], [], 0.05)  # one byte every 50 ms, or the server's close
                if readable:
                    break
                slow.send(head[sent : sent + 1])
                sent += 1
            assert sent < len(head), "the whole head was trickled in without the server closing"
            assert slow.closed_by_server(within=10) == b""
        assert stored(engine) == []
        with Raw(server) as fresh:  # the server itself is fine
            fresh.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert fresh.answer("GET")[0] == 200


def test_a_half_sent_body_gets_408_and_the_connection_closed(engine: Engine, rules: Rules) -> None:
    body = body_of(one_event_push(1))
    with serving(engine, rules, body_timeout=0.5) as server, Raw(server) as raw:
        raw.send(head_of(body) + body[:20])
        status, headers, reply = raw.answer()
        assert status == 408
        assert headers["Connection"] == "close"
        assert json.loads(reply)["result"] is False
        assert raw.closed_by_server(within=10) == b""
    assert stored(engine) == []


def test_a_declared_body_over_the_limit_is_refused_without_waiting_for_it(engine: Engine, rules: Rules) -> None:
    with serving(engine, rules, max_body=4096) as server, Raw(server) as raw:
        raw.send(b"POST /webhooks/kuaidi100 HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode()
                    + b"\r\nContent-Length: 10485760\r\n\r\n")  # fmt: skip
        status, _, reply = raw.answer()  # answered before a byte of the 10 MiB
        assert (status, json.loads(reply)["returnCode"]) == (413, "413")
    assert stored(engine) == []


def test_head_answers_like_get_without_a_body(engine: Engine, rules: Rules) -> None:
    with serving(engine, rules) as server:
        assert post(server, one_event_push(7)) == 200
        for path in ("/", "/report.html", "/api/stalls?at=2022-12-24T10:00%2B08:00", "/healthz"):
            with Raw(server) as raw:
                raw.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\nHEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                get_status, get_headers, page = raw.answer("GET")
                head_status, head_headers, nothing = raw.answer("HEAD")
            assert (get_status, head_status) == (200, 200), path
            assert page and nothing == b"", path
            assert head_headers["Content-Type"] == get_headers["Content-Type"], path
            assert int(head_headers["Content-Length"]) == len(page), path


def test_a_wrong_path_is_404_and_its_body_is_not_read_as_the_next_request(engine: Engine, rules: Rules) -> None:
    smuggled = b"POST /webhooks/kuaidi100 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    with serving(engine, rules) as server, Raw(server) as raw:
        raw.send(head_of(smuggled, "/webhooks/kuaidi1OO") + smuggled + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, reply = raw.answer()
        assert (status, json.loads(reply)["returnCode"]) == (404, "404")
        assert raw.answer("GET")[::2] == (200, b'{"status": "ok"}')  # the next answer is the real next request
        raw.send(b"PUT /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        status, headers, _ = raw.answer()
        assert status == 405 and "GET" in headers["Allow"]


def test_many_concurrent_pushes_each_answered_and_stored_once(engine: Engine, rules: Rules) -> None:
    params = [one_event_push(n) for n in range(80)] * 2  # Kuaidi100 repeats pushes
    with serving(engine, rules) as server, ThreadPoolExecutor(80) as clients:
        statuses = list(clients.map(lambda param: post(server, param), params))
    assert statuses == [200] * len(params)
    assert stored(engine) == [(f"SF{n:04d}", 1) for n in range(80)]


def test_requests_beyond_the_bound_get_503_until_a_slot_frees(engine: Engine, rules: Rules) -> None:
    bodies = [body_of(one_event_push(n)) for n in (1, 2)]
    with serving(engine, rules, max_requests=2) as server:
        holders = [Raw(server) for _ in bodies]
        try:
            for raw, body in zip(holders, bodies, strict=True):
                raw.send(head_of(body) + body[:10])  # in progress: waiting for the rest of its body
            until(lambda: server.in_flight == 2, "two requests in flight")
            with Raw(server) as third:
                third.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                status, headers, _ = third.answer("GET")
            assert (status, headers["Retry-After"]) == (503, "1")
            for raw, body in zip(holders, bodies, strict=True):
                raw.send(body[10:])
                assert raw.answer()[0] == 200
        finally:
            for raw in holders:
                raw.sock.close()
        until(lambda: server.in_flight == 0, "the slots to free")
        assert post(server, one_event_push(3)) == 200
    assert stored(engine) == [("SF0001", 1), ("SF0002", 1), ("SF0003", 1)]


# The probes below race the listening socket's close: asyncio may accept one as the server shuts down and leave
# its transport (whose peer is already gone) to the garbage collector, which warns from __del__. The collection
# at the end of the test makes that happen here, under this filter, instead of in whichever test runs next.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_stop_finishes_the_push_in_flight_and_refuses_new_connections(engine: Engine, rules: Rules) -> None:
    try:
        _stop_with_a_push_in_flight(engine, rules)
    finally:
        gc.collect()  # see the comment above: whatever the outcome, the probes' leftovers are collected here


def _stop_with_a_push_in_flight(engine: Engine, rules: Rules) -> None:
    body = body_of(one_event_push(5))
    log: list[str] = []
    with serving(engine, rules, log) as server, Raw(server) as raw:
        raw.send(head_of(body) + body[:10])
        until(lambda: server.in_flight == 1, "the push in flight")
        stopping = threading.Thread(target=server.stop)
        stopping.start()

        def refused() -> bool:
            try:
                socket.create_connection(server.address, timeout=1).close()
            except ConnectionRefusedError:
                return True
            except ConnectionResetError:
                return False  # caught in the backlog as the listener closed: it is closing, ask again
            return False

        until(refused, "the listening socket to close")
        assert stopping.is_alive()  # still waiting for the push
        raw.send(body[10:])
        status, headers, reply = raw.answer()
        assert (status, json.loads(reply)["message"]) == (200, "成功")
        assert headers["Connection"] == "close"
        stopping.join(10)
        assert not stopping.is_alive()
    assert stored(engine) == [("SF0005", 1)]
    assert "stopping: finishing the requests in flight" in log


def test_the_access_log_names_routes_not_what_the_client_sent(engine: Engine, rules: Rules) -> None:
    log: list[str] = []
    param = push("SF1234567890", [("2022-12-20 10:00:00", "派件", "快递员 13812345678 派送中")])
    with serving(engine, rules, log) as server:
        assert post(server, param) == 200
        connection = http.client.HTTPConnection(*server.address, timeout=10)
        for path in ("/api/stalls?at=2022-12-24T10:00%2B08:00&q=13812345678", "/track/SF1234567890?phone=13812345678"):
            connection.request("GET", path)
            connection.getresponse().read()
        connection.close()
    text = "\n".join(log)
    assert "SF1234567890" not in text and "13812345678" not in text and "?" not in text
    assert re.search(r"^127\.0\.0\.1 POST /webhooks/kuaidi100 200 \d+B [\d.]+ms$", text, re.M), text
    assert re.search(r"^127\.0\.0\.1 GET /api/stalls 200 ", text, re.M), text
    assert re.search(r"^127\.0\.0\.1 GET - 404 ", text, re.M), text
    assert "kuaidi100 push: 1 new" in text


def test_an_unreadable_instant_is_400_and_the_server_keeps_serving(engine: Engine, rules: Rules) -> None:
    with serving(engine, rules) as server, Raw(server) as raw:
        for at in ("0001-01-01T00:00%2B08:00", "9999-12-31T23:59-10:00", "tomorrow"):
            raw.send(f"GET /api/stalls?at={at} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            status, _, reply = raw.answer("GET")
            assert (status, json.loads(reply)["result"]) == (400, False), at
        raw.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.answer("GET")[0] == 200


def test_a_database_failure_is_500_with_a_log_line_and_no_data(engine: Engine, rules: Rules) -> None:
    log: list[str] = []
    with serving(engine, rules, log) as server:
        with engine.begin() as connection:
            events.drop(connection)
        assert post(server, one_event_push(1)) == 500
        with Raw(server) as raw:
            raw.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert raw.answer("GET")[0] == 200  # the server is fine, only the store is not
    errors = [line for line in log if line.startswith(("error:", "database error:", "internal error:"))]
    assert errors and all("POST /webhooks/kuaidi100" in line for line in errors), log
    assert not any("SF0001" in line for line in log)


def test_a_bug_is_500_with_where_it_happened_not_what_it_quoted(engine: Engine, rules: Rules) -> None:
    def broken_clock() -> datetime:
        raise RuntimeError("SF1234567890 13812345678")  # an exception message may quote the input

    log: list[str] = []
    server = make_server(engine, rules, "127.0.0.1", 0, salt=SALT, clock=broken_clock, log=log.append)
    server.start()
    try:
        with Raw(server) as raw:
            raw.send(b"GET /api/stalls HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, reply = raw.answer("GET")
            assert (status, json.loads(reply)["result"]) == (500, False)
            assert raw.answer("GET")[0] == 200  # the same connection goes on
    finally:
        server.stop()
    assert re.search(r"^internal error: GET /api/stalls: RuntimeError at .*test_stall_server_limits\.py:\d+$",
                     "\n".join(log), re.M), log  # fmt: skip
    assert not any("13812345678" in line or "SF1234567890" in line for line in log)


def test_no_salt_is_refused_off_loopback_and_warned_on_it(engine: Engine, rules: Rules) -> None:
    for host in ("0.0.0.0", "", "::", "192.0.2.1"):
        with pytest.raises(UsageError, match="without --salt"):
            make_server(engine, rules, host, 0)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    log: list[str] = []
    make_server(engine, rules, "127.0.0.1", 0, log=log.append)
    assert log == ["warning: no --salt: pushes are not authenticated (anyone on this machine can post them)"]


def _waybill(*args: str) -> list[str]:
    return [sys.executable, "-u", "-m", "waybill", "stall", "serve", *args]


def test_serve_command_refuses_before_binding_and_reports_a_taken_port(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    with socket.create_server(("127.0.0.1", 0)) as taken:  # holds the port for 0.0.0.0 as well
        port = str(taken.getsockname()[1])
        refused = subprocess.run(_waybill("--db", str(db), "--host", "0.0.0.0", "--port", port),
                                 capture_output=True, text=True, timeout=60)  # fmt: skip
        assert refused.returncode == 2
        assert refused.stderr.splitlines() == [
            "waybill: error: refusing to serve on 0.0.0.0 without --salt: anyone could post pushes"
        ]
        assert not db.exists()
        busy = subprocess.run(_waybill("--db", str(db), "--port", port, "--salt", "k"),
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert busy.returncode == 10
        assert busy.stderr.splitlines() == [
            f"waybill: error: cannot listen on 127.0.0.1:{port}: Address already in use"
        ]


def test_serve_command_without_salt_warns_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    command = _waybill("--db", str(tmp_path / "serve.db"), "--port", "0")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        match = re.match(r"serving on http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        assert match
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        connection.request(
            "POST", "/webhooks/kuaidi100", urlencode({"param": one_event_push(9)}), {"Content-Type": FORM}
        )
        assert connection.getresponse().status == 200  # unsigned, accepted: there is no salt to check
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert err.startswith("warning: no --salt: pushes are not authenticated")
    assert "POST /webhooks/kuaidi100 200" in err
