"""`waybill numbers …`, and render / print / station / reprint taking or refusing numbers on their own."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from printers.journal import Journal, PlannedLabel
from printers.printing import resume_batch
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from tests.waybill.labels import decoded_code128
from waybill.app.cli import main
from waybill.database import open_database
from waybill.numbers.assign import assign_numbers
from waybill.numbers.store import NumberStore
from waybill.orders import load_orders
from waybill.samples import sample_path
from waybill.shop import load_shop

SEGMENTS = "carrier,branch_code,prefix,first,last\nZTO,57155,78318800,000001,000003\n"
RECIPIENT = {"name": "孙立", "phone": "13922223333", "province": "江苏省", "city": "苏州市", "address": "星湖街328号"}


def write_orders(path: Path, count: int, *, numbered: int = 0) -> Path:
    """``count`` ZTO orders without a number, after ``numbered`` SF orders that carry their own."""
    lines = [
        {"order_id": f"TB{i}", "carrier": "SF", "waybill_no": f"SF10000000{i:05d}", "recipient": RECIPIENT}
        for i in range(numbered)
    ] + [{"order_id": f"TB{numbered + i}", "carrier": "ZTO", "recipient": RECIPIENT} for i in range(count)]
    items = [{"sku": "TOWEL-70", "name": "纯棉浴巾", "qty": 1}]
    path.write_text("".join(json.dumps({**line, "items": items}, ensure_ascii=False) + "\n" for line in lines), "utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    (tmp_path / "segments.csv").write_text(SEGMENTS, encoding="utf-8")
    url = str(tmp_path / "w.db")
    assert main(["numbers", "import", str(tmp_path / "segments.csv"), "--db", url]) == 0
    return url


SHOP = str(sample_path("shop.toml"))  # ZTO and YTO take numbers from the pool


def run_station(
    db: str, orders: Path, scans: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str, list[str]]:
    """``waybill station`` on a simulated printer, reading ``scans``: what it wrote, what it warned, and the
    waybill numbers on the labels the printer printed."""
    with PrinterSimulator("tspl", get_profile("tspl-203"), speed_mm_s=5000) as sim:
        monkeypatch.setattr("sys.stdin", io.StringIO(scans))
        capsys.readouterr()
        printer = ["--printer", sim.uri, "--profile", "tspl-203", "--db", db]
        assert main(["station", "--shop", SHOP, "--orders", str(orders), *printer]) == 0
        out, err = capsys.readouterr()
        assert sim.wait_idle(timeout=20)
        return out, err, [decoded_code128(label.image)[0] for label in sim.labels]


def test_assign_writes_every_order_in_input_order_and_again_the_same(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 2, numbered=1)
    out = tmp_path / "out.jsonl"
    for _ in range(2):
        assert main(["numbers", "assign", str(orders), "--shop", SHOP, "--db", db, "-o", str(out)]) == 0
        written = load_orders(out, load_shop(Path(SHOP))).orders  # what it writes reads back as orders
        assert [(o.order_id, o.waybill_no) for o in written] == [
            ("TB0", "SF1000000000000"),
            ("TB1", "78318800000001"),
            ("TB2", "78318800000002"),
        ]
    err = capsys.readouterr().err
    assert "numbers: 2 new, 0 already bound" in err and "numbers: 0 new, 2 already bound" in err
    assert f"3 order(s) with numbers → {out}; 0 skipped" in err


def test_balance_lists_each_branch_in_a_table_and_as_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["numbers", "balance", "--db", db, "--shop", SHOP, "--json"]) == 0
    balances = json.loads(capsys.readouterr().out)
    assert balances == [
        {"carrier": "ZTO", "source": "pool", "branch_code": "57155", "total": 3, "used": 0, "cancelled": 0, "left": 3},
        {"carrier": "YTO", "source": "pool", "branch_code": "571071", "total": 0, "used": 0, "cancelled": 0, "left": 0},
    ]
    assert main(["numbers", "balance", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["ZTO", "pool", "57155", "3", "0", "0", "3"]


def test_render_numbers_orders_before_layout_and_the_label_carries_the_number(tmp_path: Path, db: str) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 2)
    assert main(["render", str(orders), "-t", "100x180", "--shop", SHOP, "--db", db, "-o", str(tmp_path / "png")]) == 0
    for number in ("78318800000001", "78318800000002"):
        with Image.open(tmp_path / "png" / f"{number}.png") as image:
            assert decoded_code128(image) == [number] * 2


def test_an_empty_pool_stops_render_with_one_line_or_skips_those_orders(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 4, numbered=1)
    png = tmp_path / "png"
    assert main(["render", str(orders), "-t", "100x180", "--shop", SHOP, "--db", db, "-o", str(png)]) == 11
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "waybill: error: ZTO: the number pool of branch 57155 is empty (import segments: waybill numbers import) "
        "(order TB4); nothing was printed for it"
    )
    assert not png.exists()
    assert (
        main(["render", str(orders), "-t", "100x180", "--shop", SHOP, "--db", db, "-o", str(png), "--skip-invalid"])
        == 0
    )
    captured = capsys.readouterr()
    assert f"skipped: {orders}:5: waybill_no: ZTO: the number pool of branch 57155 is empty" in captured.err
    assert "rendered 4 label(s) for 4 order(s)" in captured.out and "1 order(s) skipped" in captured.out
    assert sorted(p.stem for p in png.iterdir()) == [
        "78318800000001",
        "78318800000002",
        "78318800000003",
        "SF1000000000000",
    ]


def test_a_cancelled_number_is_not_reprinted_neither_by_reprint_nor_at_the_station(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 2)
    with PrinterSimulator("tspl", get_profile("tspl-203"), speed_mm_s=5000) as sim:
        printer = ["--printer", sim.uri, "--profile", "tspl-203", "--db", db]
        assert main(["print", str(orders), "--shop", SHOP, *printer]) == 0
        assert sim.wait_idle(timeout=20)
        assert [decoded_code128(label.image)[0] for label in sim.labels] == ["78318800000001", "78318800000002"]
        assert main(["numbers", "cancel", "78318800000001", "--reason", "包装破损", "--db", db]) == 0
        capsys.readouterr()
        assert main(["reprint", "78318800000001", *printer]) == 8
        assert capsys.readouterr().err.strip() == (
            "waybill: error: waybill 78318800000001 was cancelled (包装破损); a cancelled number is never printed again"
        )
        monkeypatch.setattr("sys.stdin", io.StringIO("78318800000001\ny\nTB0\n"))
        assert main(["station", "--shop", SHOP, "--orders", str(orders), *printer]) == 0
        out = capsys.readouterr().out
        assert "78318800000001: waybill 78318800000001 was cancelled (包装破损)" in out
        # Scanned by its order id, the order prints under the new number the station gave it.
        assert "78318800000003: printed 1 label(s) for order TB0" in out
        assert sim.wait_idle(timeout=20)
        assert [decoded_code128(label.image)[0] for label in sim.labels][2:] == ["78318800000003"]
    assert main(["numbers", "cancel", "78318800000001", "--db", db]) == 11  # once is enough
    assert "already cancelled: 包装破损" in capsys.readouterr().err


def test_resume_holds_back_the_labels_of_a_number_cancelled_since_the_job_was_made(tmp_path: Path, db: str) -> None:
    engine = open_database(db)
    journal = Journal(engine)
    shop = load_shop(Path(SHOP))
    numbered = assign_numbers(engine, load_orders(write_orders(tmp_path / "o.jsonl", 2), shop).orders, shop).orders
    planned = [PlannedLabel(o.order_id, o.waybill_no, 1, 1) for o in numbered]
    job_id = journal.create_job(
        kind="batch",
        printer="tcp://127.0.0.1:9",
        profile="tspl-203",
        settings="{}",
        job_orders=numbered,
        planned=planned,
    )
    NumberStore(engine).cancel(numbered[0].waybill_no, "包装破损")
    started = resume_batch(journal, job_id)
    assert [row.waybill_no for row in started.rows] == [numbered[1].waybill_no]
    assert started.cancelled == (numbered[0].waybill_no,)


def test_the_station_numbers_a_parcel_when_it_is_scanned_and_only_the_parcels_scanned(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 3, numbered=1)
    # TB2 scanned, the SF order TB0 (its own number), TB2 again (declined), then TB1.
    out, _, printed = run_station(db, orders, "TB2\nTB0\nTB2\nn\nTB1\n", monkeypatch, capsys)
    # Numbers are taken in scan order; TB3, never scanned, took none.
    assert "78318800000001: printed 1 label(s) for order TB2" in out
    assert "78318800000001: not reprinted" in out
    assert "78318800000002: printed 1 label(s) for order TB1" in out
    assert printed == ["78318800000001", "SF1000000000000", "78318800000002"]
    bound = NumberStore(open_database(db)).by_number(["78318800000001", "78318800000002", "78318800000003"])
    assert {number: binding.order_id for number, binding in bound.items()} == {
        "78318800000001": "TB2",
        "78318800000002": "TB1",
    }


def test_a_scanned_parcel_its_source_cannot_number_is_said_and_the_station_goes_on(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write_orders(tmp_path / "o.jsonl", 4)  # three numbers in the segment
    out, _, printed = run_station(db, orders, "TB0\nTB1\nTB2\nTB3\nTB0\nn\n", monkeypatch, capsys)
    assert len(printed) == 3
    (line,) = [line for line in out.splitlines() if line.startswith("TB3: ")]
    assert "ZTO" in line and "(order TB3); nothing was printed for it" in line
    assert "78318800000001: not reprinted" in out  # the station went on after it


def test_the_station_warns_of_a_low_balance_when_it_halves_not_on_every_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nine.csv").write_text("carrier,branch_code,prefix,first,last\nZTO,57155,78318800,000001,000009\n")
    db = str(tmp_path / "nine.db")
    assert main(["numbers", "import", str(tmp_path / "nine.csv"), "--db", db]) == 0
    orders = write_orders(tmp_path / "o.jsonl", 9)
    _, err, printed = run_station(db, orders, "".join(f"TB{i}\n" for i in range(9)), monkeypatch, capsys)
    assert len(printed) == 9
    warnings = [line for line in err.splitlines() if line.startswith("warning: ZTO")]
    # The sample shop warns below 200: each scan leaves one fewer (8 … 0); shown at 8, then as it halves.
    assert warnings == [f"warning: ZTO: only {n} number(s) left at pool (low_balance = 200)" for n in (8, 4, 2, 1, 0)]
