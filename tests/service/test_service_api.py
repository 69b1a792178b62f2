"""``waybill serve-print``'s JSON API over loopback, on printer simulators: jobs in, labels on paper."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from printers.journal import Journal
from tests.printers.test_pools import expected_pages, reprints, simulators
from tests.printers.test_print_e2e import printed_waybills
from tests.service.helpers import order_objects, running_service, shop_object
from waybill.app.cli import main
from waybill.app.service.server import check_exposure
from waybill.database import open_database
from waybill.errors import UsageError


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(str(tmp_path / "waybill.db"))
    yield engine
    engine.dispose()


def test_a_job_posted_prints_every_label_once_and_its_status_says_so(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({}, {}) as sims, running_service(tmp_path, sims, engine) as service:
        status, answer = service.call(
            "POST", "/jobs", {"orders": order_objects(), "template": "100x180", "pool": "line-a", "shop": shop_object()}
        )
        assert status == 201, answer
        done = service.wait_job(answer["job"])
        for sim in sims:
            assert sim.wait_idle(timeout=30)
        status, printers = service.call("GET", "/printers")
    total = sum(expected_pages().values())
    assert done["status"] == "done" and done["labels"] == done["printed"] == total and done["reprints"] == 0
    assert set(done["printers"]) == {"p1", "p2"}
    assert sum(p["printed"] for p in done["printers"].values()) == total
    printed = Counter[str]()
    for sim in sims:
        printed.update(printed_waybills(sim))
    assert printed == expected_pages()
    assert status == 200 and [p["name"] for p in printers["printers"]] == ["p1", "p2"]
    assert sum(p["printed"] for p in printers["printers"]) == total


def test_one_bad_order_refuses_the_whole_job_with_a_field_path(tmp_path: Path, engine: sa.Engine) -> None:
    orders = order_objects()
    orders[3]["recipient"]["phone"] = "call me"
    del orders[5]["items"]
    with simulators({}) as sims, running_service(tmp_path, sims, engine) as service:
        status, answer = service.call("POST", "/jobs", {"orders": orders, "shop": shop_object()})
        assert status == 422
        assert answer["problems"] == [
            "orders[3].recipient.phone: 'call me' is not a phone number",
            "orders[5].items: must be a non-empty list of items",
        ]
        bad_pool = service.call("POST", "/jobs", {"orders": order_objects(), "pool": "line-b", "shop": shop_object()})
        no_sender = service.call("POST", "/jobs", {"orders": order_objects()[:1]})
        not_json = service.call("POST", "/jobs", [1, 2])
    assert bad_pool[0] == 422 and bad_pool[1]["problems"] == [
        "pool: this service prints on pool 'line-a', not 'line-b'"
    ]
    assert no_sender[0] == 422 and no_sender[1]["problems"][0].startswith("orders[0].sender: missing")
    assert not_json[0] == 400
    assert Journal(engine).jobs() == [] and sims[0].labels == []  # nothing recorded, nothing printed


def test_unknown_jobs_are_404_and_a_job_resumes_after_a_restart(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({"paper_out_after": 2, "paper_out_seconds": 3600.0}) as (empty,):
        with running_service(tmp_path, [empty], engine, grace=3600.0) as service:
            assert service.call("GET", "/jobs/999")[0] == 404
            assert service.call("GET", "/jobs/abc")[0] == 404
            status, answer = service.call("POST", "/jobs", {"orders": order_objects(), "shop": shop_object()})
            assert status == 201
            job = answer["job"]
            assert empty.wait_event("paper-out", timeout=30)
        with simulators({}) as (fresh,), running_service(tmp_path, [fresh], engine) as service:
            assert service.call("GET", f"/jobs/{job}")[1]["status"] == "stopped"
            status, resumed = service.call("POST", f"/jobs/{job}/resume")
            assert status == 200 and resumed["status"] in ("queued", "running", "done")
            done = service.wait_job(job)
            assert fresh.wait_idle(timeout=30)
    assert done["status"] == "done" and done["printed"] == done["labels"] == sum(expected_pages().values())
    printed = printed_waybills(empty) + printed_waybills(fresh)
    assert set(printed) == set(expected_pages())


def test_a_token_is_required_when_given_and_beyond_loopback(tmp_path: Path, engine: sa.Engine) -> None:
    with pytest.raises(UsageError, match="without --token"):
        check_exposure("0.0.0.0", None)
    check_exposure("0.0.0.0", "secret")
    check_exposure("127.0.0.1", None)
    assert main(["serve-print", "--host", "0.0.0.0", "--pool", str(tmp_path / "none.toml")]) == UsageError.exit_code
    with simulators({}) as sims, running_service(tmp_path, sims, engine, token="s3cret") as service:
        service.token = None
        assert service.call("GET", "/printers")[0] == 401
        assert service.call("GET", "/printers", token="wrong")[0] == 401
        assert service.call("GET", "/printers", token="s3cret")[0] == 200
        assert service.call("GET", "/openapi.json")[0] == 200  # the spec is public
    assert all("s3cret" not in line and "/jobs/" not in line for line in service.log or [])


def test_an_http_job_on_three_printers_survives_one_out_of_paper_for_long(tmp_path: Path, engine: sa.Engine) -> None:
    """p1 runs out of paper after 4 labels and stays out: past the grace its share moves to p2 and p3; every
    label reaches paper, and a label printed twice is a recorded reprint."""
    with (
        simulators({"paper_out_after": 4, "paper_out_seconds": 3600.0}, {}, {}) as sims,
        running_service(tmp_path, sims, engine, grace=0.5) as service,
    ):
        status, answer = service.call("POST", "/jobs", {"orders": order_objects(), "shop": shop_object()})
        assert status == 201, answer
        done = service.wait_job(answer["job"])
        for sim in sims[1:]:
            assert sim.wait_idle(timeout=30)
        _, printers = service.call("GET", "/printers")
        job = service.service.pool.job(answer["job"])
        recorded = reprints(engine, job)
    states = {p["name"]: (p["state"], p["faults"]) for p in printers["printers"]}
    assert states["p1"] == ("fault", 1) and states["p2"][1] == states["p3"][1] == 0
    assert done["status"] == "done" and done["printed"] == done["labels"] == sum(expected_pages().values())
    assert done["printers"]["p1"]["queued"] == done["printers"]["p1"]["uncertain"] == 0  # its share moved
    assert done["printers"]["p2"]["printed"] and done["printers"]["p3"]["printed"]
    printed = Counter[str]()
    for sim in sims:
        printed.update(printed_waybills(sim))
    assert len(sims[0].labels) == 4
    for waybill, pages in expected_pages().items():
        assert printed[waybill] >= pages, f"{waybill}: {printed[waybill]} of {pages} label(s) on paper"
        assert printed[waybill] - pages <= recorded[waybill], f"{waybill}: printed again without a record"
    assert set(printed) == set(expected_pages()) and sum(recorded.values()) == done["reprints"]


def _post_raw(base: str, body: bytes) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(base + "/jobs", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"orders": ' + b"[" * 5000, "nested deeper than 32 levels"),
        (b'{"orders": [], "orders": [1]}', "given twice"),
        (b'{"orders": [NaN]}', "NaN"),
        (b'{"orders": [' + b"9" * 5000 + b"]}", "digits"),
        (b'{"orders": [', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
    ids=["deep", "twice", "nan", "long-int", "cut", "bytes"],
)
def test_a_body_that_is_not_sane_json_is_a_400_with_the_reason(
    tmp_path: Path, engine: sa.Engine, body: bytes, reason: str
) -> None:
    with simulators({}) as sims, running_service(tmp_path, sims, engine) as service:
        status, answer = _post_raw(service.base, body)
        assert status == 400 and reason in str(answer["error"]), answer
        assert service.call("GET", "/printers")[0] == 200  # the service goes on
    assert Journal(engine).jobs() == [] and sims[0].labels == []
