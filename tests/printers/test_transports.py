"""Transports against real endpoints: loopback TCP servers, a pseudo-terminal pair, files and FIFOs, a fake
``lp`` on PATH, and pyusb with no such device."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
import usb.core

from printers.errors import TransportError, TransportTimeout
from printers.transports import open_transport
from printers.transports.serial_port import serial_settings
from waybill.errors import UsageError

# ── URIs ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("lpt://printer", "unknown printer link"),
        ("printer.local:9100", "unknown printer link"),
        ("tcp://", "tcp://HOST[:PORT]"),
        ("tcp://10.0.0.5:99999", "port must be a number"),
        ("tcp://10.0.0.5:port", "port must be a number"),
        ("serial://", "serial:///dev/ttyUSB0"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate='fast' is not a valid value"),
        ("serial:///dev/ttyUSB0?speed=9600", "unknown setting 'speed'"),
        ("usb://0416", "usb://VID:PID"),
        ("usb://xyz:5011", "usb://VID:PID"),
        ("file://relative/path", "file:///ABSOLUTE/PATH"),
        ("cups://", "cups://QUEUE"),
        ("cups://-o%20evil", "cups://QUEUE"),
    ],
)
def test_malformed_uris_are_usage_errors_naming_the_uri(uri: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        open_transport(uri)
    assert uri in str(caught.value)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_serial_settings_from_the_query() -> None:
    settings = serial_settings(
        "serial:///dev/x", {"baudrate": "115200", "parity": "e", "stopbits": "2", "bytesize": "7", "rtscts": "true"}
    )
    assert settings == {"baudrate": 115200, "parity": "E", "stopbits": 2, "bytesize": 7, "rtscts": True}
    assert serial_settings("serial:///dev/x", {}) == {"baudrate": 9600}


# ── TCP ──────────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a printer's small TCP window
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)
    yield server
    server.close()


def _uri(server: socket.socket) -> str:
    return f"tcp://127.0.0.1:{server.getsockname()[1]}"


def _read_all(conn: socket.socket) -> bytes:
    conn.settimeout(5)
    chunks = []
    while chunk := conn.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_tcp_round_trip(listener: socket.socket) -> None:
    transport = open_transport(_uri(listener), timeout=2)
    conn, _ = listener.accept()
    try:
        data = os.urandom(300_000)
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.append(_read_all(conn)))
        reader.start()
        transport.write(data)
        conn.sendall(b"\x37\x22abcd\x00")
        assert transport.read(7, timeout=2) == b"\x37\x22abcd\x00"
        transport.close()
        reader.join(5)
        assert received == [data]
    finally:
        conn.close()


def test_tcp_read_returns_nothing_after_its_timeout(listener: socket.socket) -> None:
    transport = open_transport(_uri(listener), timeout=2)
    conn, _ = listener.accept()
    try:
        started = time.monotonic()
        assert transport.read(16, timeout=0.2) == b""
        assert 0.15 <= time.monotonic() - started < 1.5
    finally:
        transport.close()
        conn.close()


def test_tcp_write_to_a_printer_that_stops_reading_times_out_with_the_bytes_taken(listener: socket.socket) -> None:
    uri = _uri(listener)
    transport = open_transport(uri, timeout=0.3)
    conn, _ = listener.accept()
    try:
        data = os.urandom(8 << 20)
        started = time.monotonic()
        with pytest.raises(TransportTimeout) as caught:
            transport.write(data)
        assert time.monotonic() - started < 5
        written = caught.value.written
        assert 0 < written < len(data)
        assert uri in str(caught.value) and f"{written} of {len(data)} bytes" in str(caught.value)
        transport.close()
        # Every byte counted as written reaches the printer, and not one more.
        assert _read_all(conn) == data[:written]
    finally:
        conn.close()


def test_tcp_refused_is_one_line_naming_the_uri() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    uri = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    probe.close()  # nothing listens there now
    with pytest.raises(TransportError) as caught:
        open_transport(uri, timeout=2)
    message = str(caught.value)
    assert uri in message and "refused" in message and "\n" not in message
    assert caught.value.exit_code == 6


def test_tcp_reset_by_the_printer(listener: socket.socket) -> None:
    uri = _uri(listener)
    transport = open_transport(uri, timeout=2)
    conn, _ = listener.accept()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()  # RST
    with pytest.raises(TransportError, match="closed the connection") as caught:
        for _ in range(50):
            transport.write(b"x" * 1000)
            time.sleep(0.01)
    assert uri in str(caught.value)
    with pytest.raises(TransportError, match="closed the connection"):
        transport.read(1, timeout=1)
    transport.close()


def test_tcp_orderly_close_by_the_printer_is_reported_on_read(listener: socket.socket) -> None:
    transport = open_transport(_uri(listener), timeout=2)
    conn, _ = listener.accept()
    conn.sendall(b"\x12")
    conn.close()
    assert transport.read(16, timeout=1) == b"\x12"
    with pytest.raises(TransportError, match="closed the connection"):
        transport.read(16, timeout=1)
    transport.close()


# ── serial, over a pseudo-terminal pair ──────────────────────────────────────────────────────────────


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    yield master, path
    os.close(master)
    os.close(slave)


def _drain(fd: int, quiet: float = 0.3) -> bytes:
    import select

    chunks = []
    while select.select([fd], [], [], quiet)[0]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


def test_serial_round_trip_through_a_pty(pty_pair: tuple[int, str]) -> None:
    master, path = pty_pair
    transport = open_transport(f"serial://{path}?baudrate=115200", timeout=2)
    try:
        data = os.urandom(2000) + b"\r\n\n\r\x11\x13"  # raw: no CR/LF translation, no XON/XOFF
        transport.write(data)
        assert _drain(master) == data
        os.write(master, b"\x12\x0d\x0a")
        got = b""
        while len(got) < 3 and (chunk := transport.read(3 - len(got), timeout=1)):
            got += chunk
        assert got == b"\x12\x0d\x0a"
        assert transport.read(1, timeout=0.1) == b""
    finally:
        transport.close()


def test_serial_write_stall_counts_exactly_the_bytes_the_port_took(pty_pair: tuple[int, str]) -> None:
    master, path = pty_pair
    uri = f"serial://{path}"
    transport = open_transport(uri, timeout=0.3)
    data = os.urandom(1 << 20)
    with pytest.raises(TransportTimeout) as caught:
        transport.write(data)  # nobody reads the other end: the pty's buffer fills
    written = caught.value.written
    assert 0 < written < len(data)
    assert uri in str(caught.value)
    assert _drain(master) == data[:written]
    transport.close()


def test_serial_port_that_does_not_exist(tmp_path: Path) -> None:
    uri = f"serial://{tmp_path}/ttyUSB9?baudrate=115200"
    with pytest.raises(TransportError) as caught:
        open_transport(uri)
    assert uri in str(caught.value) and "\n" not in str(caught.value)


def test_serial_link_gone_when_the_other_side_hangs_up() -> None:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    transport = open_transport(f"serial://{path}", timeout=1)
    os.close(slave)
    os.close(master)  # the "USB-serial adapter" is unplugged
    with pytest.raises(TransportError, match="gone"):
        transport.read(1, timeout=1)
    transport.close()


# ── file ─────────────────────────────────────────────────────────────────────────────────────────────


def test_file_appends_and_reads_nothing(tmp_path: Path) -> None:
    target = tmp_path / "capture.bin"
    for part in (b"first ", b"second"):
        transport = open_transport(f"file://{target}", timeout=1)
        transport.write(part)
        started = time.monotonic()
        assert transport.read(16, timeout=0.1) == b""
        assert time.monotonic() - started >= 0.09
        transport.close()
    assert target.read_bytes() == b"first second"


def test_file_that_cannot_be_opened_names_the_uri(tmp_path: Path) -> None:
    uri = f"file://{tmp_path}/no/such/dir/lp0"
    with pytest.raises(TransportError, match="No such file or directory") as caught:
        open_transport(uri)
    assert uri in str(caught.value)


def test_a_missing_device_node_is_not_created() -> None:
    uri = "file:///dev/usb/waybill-test-lp9"
    with pytest.raises(TransportError, match="cannot open"):
        open_transport(uri)
    assert not Path("/dev/usb/waybill-test-lp9").exists()


def test_file_write_stall_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        transport = open_transport(f"file://{fifo}", timeout=0.2)
        data = os.urandom(1 << 20)
        with pytest.raises(TransportTimeout) as caught:
            transport.write(data)
        written = caught.value.written
        assert 0 < written < len(data)
        assert _drain(reader, quiet=0.1) == data[:written]
        transport.close()
    finally:
        os.close(reader)


# ── CUPS, through a fake lp ──────────────────────────────────────────────────────────────────────────


def _fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text("#!/bin/sh\n" + body)
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return bin_dir


def test_cups_submits_a_raw_job_through_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "job"
    _fake_lp(
        tmp_path, monkeypatch, f'echo "$@" > {out}.args\ncat > {out}.data\necho "request id is XP-7 (1 file(s))"\n'
    )
    transport = open_transport("cups://XP-420B", timeout=5)
    data = os.urandom(500_000)
    transport.write(data[:1000])
    transport.write(data[1000:])
    assert transport.read(1, timeout=0.05) == b""
    transport.close()
    assert (tmp_path / "job.data").read_bytes() == data
    assert (tmp_path / "job.args").read_text().split()[:4] == ["-d", "XP-420B", "-o", "raw"]
    transport.close()  # a second close does nothing


def test_cups_queue_lp_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_lp(tmp_path, monkeypatch, 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')
    transport = open_transport("cups://nosuch", timeout=5)
    with pytest.raises(TransportError) as caught:
        transport.write(b"x" * (4 << 20))  # lp has gone: the pipe breaks
        transport.close()
    assert "cups://nosuch" in str(caught.value)
    assert "The printer or class does not exist" in str(caught.value)


def test_cups_lp_that_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_lp(tmp_path, monkeypatch, "exec sleep 30\n")
    transport = open_transport("cups://stuck", timeout=0.3)
    with pytest.raises(TransportTimeout) as caught:
        transport.write(b"x" * (4 << 20))
    assert 0 < caught.value.written < 4 << 20
    with pytest.raises(TransportError, match="did not finish"):
        transport.close()


def test_cups_without_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(TransportError, match="lp command was not found") as caught:
        open_transport("cups://XP-420B")
    assert "cups://XP-420B" in str(caught.value)


# ── USB (no hardware here) ───────────────────────────────────────────────────────────────────────────


def test_usb_printer_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}

    def find(**ids: int) -> None:
        seen.update(ids)
        return None

    monkeypatch.setattr(usb.core, "find", find)
    with pytest.raises(TransportError, match="not found") as caught:
        open_transport("usb://0416:5011")
    assert "usb://0416:5011" in str(caught.value)
    assert seen == {"idVendor": 0x0416, "idProduct": 0x5011}


def test_usb_without_a_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    def find(**ids: int) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", find)
    with pytest.raises(TransportError, match="libusb") as caught:
        open_transport("usb://1fc9:2016")
    assert "usb://1fc9:2016" in str(caught.value)


def test_public_names() -> None:
    import printers.transports as transports

    assert set(transports.__all__) == {"SCHEMES", "Transport", "open_transport"}
    assert all(hasattr(transports, name) for name in transports.__all__)


def test_a_dns_lookup_that_never_answers_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hanging_lookup(*args: object, **kwargs: object) -> list[object]:
        release.wait(30)  # a dead DNS server
        return []

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    started = time.monotonic()
    expected = r"tcp://printer\.lan:9100: no DNS answer for 'printer\.lan' within 0\.3 s"
    with pytest.raises(TransportError, match=expected):
        open_transport("tcp://printer.lan:9100", timeout=0.3)
    assert time.monotonic() - started < 2
    release.set()
