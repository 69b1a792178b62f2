"""The OpenAPI document served at ``/openapi.json`` against the running service: every documented route is
called, every answer is validated against the schema the spec gives for its status (with ``jsonschema``),
and no route answers a status the spec does not list."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from tests.printers.test_pools import simulators
from tests.service.helpers import Running, order_objects, running_service, shop_object
from waybill.database import open_database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(str(tmp_path / "waybill.db"))
    yield engine
    engine.dispose()


def json_schema(node: Any, spec: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``$ref`` inlined, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [json_schema(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return json_schema(target, spec)
    out = {key: json_schema(value, spec) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        out["type"] = [node["type"], "null"]
    return out


class Checker:
    def __init__(self, service: Running) -> None:
        self.service = service
        status, self.spec = service.call("GET", "/openapi.json")
        assert status == 200
        jsonschema.Draft4Validator.check_schema(json_schema(self.spec["components"]["schemas"]["JobStatus"], self.spec))
        self.seen: set[tuple[str, str, str]] = set()

    def call(self, method: str, path: str, route: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        operation = self.spec["paths"][route][method.lower()]
        if body is not None:
            request = operation["requestBody"]["content"]["application/json"]["schema"]
            jsonschema.validate(body, json_schema(request, self.spec))
        status, answer = self.service.call(method, path, body, **kw)
        documented = operation["responses"]
        assert str(status) in documented, f"{method} {route} answered {status}, not in the spec: {answer}"
        schema = documented[str(status)]["content"]["application/json"]["schema"]
        jsonschema.validate(answer, json_schema(schema, self.spec))
        self.seen.add((route, method.lower(), str(status)))
        return status, answer


def test_every_documented_route_and_answer_matches_the_spec(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({}, {}) as sims, running_service(tmp_path, sims, engine, token="t0ken") as service:
        check = Checker(service)
        bad = copy.deepcopy(order_objects())
        bad[0]["recipient"]["phone"] = "x"
        _, created = check.call("POST", "/jobs", "/jobs", {"orders": order_objects(), "shop": shop_object()})
        check.call("POST", "/jobs", "/jobs", {"orders": bad, "shop": shop_object()})
        check.call("POST", "/jobs", "/jobs", {"orders": order_objects()}, token="wrong")
        job = created["job"]
        service.wait_job(job)
        check.call("GET", f"/jobs/{job}", "/jobs/{job}")
        check.call("GET", "/jobs/4711", "/jobs/{job}")
        check.call("GET", f"/jobs/{job}", "/jobs/{job}", token="wrong")
        check.call("POST", f"/jobs/{job}/resume", "/jobs/{job}/resume")
        check.call("POST", "/jobs/4711/resume", "/jobs/{job}/resume")
        check.call("POST", f"/jobs/{job}/resume", "/jobs/{job}/resume", token="wrong")
        check.call("GET", "/printers", "/printers")
        check.call("GET", "/printers", "/printers", token="wrong")
        check.call("GET", "/openapi.json", "/openapi.json")
        paths = check.spec["paths"]
    assert {(route, method) for route, method, _ in check.seen} == {
        (route, method) for route, operations in paths.items() for method in operations
    }
    assert ("/jobs", "post", "201") in check.seen and ("/jobs", "post", "422") in check.seen
    assert ("/jobs/{job}", "get", "404") in check.seen and ("/printers", "get", "401") in check.seen


def test_schemathesis_finds_no_answer_off_the_spec(tmp_path: Path, engine: sa.Engine) -> None:
    """Generated requests for every operation (schemathesis, from the spec the server serves): no server
    error, every status, content type and body as documented, the token enforced where the spec says."""
    with simulators({}) as sims, running_service(tmp_path, sims, engine, token="t0ken") as service:
        schema = schemathesis.openapi.from_url(f"{service.base}/openapi.json")
        # An operation the spec describes badly is an Err, and .ok() raising on it fails the test, as it should.
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        for operation in operations:

            @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def check(case: Any) -> None:  # a schemathesis.Case (generic in types of no use here)
                # Orders are checked by waybill's own rules (``waybill.orders``), far narrower than the spec's
                # "an array of objects": generated ones are refused with 422, as a bad order file would be.
                case.call_and_validate(
                    base_url=service.base,
                    headers={"Authorization": "Bearer t0ken"},
                    excluded_checks=[schemathesis.checks.positive_data_acceptance],
                )

            check()
        log = list(service.log or [])
    assert {(op.method.upper(), op.path) for op in operations} >= {
        ("POST", "/jobs"), ("GET", "/jobs/{job}"), ("POST", "/jobs/{job}/resume"), ("GET", "/printers"),
    }  # fmt: skip
    assert any(" POST /jobs 422 " in line for line in log) and any(" GET /jobs/{job} 404 " in line for line in log)
