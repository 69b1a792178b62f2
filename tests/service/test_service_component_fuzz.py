"""The print-component protocol takes whatever a client sends: every request, however malformed, gets an
answer (JSON, ``status`` "failed" with the reason when it is wrong) and never an exception that would drop
the client's socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printers.pool_file import load_pool_file
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from tests.printers.test_pools import pool_file
from tests.service.helpers import order_objects
from waybill.app.service.component import Components
from waybill.app.service.core import PrintService
from waybill.database import open_database

ORDERS = order_objects()
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
contents = st.lists(
    st.fixed_dictionaries(
        {
            "templateURL": st.just("waybill:100x180") | values,
            "data": st.sampled_from(ORDERS) | values | st.sampled_from(ORDERS).map(lambda o: {**o, "recipient": 5}),
        }
    ),
    max_size=2,
)
documents = st.lists(st.fixed_dictionaries({"documentID": st.text(max_size=4) | values, "contents": contents | values}))
tasks = st.fixed_dictionaries(
    {
        "taskID": st.text(min_size=1, max_size=6) | values,
        "printer": st.just("") | st.just("p1") | values,
        "documents": documents | values,
    }
)
requests = values | st.fixed_dictionaries(
    {
        "cmd": st.sampled_from(["print", "getTaskStatus", "getPrinters", "nonsense"]),
        "requestID": values,
        "task": tasks | values,
        "taskID": st.lists(values, max_size=3) | values,
    }
)


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Components]:
    folder = tmp_path_factory.mktemp("component-fuzz")
    with PrinterSimulator("tspl", get_profile("tspl-203"), speed_mm_s=100_000) as sim:
        spec = load_pool_file(pool_file(folder, [sim.uri]))
        service = PrintService(spec, "line-a", open_database(str(folder / "w.db")), grace=5.0, poll=0.05)
        service.start()
        try:
            yield Components(service)
        finally:
            service.close()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=requests)
def test_every_request_gets_a_json_answer(components: Components, request: Any) -> None:
    answers: list[dict[str, Any]] = []
    components.handle(request, answers.append)
    assert answers and all(isinstance(answer, dict) for answer in answers)
    json.dumps(answers)  # what goes back on the socket is JSON
    first = answers[0]
    if not isinstance(request, dict) or request.get("cmd") == "nonsense":
        assert first["status"] == "failed" and first["msg"]


def test_a_printer_named_by_something_else_than_a_string_is_refused(components: Components) -> None:
    answers: list[dict[str, Any]] = []
    task = {"taskID": "T-list", "printer": ["p1"], "documents": [{"documentID": "D", "contents": []}]}
    components.handle({"cmd": "print", "requestID": "r", "task": task}, answers.append)
    assert answers == [
        {
            "cmd": "print",
            "requestID": "r",
            "status": "failed",
            "msg": "task.printer: must be a printer's name (getPrinters lists them), or empty",
        }
    ]
