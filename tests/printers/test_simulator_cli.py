"""``waybill printer-sim`` as a user runs it: a process that prints its URI, serves labels, saves PNGs,
and stops cleanly on Ctrl-C or after ``--quit-after N`` labels."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from printers.encode import encode_labels
from printers.profiles import get_profile
from printers.testing import line_art
from printers.transports import open_transport
from waybill.app.commands import simulator as sim_cli
from waybill.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
# The sub-command as the waybill dispatcher mounts it (register → handler), in a process of its own. Ctrl-C
# raises KeyboardInterrupt there as in a terminal, even when this test run was started in the background,
# where the shell hands every child SIGINT ignored.
RUN = """
import argparse, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from waybill.app.commands import simulator as sim_cli
parser = argparse.ArgumentParser(prog="waybill")
sim_cli.register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.handler(args))
"""


def _start(*argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "printer-sim", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.parametrize(("language", "profile"), [("tspl", "tspl-203"), ("zpl", "zpl-203")])
def test_printer_sim_serves_saves_and_stops_on_ctrl_c(tmp_path: Path, language: str, profile: str) -> None:
    with _start(  # as a context: its pipes closed however the test ends
        "--lang", language, "--port", "0", "--speed-mm-s", "2000", "--save", str(tmp_path)
    ) as process:
        try:
            assert process.stdout is not None
            uri = process.stdout.readline().strip()
            assert uri.startswith("tcp://127.0.0.1:")
            image = line_art((800, 300))
            transport = open_transport(uri, timeout=5)
            transport.write(b"".join(label.data for label in encode_labels([image], get_profile(profile))))
            transport.close()
            lines: list[str] = []
            while not any(" label " in line for line in lines):
                lines.append(process.stdout.readline())
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=10)
        finally:
            process.kill()
    assert process.returncode == 0, err
    assert "1 label printed" in out
    saved = tmp_path / "label-0001.png"
    assert Image.open(saved).convert("1").crop((0, 0, 800, 300)).tobytes() == image.tobytes()
    assert f"{profile} ({language})" in err


def test_printer_sim_quits_after_n_labels_over_serial() -> None:
    with _start(  # as a context: its pipes closed however the test ends
        "--lang", "escpos", "--serial", "--speed-mm-s", "2000", "--quit-after", "2", "--quiet"
    ) as process:
        try:
            assert process.stdout is not None
            uri = process.stdout.readline().strip()
            assert uri.startswith("serial:///dev/") and uri.endswith("baudrate=115200")
            profile = get_profile("escpos-4inch")
            transport = open_transport(uri, timeout=5)
            data = b"".join(label.data for label in encode_labels([line_art((800, 200))] * 2, profile))
            transport.write(data)
            out, err = process.communicate(timeout=10)
            transport.close()
        finally:
            process.kill()
    assert process.returncode == 0, err
    assert out == f"2 labels printed, {len(data)} bytes received\n"  # --quiet: nothing but the URI and this


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="waybill")
    sim_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["printer-sim", *argv])


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--lang", "escpos", "--profile", "tspl-203"), "speaks tspl"),
        (("--baud", "9600"), "give --serial too"),
        (("--serial", "--drop-after", "1"), "serial line"),
    ],
)
def test_printer_sim_usage_errors(argv: tuple[str, ...], words: str) -> None:
    args = _parse("--port", "0", *argv)
    with pytest.raises(UsageError, match=words):
        args.handler(args)


def test_printer_sim_port_in_use() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        args = _parse("--port", str(taken.getsockname()[1]))
        with pytest.raises(UsageError, match=r"cannot listen on 127\.0\.0\.1"):
            args.handler(args)
