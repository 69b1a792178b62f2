"""Property-based fuzzing of every reader (issue 9): whatever the input, a reader gives a value or the
project's own error (a ``WaybillError``), never another exception, and within a bounded time (the
hypothesis deadline; a reader that hangs or recurses without end fails it)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printers.languages import LANGUAGES, driver_for
from printers.profiles import load_profiles
from stall_monitor.rules import load_rules, parse_rules
from stall_monitor.sources.files import read_events, read_work_orders
from stall_monitor.sources.kuaidi100 import parse_push, read_pushes
from tests.waybill.labels import NOW, SAMPLE_ORDERS, SAMPLE_SHOP, sample_orders, sample_shop
from waybill.errors import WaybillError
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.orders import CSV_ITEM_COLUMNS, CSV_ORDER_COLUMNS, read_orders
from waybill.shop import load_shop, parse_shop
from waybill.template import load_template, resolve_template

T = TypeVar("T")
FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=5),  # generous on a loaded machine; a hang or a 12 s layout still fails it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def value_or_own_error(read: Callable[[], T]) -> T | WaybillError:
    """What ``read`` returns, or the ``WaybillError`` it raises; any other exception fails the test."""
    try:
        return read()
    except WaybillError as error:
        assert str(error).strip(), "an error the user can read"
        return error


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ── building blocks ──────────────────────────────────────────────────────────────────────────────────

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "0", "-1", "1e999", "13812341234", "0001-01-01", "9999-12-31T23:59:59-23:59", "nan"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
LONG = "长" * 140_000  # past the csv module's field size limit
# Literals JSON and TOML readers must refuse or bound: deep nesting, non-numbers, absurd sizes.
HOSTILE_JSON = st.sampled_from(
    [
        *("[" * 5000, "{" * 3000, '{"a": NaN}', '{"a": 1e400}', '{"a": ' + "9" * 5000 + "}", '{"a": 1, "a": 2}'),
        *("\x00", '{"waybill_no": "SF1", "time": "2022-12-10", "status": "x", "context": "\\ud800"}'),
        '{"\\udfff": "a"}',  # half a surrogate pair: no UTF-8 store or file can hold it
    ]
)
TOML_LITERALS = st.sampled_from(
    ["nan", "inf", "-inf", "1e308", "-1", "0", "1e-9", "99999999999", '"x"', "true", "[]", "{}", "0001-01-01", ""]
)


def mutated(text: str) -> st.SearchStrategy[str]:
    """``text`` with one value replaced by a hostile literal, a line dropped or doubled, or bytes spliced in."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        lines = text.split("\n")
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "value", "value", "drop", "double", "splice"]))
        line = lines[index]
        if how == "value" and " = " in line:
            key = line.split(" = ", 1)[0]
            lines[index] = f"{key} = {draw(TOML_LITERALS | st.floats().map(repr) | st.integers().map(str))}"
        elif how == "drop":
            del lines[index]
        elif how == "double":
            lines.insert(index, line)
        else:
            lines[index] = line + draw(st.text(max_size=8))
        return "\n".join(lines)

    return build()


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def _sample_order_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines() if line.strip()]


SAMPLE_ORDER_DICTS = _sample_order_lines()


@st.composite
def order_lines(draw: st.DrawFn) -> str:
    """A sample order with some fields (or item fields) replaced by any JSON, or a hostile line."""
    if draw(st.integers(0, 5)) == 0:
        return draw(HOSTILE_JSON | st.text(max_size=40))
    data = json.loads(json.dumps(draw(st.sampled_from(SAMPLE_ORDER_DICTS))))
    for _ in range(draw(st.integers(1, 3))):
        target = data
        items = data.get("items")
        if draw(st.booleans()) and isinstance(items, list) and items and isinstance(items[0], dict):
            target = items[0]
        key = draw(st.sampled_from([*target.keys(), "qty", "cod_amount", "extra"]))
        target[key] = draw(json_values)
    return json.dumps(data, ensure_ascii=draw(st.booleans()))


# ── orders ───────────────────────────────────────────────────────────────────────────────────────────


@FUZZ
@given(lines=st.lists(order_lines(), min_size=1, max_size=4))
def test_orders_jsonl(folder: Path, lines: list[str]) -> None:
    path = write(folder, "orders.jsonl", "\n".join(lines))
    value_or_own_error(lambda: read_orders(path, sample_shop()))


COLUMNS = (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS)


@FUZZ
@given(
    header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=6), min_size=1, max_size=12),
    rows=st.lists(
        st.lists(st.text(max_size=12) | st.sampled_from(["1", "SF", "0", "1e999", LONG]), max_size=14), max_size=4
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    tail=st.binary(max_size=8),
)
def test_orders_csv(folder: Path, header: list[str], rows: list[list[str]], encoding: str, tail: bytes) -> None:
    text = "\n".join(",".join(json.dumps(cell) if "," in cell else cell for cell in row) for row in [header, *rows])
    path = write(folder, "orders.csv", text.encode(encoding, "replace") + tail)
    value_or_own_error(lambda: read_orders(path))


@FUZZ
@given(data=st.binary(max_size=300))
def test_orders_of_any_bytes(folder: Path, data: bytes) -> None:
    for name in ("orders.jsonl", "orders.csv", "orders"):
        path = write(folder, name, data)
        value_or_own_error(lambda: read_orders(path))  # noqa: B023 (called at once)


# ── shop and template TOML ───────────────────────────────────────────────────────────────────────────

SHOP_TEXT = SAMPLE_SHOP.read_text(encoding="utf-8")


@FUZZ
@given(text=mutated(SHOP_TEXT) | st.text(max_size=80))
def test_shop_toml(text: str) -> None:
    value_or_own_error(lambda: parse_shop(text, "shop.toml"))


TEMPLATE_TEXT = resolve_template("100x180").read_text(encoding="utf-8")
FONT = load_font()
ONE_ORDER = sample_orders()[0]


@settings(FUZZ, max_examples=150)
@given(text=mutated(TEMPLATE_TEXT) | st.text(max_size=80))
def test_template_toml_and_a_label_laid_out_on_it(folder: Path, text: str) -> None:
    path = write(folder, "template.toml", text)
    template = value_or_own_error(lambda: load_template(str(path)))
    if not isinstance(template, WaybillError):  # what loads lays out, or says why it cannot, in bounded time
        options = LayoutOptions(dpi=203, shop=sample_shop())
        value_or_own_error(lambda: layout_order(ONE_ORDER, template, FONT, options, now=NOW))


@FUZZ
@given(data=st.binary(max_size=200) | mutated(TEMPLATE_TEXT).map(lambda t: t.encode("gb18030", "replace")))
def test_toml_files_of_any_bytes(folder: Path, data: bytes) -> None:
    path = write(folder, "any.toml", data)
    value_or_own_error(lambda: load_template(str(path)))
    value_or_own_error(lambda: load_shop(path))
    value_or_own_error(lambda: load_rules(path))
    value_or_own_error(lambda: load_profiles(path))


# ── tracking: events, work orders, rules, Kuaidi100 pushes ────────────────────────────────────────────

EVENT_KEYS = ["waybill_no", "time", "status", "context", "location", "carrier", "opened_at", "responded_at"]
event_records = st.dictionaries(st.sampled_from(EVENT_KEYS) | st.text(max_size=5), json_values, max_size=6)


@FUZZ
@given(
    lines=st.lists(event_records.map(json.dumps) | HOSTILE_JSON | st.text(max_size=30), max_size=5),
    as_csv=st.booleans(),
    header=st.lists(st.sampled_from(EVENT_KEYS) | st.text(max_size=5), min_size=1, max_size=7),
    cells=st.lists(st.lists(st.text(max_size=20) | st.just(LONG), max_size=8), max_size=4),
)
def test_tracking_files(
    folder: Path, lines: list[str], as_csv: bool, header: list[str], cells: list[list[str]]
) -> None:
    if as_csv:
        text = "\n".join(",".join(re.sub(r'[,"\n\r]', " ", c) for c in row) for row in [header, *cells])
        path = write(folder, "tracking.csv", text)
    else:
        path = write(folder, "tracking.jsonl", "\n".join(lines))
    value_or_own_error(lambda: list(read_events(path)))
    value_or_own_error(lambda: list(read_work_orders(path)))


@FUZZ
@given(data=st.binary(max_size=300))
def test_tracking_of_any_bytes(folder: Path, data: bytes) -> None:
    for name in ("tracking.jsonl", "tracking.csv"):
        path = write(folder, name, data)
        value_or_own_error(lambda: list(read_events(path)))  # noqa: B023 (called at once)
        value_or_own_error(lambda: list(read_pushes(path)))  # noqa: B023


RULES_TEXT = (Path(__file__).parents[1] / "stall_monitor" / "rules.toml").read_text(encoding="utf-8")


@FUZZ
@given(text=mutated(RULES_TEXT) | st.text(max_size=80))
def test_rules_toml(text: str) -> None:
    value_or_own_error(lambda: parse_rules(text, "rules.toml"))


@st.composite
def pushes(draw: st.DrawFn) -> str:
    """A Kuaidi100 ``param``: the documented shape with any part replaced by any JSON, or a hostile body."""
    if draw(st.integers(0, 4)) == 0:
        return draw(HOSTILE_JSON | st.text(max_size=40))
    item = {"time": "2022-12-10 10:00:00", "status": "在途", "context": "到达杭州", "areaName": "杭州"}
    item.update(draw(st.dictionaries(st.sampled_from([*item, "ftime", "statusCode", "location"]), json_values)))
    result: dict[str, Any] = {"state": "0", "com": "shunfeng", "nu": "SF1", "data": [item]}
    result.update(draw(st.dictionaries(st.sampled_from([*result, "ischeck"]), json_values, max_size=2)))
    body: dict[str, Any] = {"status": "polling", "lastResult": result}
    body.update(draw(st.dictionaries(st.sampled_from(["lastResult", "message"]), json_values, max_size=1)))
    return json.dumps(body, ensure_ascii=False)


@FUZZ
@given(param=pushes())
def test_kuaidi100_bodies(param: str) -> None:
    value_or_own_error(lambda: parse_push(param))


# ── printer profiles and the bytes printers send back ─────────────────────────────────────────────────

PROFILE_TEXT = """[profiles.mine]
base = "tspl-203"
head_width_dots = 832
dpi = 203
"""


@FUZZ
@given(text=mutated(PROFILE_TEXT) | st.text(max_size=80))
def test_printer_profiles_toml(folder: Path, text: str) -> None:
    path = write(folder, "profiles.toml", text)
    value_or_own_error(lambda: load_profiles(path))


@FUZZ
@given(
    language=st.sampled_from(sorted(LANGUAGES)),
    steps=st.lists(st.tuples(st.lists(st.sampled_from([1, 2, 4]), max_size=3), st.binary(max_size=40)), max_size=8),
)
def test_printer_status_bytes(language: str, steps: list[tuple[list[int], bytes]]) -> None:
    parser = driver_for(language).response_parser()
    for queries, data in steps:
        for n in queries:
            parser.expect(n)
        responses = parser.feed(data)
        assert isinstance(responses, list)
        assert len(parser.surplus) <= 64  # noise is bounded, however much comes


# ── printer streams: `waybill decode` and the simulator read whatever a host sends ─────────────────────


def _sample_streams() -> list[tuple[str, bytes]]:
    """Real streams to mutate: a native label of every language, and a small raster label of each."""
    from PIL import Image

    from printers.encode import encode_label, encode_label_for_session
    from printers.layout_fonts import layout_font
    from printers.profiles import get_profile

    streams = []
    order = sample_orders()[0]
    for name in ("tspl-203-native", "zpl-203-native", "escpos-4inch-native"):
        profile = get_profile(name)
        options = LayoutOptions(shop=sample_shop())
        font = layout_font(profile, load_font())
        label = layout_order(order, load_template("76x130"), font, options, now=NOW).labels[0]
        streams.append((profile.language, encode_label_for_session(label, profile).data))
    image = Image.new("1", (64, 40), 255)
    image.paste(0, (8, 8, 40, 24))
    for name in ("tspl-203", "zpl-203", "escpos-4inch"):
        profile = get_profile(name)
        streams.append((profile.language, encode_label(image, profile)))
    return streams


_STREAMS = _sample_streams()


@st.composite
def mutated_streams(draw: st.DrawFn) -> tuple[str, bytes]:
    language, data = draw(st.sampled_from(_STREAMS))
    stream = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(stream)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if kind == "flip" and at < len(stream):
            stream[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del stream[at : at + draw(st.integers(1, 64))]
        elif kind == "insert":
            stream[at:at] = draw(
                st.binary(min_size=1, max_size=16) | st.sampled_from([b"^", b"~", b'"', b"\x1b", b"\x1d"])
            )
        else:
            del stream[at:]
    return language, bytes(stream)


@FUZZ
@given(sample=mutated_streams(), sniffed=st.booleans())
def test_printer_streams_decode_or_say_why(sample: tuple[str, bytes], sniffed: bool) -> None:
    from printers.decode import decode

    language, data = sample
    result = value_or_own_error(lambda: decode(data, "auto" if sniffed else language))
    if not isinstance(result, WaybillError):
        assert all(label.image.width > 0 and label.image.height > 0 for label in result.labels)


@FUZZ
@given(data=st.binary(max_size=2048), language=st.sampled_from(["auto", *sorted(LANGUAGES)]))
def test_printer_streams_of_any_bytes(data: bytes, language: str) -> None:
    from printers.decode import decode

    value_or_own_error(lambda: decode(data, language))


_NATIVE_PROFILES = ("tspl-203-native", "zpl-203-native", "escpos-4inch-native")


@settings(FUZZ, max_examples=100)
@given(text=mutated(TEMPLATE_TEXT), name=st.sampled_from(_NATIVE_PROFILES))
def test_a_template_that_loads_prints_natively_or_says_why(folder: Path, text: str, name: str) -> None:
    """Whatever geometry a template gives, a native profile's encoder sends its labels or says why not."""
    from printers.encode import encode_label_for_session
    from printers.layout_fonts import layout_font
    from printers.profiles import get_profile

    path = write(folder, "template.toml", text)
    template = value_or_own_error(lambda: load_template(str(path)))
    if isinstance(template, WaybillError):
        return
    profile = get_profile(name)
    options = LayoutOptions(dpi=203, shop=sample_shop())
    laid = value_or_own_error(lambda: layout_order(ONE_ORDER, template, layout_font(profile, FONT), options, now=NOW))
    if isinstance(laid, WaybillError):
        return
    for label in laid.labels:
        value_or_own_error(functools.partial(encode_label_for_session, label, profile))


# ── numbers, catalogs, invoices, pools: the other files a user hands over ─────────────────────────────

SAMPLES_DIR = Path(__file__).parents[1] / "waybill" / "samples"
SEGMENTS_TEXT = (SAMPLES_DIR / "segments.csv").read_text(encoding="utf-8")
CATALOG_TEXT = (SAMPLES_DIR / "catalog.csv").read_text(encoding="utf-8")
INVOICE_LINES = (SAMPLES_DIR / "invoices.jsonl").read_text(encoding="utf-8").splitlines()
INVOICE_RULES_TEXT = (Path(__file__).parents[1] / "stall_monitor" / "invoices" / "rules.toml").read_text("utf-8")
POOL_TEXT = (
    '[printers.p1]\nuri = "tcp://127.0.0.1:9100"\nprofile = "tspl-203"\nline = "A"\n'
    '[printers.p2]\nuri = "tcp://127.0.0.1:9101"\nprofile = "escpos-4inch"\n[pools]\nline-a = ["p1", "p2"]\n'
)


@st.composite
def csv_cells_mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` (a CSV file) with cells replaced by hostile values, rows dropped or doubled."""
    rows = [line.split(",") for line in text.splitlines()]
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.integers(0, len(rows) - 1))
        how = draw(st.sampled_from(["cell", "cell", "drop", "double", "column"]))
        if how == "cell" and rows[row]:
            column = draw(st.integers(0, len(rows[row]) - 1))
            rows[row][column] = draw(
                st.sampled_from(["", "-1", "0", "9" * 40, "1e9", "x", "０１", " 7 ", "nan", LONG[:200]])
                | st.text(max_size=12).map(lambda t: re.sub(r'[,"\n\r]', " ", t))
            )
        elif how == "drop" and len(rows) > 1:
            del rows[row]
        elif how == "double":
            rows.insert(row, list(rows[row]))
        else:
            rows[row].append("extra")
    return "\n".join(",".join(row) for row in rows) + "\n"


@FUZZ
@given(text=csv_cells_mutated(SEGMENTS_TEXT) | st.text(max_size=120))
def test_number_segments_csv(text: str) -> None:
    from waybill.numbers.segments import parse_segments

    value_or_own_error(lambda: parse_segments(text, "segments.csv"))


@FUZZ
@given(data=csv_cells_mutated(CATALOG_TEXT).map(str.encode) | st.binary(max_size=200))
def test_sku_catalog_files(folder: Path, data: bytes) -> None:
    from waybill.catalog import load_catalog

    value_or_own_error(lambda: load_catalog(write(folder, "catalog.csv", data)))


@st.composite
def invoice_lines(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(HOSTILE_JSON | st.text(max_size=30))
    data = json.loads(draw(st.sampled_from(INVOICE_LINES)))
    keys = ["order_id", "requested_at", "issued_at", "work_order_opened_at", "amount", "title", "extra"]
    for _ in range(draw(st.integers(1, 3))):
        data[draw(st.sampled_from(keys))] = draw(json_values)
    return json.dumps(data, ensure_ascii=False)


@FUZZ
@given(lines=st.lists(invoice_lines(), min_size=1, max_size=4), data=st.binary(max_size=200))
def test_invoice_request_files(folder: Path, lines: list[str], data: bytes) -> None:
    from stall_monitor.sources.files import read_invoice_requests

    value_or_own_error(lambda: list(read_invoice_requests(write(folder, "invoices.jsonl", "\n".join(lines)))))
    value_or_own_error(lambda: list(read_invoice_requests(write(folder, "invoices.csv", data))))


@FUZZ
@given(rules=mutated(INVOICE_RULES_TEXT), pool=mutated(POOL_TEXT) | st.text(max_size=80))
def test_invoice_rules_and_pool_files(folder: Path, rules: str, pool: str) -> None:
    from printers.pool_file import load_pool_file
    from stall_monitor.invoices.rules import load_invoice_rules

    value_or_own_error(lambda: load_invoice_rules(write(folder, "invoice_rules.toml", rules)))
    value_or_own_error(lambda: load_pool_file(write(folder, "pool.toml", pool)))
