"""`waybill printers check --pool FILE`: every printer of the file, reached or not, with its status."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from printers.encode import encode_for_session
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from printers.transports import open_transport
from tests.waybill.labels import labels_of, sample_orders
from waybill.app.cli import main
from waybill.render.raster import rasterize

PROFILE = get_profile("tspl-203")


def test_ready_paper_out_and_unreachable_printers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    dead = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    with (
        PrinterSimulator("tspl", PROFILE, speed_mm_s=3000) as ready,
        PrinterSimulator("tspl", PROFILE, speed_mm_s=3000, paper_out_after=1, paper_out_seconds=60) as empty,
    ):
        link = open_transport(empty.uri)
        link.write(encode_for_session(rasterize(labels_of(sample_orders()[0], "100x180")[0]), PROFILE).data)
        link.close()
        assert empty.wait_event("paper-out", timeout=30)
        pool = tmp_path / "pool.toml"
        pool.write_text(
            f'[printers.p1]\nuri = "{ready.uri}"\nprofile = "tspl-203"\nline = "A"\n'
            f'[printers.p2]\nuri = "{empty.uri}"\nprofile = "tspl-203"\n'
            f'[printers.p3]\nuri = "{dead}"\nprofile = "tspl-203"\n'
            '[pools]\nline-a = ["p1", "p2"]\n',
            encoding="utf-8",
        )
        assert main(["printers", "check", "--pool", str(pool)]) == 1
    heading, *out = capsys.readouterr().out.splitlines()
    assert heading.split() == ["printer", "uri", "profile", "line", "pool", "status"]
    assert out[0].split() == ["p1", ready.uri, "tspl-203", "A", "line-a", "ready"]
    assert out[1].split()[:5] == ["p2", empty.uri, "tspl-203", "-", "line-a"] and out[1].endswith("paper out")
    assert out[2].split()[:5] == ["p3", dead, "tspl-203", "-", "-"] and "refused the connection" in out[2]
    assert out[3:] == ["pool line-a: 1 of 2 printers ready (p1)"]


def test_all_ready_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with PrinterSimulator("escpos") as sim:
        pool = tmp_path / "pool.toml"
        pool.write_text(f'[printers.p1]\nuri = "{sim.uri}"\nprofile = "escpos-4inch"\n', encoding="utf-8")
        assert main(["printers", "check", "--pool", str(pool)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["p1", sim.uri, "escpos-4inch", "-", "-", "ready"]


def test_a_bad_pool_file_is_one_line_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool = tmp_path / "pool.toml"
    pool.write_text('[printers.p1]\nuri = "tcp://h:9100"\nprofile = "tspl"\n', encoding="utf-8")
    assert main(["printers", "check", "--pool", str(pool)]) == 5
    assert capsys.readouterr().err.startswith(f"waybill: error: {pool}:3: printers.p1.profile: unknown profile 'tspl'")
