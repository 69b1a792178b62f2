"""A loopback stand-in for the TOP gateway of the Cainiao e-waybill service (tests only).

It checks what a real gateway checks (form encoding, system parameters, the MD5 signature, at most 10
orders a call) and behaves like the service: a number per ``object_id``, the same one when asked again.
``script`` makes the next ``ii.get`` calls fail after the numbers were issued: ``drop`` (close without an
answer), ``timeout`` (answer too late) or ``500``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

APP_KEY = "23456789"
SECRET = "s3cr3t-APP-SECRET-5f1e"
SESSION = "6100e23-SESSION-KEY-77a9"
REFUSED_NAME = "拒收"  # a recipient the service refuses, as an unreachable address
SYSTEM = ("method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign")


def expected_sign(form: dict[str, str], secret: str) -> str:
    joined = "".join(key + form[key] for key in sorted(form) if key != "sign")
    return hashlib.md5(f"{secret}{joined}{secret}".encode()).hexdigest().upper()


@dataclass
class FakeTop:
    secret: str = SECRET
    forms: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what a real gateway would have refused
    batches: list[list[str]] = field(default_factory=list)  # object ids of each ii.get call
    issued: dict[str, str] = field(default_factory=dict)  # object id → number, live
    cancelled: list[str] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    # Tests of answers a real gateway should never give: a hook that edits the ii.get modules, and raw bodies
    # sent instead of the next answers.
    mangle: Callable[[list[dict[str, Any]]], None] | None = None
    raw: list[bytes] = field(default_factory=list)

    def answer(self, form: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """(action, JSON answer) for one request."""
        self.forms.append(form)
        missing = [key for key in SYSTEM if key not in form]
        if missing or form["app_key"] != APP_KEY or form["session"] != SESSION:
            self.problems.append(f"system parameters: missing {missing}")
            return "ok", _error("27", "Invalid session")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", form["timestamp"]) or (
            form["format"],
            form["v"],
            form["sign_method"],
        ) != ("json", "2.0", "md5"):
            self.problems.append(f"system parameters: {form['timestamp']} {form['format']} {form['v']}")
        if form["sign"] != expected_sign(form, self.secret):
            return "ok", _error("25", "Invalid signature")
        method = form["method"]
        if method == "cainiao.waybill.ii.get":
            return self._get(json.loads(form["param_waybill_cloud_print_apply_new_request"]))
        if method == "cainiao.waybill.ii.cancel":
            number = form["waybill_code"]
            live = [key for key, value in self.issued.items() if value == number]
            if not live:
                return "ok", _error("15", "Remote service error", "isv.waybill-not-exist", "面单号不存在")
            del self.issued[live[0]]
            self.cancelled.append(number)
            return "ok", {"cainiao_waybill_ii_cancel_response": {"cancel_result": True}}
        if method == "cainiao.waybill.ii.search":
            account = {
                "branch_code": "571071",
                "quantity": 1000 - len(self.issued) - len(self.cancelled),
                "allocated_quantity": len(self.issued) + len(self.cancelled),
                "cancel_quantity": len(self.cancelled),
            }
            info = {"cp_code": form["cp_code"], "branch_account_cols": {"waybill_branch_account": [account]}}
            cols = {"waybill_apply_subscription_info": [info]}
            return "ok", {"cainiao_waybill_ii_search_response": {"waybill_apply_subscription_cols": cols}}
        return "ok", _error("22", "Invalid method")

    def _get(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        dtos = request["trade_order_info_dtos"]
        self.batches.append([dto["object_id"] for dto in dtos])
        if len(dtos) > 10:
            self.problems.append(f"{len(dtos)} orders in one call")
            return "ok", _error("15", "Remote service error", "isv.too-many-orders", "一次最多10个订单")
        if request["cp_code"] != "YTO" or not request["sender"]["address"]["province"]:
            self.problems.append(f"sender or cp_code: {request}")
        for dto in dtos:
            if dto["recipient"]["name"] == REFUSED_NAME:
                return "ok", _error("15", "Remote service error", "isv.invalid-parameter", "收件人地址不可达")
        modules = []
        for dto in dtos:
            if not dto["template_url"].startswith("http") or not dto["order_info"]["trade_order_list"]:
                self.problems.append(f"order: {dto}")
            number = self.issued.setdefault(dto["object_id"], f"YT88{len(self.issued) + len(self.cancelled) + 1:011d}")
            routing = {
                "routeCode": "200-113-02 306",
                "consolidation": {"name": "上海转运中心"},
                "sortation": {"name": "沪"},
            }
            print_data = json.dumps({"data": {"routingInfo": routing}, "signature": "x"}, ensure_ascii=False)
            modules.append({"object_id": dto["object_id"], "waybill_code": number, "print_data": print_data})
        if self.mangle is not None:
            self.mangle(modules)
        action = self.script.pop(0) if self.script else "ok"
        return action, {"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response": modules}}}


def _error(code: str, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    answer = {"code": code, "msg": msg}
    if sub_code:
        answer |= {"sub_code": sub_code, "sub_msg": sub_msg}
    return {"error_response": answer}


@contextmanager
def top_gateway() -> Iterator[FakeTop]:
    fake = FakeTop()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
            if self.headers.get("Content-Type", "") != "application/x-www-form-urlencoded":
                fake.problems.append(f"content type {self.headers.get('Content-Type')}")
            with lock:
                action, answer = fake.answer(dict(parse_qsl(body, keep_blank_values=True)))
            if action == "drop":
                self.close_connection = True
                return
            if action == "timeout":
                fake.release.wait(10)
            data = fake.raw.pop(0) if fake.raw else json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(500 if action == "500" else 200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/router/rest"
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
