"""The print-component protocol on serve-print's port, from a real WebSocket client (aiohttp's)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from tests.printers.test_pools import simulators
from tests.printers.test_print_e2e import printed_waybills
from tests.service.helpers import order_objects, running_service
from tests.waybill.labels import SAMPLE_SHOP, labels_of, sample_orders
from waybill.database import open_database
from waybill.template import resolve_template

TEMPLATE = resolve_template("100x150")  # given to the service as a file, named label-b


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(str(tmp_path / "waybill.db"))
    yield engine
    engine.dispose()


class Component:
    """One WebSocket client: requests out, every message in kept in order."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.messages: list[dict[str, Any]] = []

    async def send(self, request: dict[str, Any]) -> None:
        await self.socket.send_str(json.dumps(request, ensure_ascii=False))

    async def until(self, done: Any, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Read messages until ``done(messages)`` holds."""
        async with asyncio.timeout(timeout):
            while not done(self.messages):
                message = await self.socket.receive()
                assert message.type == aiohttp.WSMsgType.TEXT, message
                self.messages.append(json.loads(message.data))
        return self.messages


@contextlib.asynccontextmanager
async def connected(base: str) -> AsyncIterator[Component]:
    """A component client on the service at ``base`` (its WebSocket is at ``/``)."""
    async with aiohttp.ClientSession() as session, session.ws_connect(base.replace("http", "ws") + "/") as ws:
        yield Component(ws)


def document(document_id: str, data: dict[str, Any], template: str = "waybill:100x180") -> dict[str, Any]:
    return {"documentID": document_id, "contents": [{"templateURL": template, "data": data}]}


def test_get_printers_print_and_notifications_over_a_websocket(tmp_path: Path, engine: sa.Engine) -> None:
    orders = order_objects()
    good, other, bad = orders[0], orders[1], dict(orders[2])
    bad["recipient"] = dict(bad["recipient"], phone="nope")
    with simulators({}, {}) as sims, running_service(tmp_path, sims, engine, templates={"label-b": TEMPLATE}) as svc:
        svc.service.shop = SAMPLE_SHOP

        async def talk() -> list[dict[str, Any]]:
            async with connected(svc.base) as client:
                await client.send({"cmd": "getPrinters", "requestID": "r1", "version": "1.0"})
                await client.send({"cmd": "nonsense", "requestID": "r2", "version": "1.0"})
                task = {
                    "taskID": "T1",
                    "preview": False,
                    "printer": "p2",
                    "documents": [document("D1", good), document("D2", bad), document("D3", other, "label-b")],
                }
                await client.send({"cmd": "print", "requestID": "r3", "version": "1.0", "task": task})

                def printed(messages: list[dict[str, Any]]) -> bool:
                    states = {
                        s["documentID"]: s["status"]
                        for m in messages
                        if m.get("cmd") == "notifyPrintResult"
                        for s in m["printStatus"]
                    }
                    return states.get("D1") == states.get("D3") == "printed"

                await client.until(printed)
                await client.send({"cmd": "getTaskStatus", "requestID": "r4", "version": "1.0", "taskID": ["T1", "T9"]})
                await client.until(lambda messages: messages[-1].get("requestID") == "r4")
                return client.messages

        messages = asyncio.run(talk())
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    answers = {m["requestID"]: m for m in messages if m.get("requestID")}
    assert answers["r1"]["cmd"] == "getPrinters" and answers["r1"]["defaultPrinter"] == "p1"
    assert answers["r1"]["printers"] == [{"name": "p1", "status": "ready"}, {"name": "p2", "status": "ready"}]
    assert answers["r2"]["status"] == "failed" and "unknown cmd" in answers["r2"]["msg"]
    assert answers["r3"] == {"cmd": "print", "requestID": "r3", "taskID": "T1", "status": "success"}
    notices = [m for m in messages if m.get("cmd") == "notifyPrintResult"]
    assert messages.index(answers["r3"]) < messages.index(notices[0])  # the answer comes first
    first = {s["documentID"]: s for s in notices[0]["printStatus"]}
    assert first["D1"]["status"] == first["D3"]["status"] == "rendered"
    assert first["D2"]["status"] == "failed"
    assert first["D2"]["msg"] == "documents[1].recipient.phone: 'nope' is not a phone number"
    assert notices[-1]["taskStatus"] == "printed" and all(n["taskID"] == "T1" for n in notices)
    status = answers["r4"]["printStatus"]
    assert [s["taskID"] for s in status] == ["T1"]  # T9 is not known
    assert {s["documentID"]: s["status"] for s in status[0]["printStatus"]} == {
        "D1": "printed", "D2": "failed", "D3": "printed",
    }  # fmt: skip
    # Both documents printed on the printer the task named, each with its own template, and nothing else.
    by_number = {o.order_id: o for o in sample_orders()}
    expected = Counter(
        {
            by_number[good["order_id"]].waybill_no: len(labels_of(by_number[good["order_id"]], "100x180")),
            by_number[other["order_id"]].waybill_no: len(labels_of(by_number[other["order_id"]], "100x150")),
        }
    )
    assert sims[0].labels == [] and printed_waybills(sims[1]) == expected
    assert {round(label.image.height / 8) for label in sims[1].labels} == {180, 150}  # 203 dpi: 8 dots/mm


def test_refused_tasks_answer_failed_with_the_reason(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({}) as sims, running_service(tmp_path, sims, engine) as svc:

        async def talk() -> list[dict[str, Any]]:
            async with connected(svc.base) as client:
                for n, task in enumerate(
                    [
                        None,
                        {"taskID": "A", "printer": "p9", "documents": [document("D", order_objects()[0])]},
                        {"taskID": "B", "documents": []},
                        {
                            "taskID": "C",
                            "documents": [
                                {
                                    "documentID": "E",
                                    "contents": [{"templateURL": "waybill:100x180", "encryptedData": "x"}],
                                }
                            ],
                        },
                    ]
                ):
                    await client.send({"cmd": "print", "requestID": f"r{n}", "version": "1.0", "task": task})
                await client.socket.send_str("not json")
                return await client.until(lambda m: len(m) >= 6)  # 4 answers, a notice, the refusal

        messages = asyncio.run(talk())
    answers = {m.get("requestID"): m for m in messages}
    assert answers["r0"]["msg"].startswith("task: must be an object")
    assert answers["r1"]["msg"].startswith("task.printer: no printer 'p9'")
    assert answers["r2"]["msg"] == "task.documents: must be a non-empty list"
    assert answers["r3"]["status"] == "failed"
    (notice,) = [m for m in messages if m.get("cmd") == "notifyPrintResult"]
    assert notice["taskStatus"] == "failed" and "encryptedData" in notice["printStatus"][0]["msg"]
    assert messages[-1]["status"] == "failed"
    assert messages[-1]["msg"].startswith("a request is a JSON object: this is not valid JSON (Expecting value")
    assert sims[0].labels == []


def test_a_task_outlives_a_restart_of_the_service(tmp_path: Path, engine: sa.Engine) -> None:
    orders = order_objects()
    bad = dict(orders[1], recipient=dict(orders[1]["recipient"], phone="nope"))
    task = {"taskID": "T7", "documents": [document("D1", orders[0]), document("D2", bad)]}

    async def talk(base: str, requests: list[dict[str, Any]], done: Any) -> list[dict[str, Any]]:
        async with connected(base) as client:
            for request in requests:
                await client.send(request | {"version": "1.0"})
            return await client.until(done)

    def printed(messages: list[dict[str, Any]]) -> bool:
        return any(m.get("taskStatus") == "printed" for m in messages)

    with simulators({}) as sims:
        with running_service(tmp_path, sims, engine) as svc:
            svc.service.shop = SAMPLE_SHOP
            asyncio.run(talk(svc.base, [{"cmd": "print", "requestID": "r1", "task": task}], printed))
        assert sims[0].wait_idle(timeout=30)
        labels = len(sims[0].labels)
        with running_service(tmp_path, sims, engine) as svc:  # the same store, a new process's memory
            svc.service.shop = SAMPLE_SHOP
            messages = asyncio.run(
                talk(
                    svc.base,
                    [
                        {"cmd": "getTaskStatus", "requestID": "r2", "taskID": ["T7", "T8"]},
                        {"cmd": "print", "requestID": "r3", "task": task},
                    ],
                    lambda m: {"r2", "r3"} <= {x.get("requestID") for x in m},
                )
            )
        assert sims[0].wait_idle(timeout=30)
    answers = {m["requestID"]: m for m in messages if m.get("requestID")}
    (status,) = answers["r2"]["printStatus"]
    assert status["taskID"] == "T7" and status["taskStatus"] == "printed"
    assert {s["documentID"]: s["status"] for s in status["printStatus"]} == {"D1": "printed", "D2": "failed"}
    assert status["printStatus"][1]["msg"] == "documents[1].recipient.phone: 'nope' is not a phone number"
    assert answers["r3"] == {
        "cmd": "print",
        "requestID": "r3",
        "status": "failed",
        "msg": "task.taskID: task T7 was given before",
    }
    assert len(sims[0].labels) == labels == len(labels_of(sample_orders()[0], "100x180"))


def test_a_frame_that_is_not_sane_json_is_answered_and_the_socket_stays_open(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({}) as sims, running_service(tmp_path, sims, engine) as svc:

        async def talk() -> list[dict[str, Any]]:
            async with connected(svc.base) as client:
                for frame in ["[" * 5000, '{"cmd": "getPrinters", "cmd": "print"}', '{"requestID": NaN}']:
                    await client.socket.send_str(frame)
                await client.send({"cmd": "getPrinters", "requestID": "after", "version": "1.0"})
                return await client.until(lambda m: any(x.get("requestID") == "after" for x in m))

        messages = asyncio.run(talk())
    deep, twice, nan, after = messages
    assert deep["status"] == twice["status"] == nan["status"] == "failed"
    assert "nested deeper than 32 levels" in deep["msg"] and "key 'cmd' is given twice" in twice["msg"]
    assert "NaN" in nan["msg"]
    assert after["status"] == "success" and after["printers"] == [{"name": "p1", "status": "ready"}]
