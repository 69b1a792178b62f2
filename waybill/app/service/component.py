"""The print-component protocol (as the Cainiao component speaks it on ``ws://localhost:13528``).

Requests are JSON text frames ``{cmd, requestID, version: "1.0", …}``; every answer echoes ``cmd`` and
``requestID``. Supported::

    getPrinters      → {printers: [{name, status}], defaultPrinter}
    print            task {taskID, printer, documents: [{documentID, contents: [{templateURL, data}]}]}
                     → {taskID, status: "success"|"failed", msg}; then pushed
                     {cmd: "notifyPrintResult", taskID, printer, taskStatus, printStatus: [{documentID, status, msg}]}
                     with status "rendered" (laid out and queued), "printed" (every label of it confirmed by
                     the printer, not merely spooled) or "failed" (with the reason)
    getTaskStatus    taskID: [ids] → {printStatus: [{taskID, taskStatus, printStatus: [...]}]}

``data`` is an order in waybill's schema (as a line of an orders file); ``templateURL`` names a built-in
template (``waybill:100x180``) or one given to the service (``--template NAME=FILE``). A document whose
order is invalid fails alone; the others of its task print. ``printer`` may name one printer of the pool, the
pool, or be empty (the whole pool).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from printers.journal import LabelRow
from waybill.app.service.core import PrintService, Refused, problem_text
from waybill.app.service.task_store import StoredDoc, TaskStore
from waybill.errors import WaybillError
from waybill.orders import check_orders
from waybill.privacy import mask_phones

__all__ = ["Components", "Push"]

KEEP_TASKS = 20_000  # tasks kept in memory (a day at a busy packing line); older ones are read from the store
Push = Callable[[dict[str, Any]], None]  # sends one message to the client (thread-safe)


@dataclass
class _Doc:
    document_id: str
    status: str = "failed"
    msg: str = ""
    order_id: str | None = None
    pages: set[int] = field(default_factory=set)


@dataclass
class _Task:
    task_id: str
    printer: str
    docs: list[_Doc]
    push: Push

    def status(self) -> str:
        states = {doc.status for doc in self.docs}
        if states == {"failed"}:
            return "failed"
        return "printed" if states <= {"printed", "failed"} else "rendered"

    def notice(self, docs: list[_Doc]) -> dict[str, Any]:
        return {
            "cmd": "notifyPrintResult",
            "taskID": self.task_id,
            "printer": self.printer,
            "taskStatus": self.status(),
            "printStatus": [{"documentID": d.document_id, "status": d.status, "msg": d.msg} for d in docs],
        }


def _nobody(message: dict[str, Any]) -> None:
    """Where notices of a task given before a restart would go: its client is gone."""
    del message


class Components:
    """The tasks given over the protocol by every connected client, and their documents' progress."""

    def __init__(self, service: PrintService) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._tasks: dict[str, _Task] = {}
        self._by_order: dict[str, tuple[_Task, _Doc]] = {}
        self._submitting: set[str] = set()  # orders being submitted: their printed labels are kept for them
        self._early: dict[str, list[LabelRow]] = {}
        self._store = TaskStore(service.engine)  # tasks outlive a restart: known, and answered for
        service.on_printed(self._printed)

    def handle(self, request: Any, push: Push) -> None:
        """Answer one request (and push what follows from it) through ``push``; blocking."""
        if not isinstance(request, dict):
            push({"status": "failed", "msg": "a request is a JSON object {cmd, requestID, version, …}"})
            return
        head = {"cmd": request.get("cmd"), "requestID": request.get("requestID")}
        cmd = request.get("cmd")
        if cmd == "getPrinters":
            printers = self.service.printers_json()
            push(
                head
                | {
                    "status": "success",
                    "printers": [{"name": p["name"], "status": p["state"]} for p in printers],
                    "defaultPrinter": printers[0]["name"],
                }
            )
        elif cmd == "print":
            self._print(request.get("task"), head, push)
        elif cmd == "getTaskStatus":
            ids = request.get("taskID")
            if not isinstance(ids, list):
                push(head | {"status": "failed", "msg": "taskID: must be a list of task IDs"})
                return
            wanted = [str(i) for i in ids]
            with self._lock:
                found = {i: self._tasks[i].notice(self._tasks[i].docs) for i in wanted if i in self._tasks}
            for stored in self._store.load([i for i in wanted if i not in found]):  # given before a restart
                docs = [_Doc(d.document_id, d.status, d.msg, d.order_id) for d in stored.docs]
                found[stored.task_id] = _Task(stored.task_id, stored.printer, docs, _nobody).notice(docs)
            found = {i: found[i] for i in wanted if i in found}
            push(
                head
                | {
                    "status": "success",
                    "printStatus": [{k: v for k, v in n.items() if k != "cmd"} for n in found.values()],
                }
            )
        else:
            push(head | {"status": "failed", "msg": f"unknown cmd {cmd!r}: getPrinters, print, getTaskStatus"})

    def _print(self, task: Any, head: dict[str, Any], push: Push) -> None:
        def refuse(message: str) -> None:
            push(head | {"status": "failed", "msg": message})

        if not isinstance(task, dict):
            return refuse("task: must be an object {taskID, printer, documents}")
        task_id, printer, documents = task.get("taskID"), task.get("printer") or "", task.get("documents")
        if not isinstance(task_id, str | int) or isinstance(task_id, bool) or str(task_id) == "":
            return refuse("task.taskID: is required")
        task_id = str(task_id)
        if not isinstance(printer, str):
            return refuse("task.printer: must be a printer's name (getPrinters lists them), or empty")
        if not isinstance(documents, list) or not documents:
            return refuse("task.documents: must be a non-empty list")
        names = {p["name"] for p in self.service.printers_json()}
        if printer not in names | {"", self.service.pool.name}:
            return refuse(f"task.printer: no printer {printer!r} here; getPrinters lists them")
        if not self._store.reserve(task_id, printer):
            return refuse(f"task.taskID: task {task_id} was given before")
        docs, groups = self._documents(documents)
        record = _Task(task_id, printer, docs, push)
        wanted = {doc.order_id for doc in docs if doc.order_id}
        with self._lock:
            self._submitting |= wanted
        try:
            for template, members in groups.items():
                try:
                    only = printer if printer in names else None
                    self.service.submit_orders([data for _, data in members], template, None, printer=only)
                    for doc, _ in members:
                        doc.status = "rendered"
                except (Refused, WaybillError) as error:
                    for doc, _ in members:
                        doc.status, doc.msg = "failed", mask_phones(str(error))
        finally:
            self._store.save(task_id, [StoredDoc(d.document_id, d.order_id, d.status, d.msg) for d in docs])
            with self._lock:
                self._submitting -= wanted
                self._tasks[task_id] = record
                while len(self._tasks) > KEEP_TASKS:  # the oldest leave memory; the store answers for them
                    del self._tasks[next(iter(self._tasks))]
                push(head | {"taskID": task_id, "status": "success" if record.status() != "failed" else "failed"})
                push(record.notice(docs))
                for doc in docs:
                    if doc.order_id and doc.status == "rendered":
                        self._by_order[doc.order_id] = (record, doc)
                early = [row for order_id in wanted for row in self._early.pop(order_id, [])]
            if early:
                self._printed(early)

    def _documents(self, documents: list[Any]) -> tuple[list[_Doc], dict[str, list[tuple[_Doc, Any]]]]:
        """Each document checked on its own: the failed ones, and the good ones grouped by template."""
        docs: list[_Doc] = []
        datas: list[Any] = []
        for n, raw in enumerate(documents):
            doc, data = _Doc(str(raw.get("documentID", "")) if isinstance(raw, dict) else ""), None
            contents = raw.get("contents") if isinstance(raw, dict) else None
            if not doc.document_id:
                doc.msg = f"documents[{n}].documentID: is required"
            elif not isinstance(contents, list) or len(contents) != 1 or not isinstance(contents[0], dict):
                doc.msg = f"documents[{n}].contents: one content {{templateURL, data}} (custom areas are not supported)"
            elif "encryptedData" in contents[0]:
                doc.msg = f"documents[{n}].contents[0].encryptedData: the platform's encrypted data is not supported"
            elif not isinstance(contents[0].get("templateURL"), str):
                doc.msg = f"documents[{n}].contents[0].templateURL: is required"
            else:
                data = contents[0].get("data")
            docs.append(doc)
            datas.append(data)
        checked = check_orders([d if d is not None else {} for d in datas], self.service.shop_profile(), "documents")
        bad: dict[int, list[str]] = {}
        for problem in checked.problems:
            bad.setdefault(int(problem.source.split("[")[1].rstrip("]")), []).append(problem_text(problem))
        groups: dict[str, list[tuple[_Doc, Any]]] = {}
        for n, (doc, data) in enumerate(zip(docs, datas, strict=True)):
            if doc.msg:
                continue
            if n in bad:
                doc.msg = "; ".join(bad[n])
                continue
            doc.order_id = str(data.get("order_id"))
            groups.setdefault(documents[n]["contents"][0]["templateURL"], []).append((doc, data))
        return docs, groups

    def _printed(self, rows: list[LabelRow]) -> None:
        """A printer confirmed ``rows``: push "printed" for each document whose every label is now printed."""
        with self._lock:
            done: dict[int, tuple[_Task, list[_Doc]]] = {}
            for row in rows:
                found = self._by_order.get(row.order_id)
                if found is None:
                    if row.order_id in self._submitting:  # printed before its task was registered
                        self._early.setdefault(row.order_id, []).append(row)
                    continue
                task, doc = found
                doc.pages.add(row.page)
                if len(doc.pages) >= row.pages:
                    doc.status = "printed"
                    del self._by_order[row.order_id]
                    done.setdefault(id(task), (task, []))[1].append(doc)
            for task, docs in done.values():
                task.push(task.notice(docs))
