"""The printer simulator end to end: real encoders → real transports over loopback TCP (and a pty) →
the simulator's decoder; labels come back dot for dot, status and acknowledgements follow the rules of
printers.status, faults play as specified."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from printers.decode import crop_label
from printers.encode import EncodedLabel, encode_labels
from printers.errors import TransportError, TransportTimeout
from printers.languages import driver_for
from printers.languages.zpl import HS_QUERY
from printers.profiles import Language, PrinterProfile, get_profile
from printers.simulator import PrinterSimulator
from printers.simulator.realtime import RealtimeScanner
from printers.status import (
    ASB_ENABLE,
    DLE_EOT,
    TSPL_STATUS_QUERY,
    Ack,
    PrinterStatus,
    Response,
    StatusReply,
    StatusReport,
    ack_request,
    escpos_reply,
    tspl_status_byte,
)
from printers.testing import line_art
from printers.transports import Transport, open_transport

FAST = 2000.0  # mm/s: a 50 mm label + 3 mm gap takes 26.5 ms


def _profile(language: Language) -> PrinterProfile:
    return get_profile(driver_for(language).default_profile)


def _images(count: int, height: int = 400, first_seed: int = 10) -> list[Image.Image]:
    return [line_art((800, height), seed=first_seed + i) for i in range(count)]


def _expected(image: Image.Image, encoded: EncodedLabel) -> bytes:
    """The label as the printer prints it: the encoder's defused dots are white."""
    printed = image.copy()
    for dot in encoded.altered_dots:
        printed.putpixel(dot, 255)
    return printed.tobytes()


def _assert_printed(sim: PrinterSimulator, images: list[Image.Image], encoded: list[EncodedLabel]) -> None:
    labels = sim.labels
    assert len(labels) == len(images)
    for image, sent, label in zip(images, encoded, labels, strict=True):
        assert crop_label(label, sim.profile, image.size).tobytes() == _expected(image, sent)


class Host:
    """The host's side: a transport plus a thread that parses everything the printer sends back, stamped
    with ``time.monotonic()`` on arrival."""

    def __init__(self, uri: str, language: Language, timeout: float = 5.0) -> None:
        self.transport: Transport = open_transport(uri, timeout=timeout)
        self.parser = driver_for(language).response_parser()
        self.responses: list[tuple[float, Response]] = []
        self.error: TransportError | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.transport.read(256, timeout=0.05)
            except TransportError as e:
                self.error = e
                return
            with self._lock:
                for response in self.parser.feed(data):
                    self.responses.append((time.monotonic(), response))

    def query(self, n: int) -> None:
        self.parser.expect(n)
        self.transport.write(DLE_EOT + bytes((n,)))

    def wait_for(self, count: int, kind: type, timeout: float = 5.0) -> list[tuple[float, Response]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [(at, r) for at, r in self.responses if isinstance(r, kind)]
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{len(found)} {kind.__name__} of {count} in {timeout} s: {self.responses}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.transport.close()


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    made: list[Host] = []
    yield made
    for host in made:
        host.close()


# ── the real-time scanner ────────────────────────────────────────────────────────────────────────────


def test_scanner_finds_queries_split_across_reads_once() -> None:
    scanner = RealtimeScanner("escpos")
    assert scanner.feed(b"\x1b@\x10") == []
    assert scanner.feed(b"\x04") == []
    assert scanner.feed(b"\x02\x10\x04\x01") == [(2, 1), (1, 4)]  # (n, offset just after the query)
    assert scanner.feed(b"\x10\x04\x05\x10\x04\x0c\x10\x04\x00") == []  # not status queries
    assert scanner.feed(b"\x10\x04\x04") == [(4, 3)]
    tspl = RealtimeScanner("tspl")
    assert tspl.feed(b"CLS\r\n\x1b") == []
    assert tspl.feed(b"!") == []
    assert tspl.feed(b"?\x1b!?") == [(0, 1), (0, 4)]


# ── labels come back dot for dot ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_labels_print_dot_for_dot_and_are_saved(language: Language, tmp_path: Path, hosts: list[Host]) -> None:
    profile = _profile(language)
    images = _images(3)
    encoded = list(encode_labels(images, profile))
    with PrinterSimulator(language, speed_mm_s=FAST, save_dir=tmp_path) as sim:
        host = Host(sim.uri, language)
        hosts.append(host)
        for label in encoded:
            host.transport.write(label.data)
        # Idle alone could be seen before the bytes, written but still in the socket, reach the simulator.
        assert sim.wait_printed(len(encoded), 10) and sim.wait_idle(10)
        _assert_printed(sim, images, encoded)
        assert sim.received_bytes == sum(len(label.data) for label in encoded)
        assert [p.number for p in sim.printed] == [1, 2, 3]
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "label-0001.png",
            "label-0002.png",
            "label-0003.png",
        ]
        for printed in sim.printed:
            assert printed.path is not None and printed.label is not None
            assert Image.open(printed.path).convert("1").tobytes() == printed.label.image.tobytes()
        assert [e for e in sim.events if e.kind == "not-understood"] == []


def test_labels_are_numbered_across_connections(tmp_path: Path) -> None:
    profile = _profile("tspl")
    images = _images(2)
    encoded = list(encode_labels(images, profile))
    with PrinterSimulator("tspl", speed_mm_s=FAST, save_dir=tmp_path) as sim:
        for label in encoded:  # one connection per label, one after the other
            transport = open_transport(sim.uri, timeout=5)
            transport.write(label.data)
            transport.close()
            assert sim.wait_printed(len(sim.printed) + 1, 5)
        _assert_printed(sim, images, encoded)
        assert sorted(path.name for path in tmp_path.iterdir()) == ["label-0001.png", "label-0002.png"]
        assert len({p.connection for p in sim.printed}) == 2
        assert [e.kind for e in sim.events].count("connect") == 2


# ── status, as bytes arrive ──────────────────────────────────────────────────────────────────────────


def test_escpos_status_queries_are_answered_before_the_data_ahead_of_them_prints(hosts: list[Host]) -> None:
    profile = _profile("escpos")
    image = _images(1, height=800)[0]
    with PrinterSimulator("escpos", speed_mm_s=400) as sim:  # the label takes 0.26 s
        host = Host(sim.uri, "escpos")
        hosts.append(host)
        host.transport.write(b"".join(label.data for label in encode_labels([image], profile)))
        for n in (1, 2, 3, 4):
            host.query(n)
        replies = host.wait_for(4, StatusReply)
        assert sim.wait_printed(1, 5)
        assert all(at < sim.printed[0].finished for at, _ in replies)
        assert replies[-1][1] == StatusReply(PrinterStatus())
        assert next(e.detail for e in sim.events if e.kind == "query").startswith("DLE EOT 1: ready")


def test_a_query_split_across_writes_is_answered_once(hosts: list[Host]) -> None:
    with PrinterSimulator("escpos", speed_mm_s=FAST) as sim:
        host = Host(sim.uri, "escpos")
        hosts.append(host)
        host.parser.expect(4)
        host.transport.write(b"\x1b@\x10")
        time.sleep(0.1)  # the simulator has read the first part alone
        host.transport.write(b"\x04")
        time.sleep(0.1)
        host.transport.write(b"\x04")
        host.wait_for(1, StatusReply)
        time.sleep(0.2)
        assert len(host.responses) == 1
        assert [e.kind for e in sim.events].count("query") == 1


def test_tspl_status_says_printing_while_the_head_prints(hosts: list[Host]) -> None:
    profile = _profile("tspl")
    with PrinterSimulator("tspl", speed_mm_s=200) as sim:  # 53 mm: 0.265 s
        host = Host(sim.uri, "tspl")
        hosts.append(host)
        host.transport.write(TSPL_STATUS_QUERY)
        idle = host.wait_for(1, StatusReply)[0][1]
        assert isinstance(idle, StatusReply) and idle.status == PrinterStatus()
        host.transport.write(b"".join(label.data for label in encode_labels(_images(1), profile)))
        deadline = time.monotonic() + 5
        while not sim.status.printing and time.monotonic() < deadline:
            time.sleep(0.005)
        host.transport.write(TSPL_STATUS_QUERY)
        busy = host.wait_for(2, StatusReply)[1][1]
        assert isinstance(busy, StatusReply) and busy.status == PrinterStatus(printing=True)
        assert sim.wait_idle(5)
        host.transport.write(TSPL_STATUS_QUERY)
        assert host.wait_for(3, StatusReply)[2][1] == StatusReply(PrinterStatus())
        answered = [bytes((tspl_status_byte(s),)) for s in (PrinterStatus(), PrinterStatus(printing=True))]
        assert answered == [b"\x00", b"\x20"]


def test_tspl_not_printing_means_everything_sent_before_the_query_has_printed(hosts: list[Host]) -> None:
    profile = _profile("tspl")
    encoded = list(encode_labels(_images(3), profile))
    with PrinterSimulator("tspl", speed_mm_s=500) as sim:  # 0.106 s a label
        host = Host(sim.uri, "tspl")
        hosts.append(host)
        host.transport.write(b"".join(label.data for label in encoded) + TSPL_STATUS_QUERY)
        replies = 1
        while True:  # a host waiting for "not printing"
            reply = host.wait_for(replies, StatusReply)[-1][1]
            assert isinstance(reply, StatusReply)
            if not reply.status.printing:
                break
            host.transport.write(TSPL_STATUS_QUERY)
            replies += 1
            time.sleep(0.01)
        assert len(sim.printed) == 3
        assert replies >= 10  # it was asked all along the 0.3 s of printing
        said = [(e.kind, e.detail) for e in sim.events if e.kind in ("query", "label")]
    # Asked at once, with all three labels still ahead of the query, the printer says printing (no label
    # is on the head yet); it says "ready" alone only after the third label is out.
    assert said[0] == ("query", "ESC ! ?: ready, printing")
    third = [i for i, (kind, _) in enumerate(said) if kind == "label"][2]
    assert all(detail.endswith("printing") for kind, detail in said[:third] if kind == "query")
    assert said[third + 1 :] == [("query", "ESC ! ?: ready")]


def test_zpl_host_status_says_printing_until_everything_sent_before_it_has_printed(hosts: list[Host]) -> None:
    profile = _profile("zpl")
    encoded = list(encode_labels(_images(3), profile))
    with PrinterSimulator("zpl", speed_mm_s=500) as sim:  # 0.106 s a label
        host = Host(sim.uri, "zpl")
        hosts.append(host)

        def ask(before: bytes = b"") -> None:
            host.parser.expect(0)
            host.transport.write(before + HS_QUERY)

        ask()
        idle = host.wait_for(1, StatusReply)[0][1]
        assert isinstance(idle, StatusReply) and idle.status == PrinterStatus()
        ask(b"".join(label.data for label in encoded))
        replies = 2
        while True:  # a host waiting for "not printing"
            reply = host.wait_for(replies, StatusReply)[-1][1]
            assert isinstance(reply, StatusReply) and reply.status.ready
            if not reply.status.printing:
                break
            ask()
            replies += 1
            time.sleep(0.01)
        assert len(sim.printed) == 3
        assert replies >= 10  # it was asked all along the 0.3 s of printing
        assert host.parser.surplus == bytearray()  # string 3 of each answer is understood, not noise
        said = [(e.kind, e.detail) for e in sim.events if e.kind in ("query", "label")]
    assert said[0] == ("query", "~HS: ready")
    assert said[1] == ("query", "~HS: ready, printing")
    third = [i for i, (kind, _) in enumerate(said) if kind == "label"][2]
    assert all(detail.endswith("printing") for kind, detail in said[1:third] if kind == "query")
    assert said[third + 1 :] == [("query", "~HS: ready")]


# ── acknowledgements ─────────────────────────────────────────────────────────────────────────────────


def test_acks_arrive_only_after_the_labels_before_them_printed(hosts: list[Host]) -> None:
    profile = _profile("escpos")
    images = _images(4)
    encoded = list(encode_labels(images, profile))
    with PrinterSimulator("escpos", speed_mm_s=500) as sim:  # 53 mm: 0.106 s a label
        host = Host(sim.uri, "escpos")
        hosts.append(host)
        host.transport.write(ack_request(7000))  # nothing before it: answered at once
        first = host.wait_for(1, Ack)[0]
        for token, label in enumerate(encoded):
            host.transport.write(label.data + ack_request(token))
        acks = host.wait_for(5, Ack)
        assert [ack.token for _, ack in acks if isinstance(ack, Ack)] == [7000, 0, 1, 2, 3]
        printed = sim.printed
        assert first[0] < printed[0].started
        for (arrived, _), done in zip(acks[1:], printed, strict=True):
            assert arrived >= done.finished
        kinds = [e.kind for e in sim.events if e.kind in ("label", "ack")]
        assert kinds == ["ack", "label", "ack", "label", "ack", "label", "ack", "label", "ack"]  # none held back
        _assert_printed(sim, images, encoded)


def test_a_profile_without_acks_sends_none(hosts: list[Host]) -> None:
    profile = get_profile("escpos-80mm")
    image = line_art((576, 200))
    with PrinterSimulator("escpos", profile, speed_mm_s=FAST) as sim:
        host = Host(sim.uri, "escpos")
        hosts.append(host)
        host.transport.write(b"".join(label.data for label in encode_labels([image], profile)) + ack_request(1))
        assert sim.wait_printed(1, 5) and sim.wait_idle(5)
        time.sleep(0.1)
        assert host.responses == [] and len(sim.labels) == 1


# ── paper out ────────────────────────────────────────────────────────────────────────────────────────


def test_paper_out_reports_stalls_the_writer_then_resumes(hosts: list[Host]) -> None:
    profile = _profile("escpos")
    images = _images(5, height=1200)  # 150 KB a label: more than the buffers hold
    encoded = list(encode_labels(images, profile))
    stream = b"".join(label.data for label in encoded)
    with PrinterSimulator("escpos", speed_mm_s=FAST, paper_out_after=1, paper_out_seconds=1.5) as sim:
        host = Host(sim.uri, "escpos", timeout=0.4)
        hosts.append(host)
        host.transport.write(ASB_ENABLE)
        assert host.wait_for(1, StatusReport)[0][1] == StatusReport(PrinterStatus())
        with pytest.raises(TransportTimeout) as caught:
            host.transport.write(stream)
        written = caught.value.written
        assert 0 < written < len(stream)
        out = host.wait_for(2, StatusReport)[1][1]
        assert out == StatusReport(PrinterStatus(online=False, paper_end=True))
        assert sim.status.paper_end and len(sim.printed) == 1
        # No room for even a status query now (it would queue behind the stalled data, as on a real
        # link): the automatic status back reports are how the host hears of it.
        back = host.wait_for(3, StatusReport, timeout=5)[2][1]
        assert back == StatusReport(PrinterStatus())
        host.transport.write(stream[written:])
        assert sim.wait_printed(5, 10)
        assert sim.wait_idle(5)
        host.query(4)
        _assert_printed(sim, images, encoded)
        assert sim.printed[1].started - sim.printed[0].finished >= 1.5  # the paper was out that long
        assert [e.kind for e in sim.events].count("paper-out") == 1  # once
        reply = host.wait_for(1, StatusReply)[0][1]
        assert reply == StatusReply(PrinterStatus())


def test_paper_out_status_bytes_follow_printers_status() -> None:
    out = PrinterStatus(online=False, paper_end=True)
    assert escpos_reply(out, 1) == 0x1A and escpos_reply(out, 4) == 0x72
    assert tspl_status_byte(PrinterStatus(paper_end=True)) == 0x04


def test_tspl_paper_out_is_seen_by_status_query(hosts: list[Host]) -> None:
    profile = _profile("tspl")
    with PrinterSimulator("tspl", speed_mm_s=FAST, paper_out_after=1, paper_out_seconds=0.5) as sim:
        host = Host(sim.uri, "tspl")
        hosts.append(host)
        host.transport.write(b"".join(label.data for label in encode_labels(_images(2), profile)))
        assert sim.wait_printed(1, 5)
        host.transport.write(TSPL_STATUS_QUERY)
        reply = host.wait_for(1, StatusReply)[0][1]
        assert reply == StatusReply(PrinterStatus(paper_end=True))
        assert len(sim.printed) == 1
        assert sim.wait_printed(2, 5)


# ── a dropped connection ─────────────────────────────────────────────────────────────────────────────


def test_drop_after_resets_the_connection_and_serves_the_next(hosts: list[Host]) -> None:
    profile = _profile("escpos")
    images = _images(5, height=1200)
    encoded = list(encode_labels(images, profile))
    with PrinterSimulator("escpos", speed_mm_s=FAST, drop_after=2) as sim:
        host = Host(sim.uri, "escpos", timeout=2)
        hosts.append(host)
        with pytest.raises(TransportError, match="closed the connection") as caught:
            for label in encoded:
                host.transport.write(label.data)
            deadline = time.monotonic() + 5  # everything went out before the drop: reading sees it
            while host.error is None and time.monotonic() < deadline:
                time.sleep(0.01)
            raise host.error or AssertionError("no drop")
        assert sim.uri in str(caught.value)
        assert sim.wait_idle(5)
        dropped = len(sim.printed)
        assert 2 <= dropped < 5  # the labels complete in the buffer printed; the partial one did not
        for image, sent, back in zip(images, encoded, sim.labels, strict=False):
            assert crop_label(back, profile, image.size).tobytes() == _expected(image, sent)
        assert [e.kind for e in sim.events].count("drop") == 1
        again = Host(sim.uri, "escpos")
        hosts.append(again)
        for label in encoded:
            again.transport.write(label.data + ack_request(1))
        assert len(again.wait_for(5, Ack)) == 5  # no second drop
        labels = sim.labels[dropped:]
        assert len(labels) == 5
        for image, sent, back in zip(images, encoded, labels, strict=True):
            assert crop_label(back, profile, image.size).tobytes() == _expected(image, sent)


# ── the head's speed ─────────────────────────────────────────────────────────────────────────────────


def test_labels_take_the_head_time_back_to_back() -> None:
    profile = _profile("tspl")
    count, speed = 8, 530.0  # 800 x 400 dots = 50 mm + 3 mm gap: 0.1 s a label
    encoded = list(encode_labels(_images(count), profile))
    with PrinterSimulator("tspl", speed_mm_s=speed) as sim:
        transport = open_transport(sim.uri, timeout=5)
        started = time.monotonic()
        transport.write(b"".join(label.data for label in encoded))
        assert sim.wait_printed(count, 10)
        elapsed = time.monotonic() - started
        transport.close()
        printed = sim.printed
    head = 53 / speed
    assert all(p.finished - p.started == pytest.approx(head) for p in printed)
    for before, after in itertools.pairwise(printed):
        assert after.started == pytest.approx(before.finished)  # no gap: the next label was ready
    assert elapsed >= count * head - 0.01  # never faster than the head
    assert elapsed < count * head * 2


# ── serial over a pseudo-terminal ────────────────────────────────────────────────────────────────────


def test_serial_mode_through_pyserial(hosts: list[Host]) -> None:
    profile = _profile("tspl")
    images = _images(2, height=200)
    encoded = list(encode_labels(images, profile))
    with PrinterSimulator("tspl", speed_mm_s=FAST, serial=True) as sim:
        assert sim.uri.startswith("serial:///dev/pts/") and sim.uri.endswith("?baudrate=115200")
        host = Host(sim.uri, "tspl")
        hosts.append(host)
        for label in encoded:
            host.transport.write(label.data)
        assert sim.wait_printed(len(encoded), 10) and sim.wait_idle(10)
        _assert_printed(sim, images, encoded)
        host.transport.write(TSPL_STATUS_QUERY)
        assert host.wait_for(1, StatusReply)[0][1] == StatusReply(PrinterStatus())


def test_serial_baud_throttles_the_line() -> None:
    profile = _profile("tspl")
    encoded = list(encode_labels(_images(1, height=48), profile))  # ~4.9 KB
    size = len(encoded[0].data)
    with PrinterSimulator("tspl", speed_mm_s=FAST, serial=True, baud=115200) as sim:
        transport = open_transport(sim.uri, timeout=5)
        started = time.monotonic()
        transport.write(encoded[0].data)
        assert sim.wait_printed(1, 10)
        elapsed = time.monotonic() - started
        transport.close()
    assert elapsed >= size / 11520 * 0.9


# ── life ─────────────────────────────────────────────────────────────────────────────────────────────


def test_nothing_is_left_listening_after_the_simulator_stops() -> None:
    with PrinterSimulator("escpos") as sim:
        uri = sim.uri
        transport = open_transport(uri, timeout=2)
    threads = [t.name for t in threading.enumerate() if t.name.startswith("printer-sim")]
    assert threads == []
    with pytest.raises(TransportError, match="closed the connection"):
        transport.read(1, timeout=1)
    transport.close()
    with pytest.raises(TransportError, match="refused"):
        open_transport(uri, timeout=2)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="speaks tspl"):
        PrinterSimulator("escpos", get_profile("tspl-203"))
    with pytest.raises(ValueError, match="serial line"):
        PrinterSimulator("tspl", serial=True, drop_after=1)
    with pytest.raises(ValueError, match="speed_mm_s"):
        PrinterSimulator("tspl", speed_mm_s=-1)


def test_public_names() -> None:
    import printers.simulator as simulator

    assert set(simulator.__all__) == {
        "PrintedLabel",
        "PrinterSimulator",
        "SimEvent",
    }
    assert all(hasattr(simulator, name) for name in simulator.__all__)
