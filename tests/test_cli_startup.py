"""Start-up stays light: building the parser imports no database, PDF, image or array library, and a
command loads only the stacks it uses. Each case runs in a fresh interpreter, as a user's command does."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from waybill.app.cli import build_parser
from waybill.app.commands import Deferred, deferred
from waybill.database import open_database

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "reportlab", "numpy", "PIL")
# What a render of the sample orders with a built-in template does not need: reportlab's drawing and document
# stacks (barcode widgets, platypus: 70-90 ms), the QR library (no built-in template has a QR; its writers
# load ssl), and python-barcode (for EAN-13 and UPC-A goods only; the package loads its image writer).
UNNEEDED = ("reportlab.graphics", "reportlab.platypus", "segno", "barcode")
SAMPLES = ROOT / "waybill" / "samples"

RUN = """
import json, sys
from waybill.app.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
loaded = sorted(name for name in json.loads(sys.stdin.readline()) if name in sys.modules)
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def loaded_by(*argv: str) -> tuple[int, list[str]]:
    """Exit code of ``waybill ARGV`` and which of HEAVY and UNNEEDED it imported."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *argv],
        input=json.dumps([*HEAVY, *UNNEEDED]) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    return result["code"], result["loaded"]


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["stall", "scan", "--help"], ["render", "--help"], ["print", "--help"], ["templates", "--help"]],
)
def test_help_imports_none_of_the_heavy_libraries(argv: list[str]) -> None:
    assert loaded_by(*argv) == (0, [])


def test_listing_the_templates_needs_none_of_them() -> None:
    assert loaded_by("templates") == (0, [])


def test_jobs_on_a_current_store_loads_no_heavy_library(tmp_path: Path) -> None:
    store = tmp_path / "waybill.db"
    open_database(str(store)).dispose()  # `waybill jobs` only reads: the store must exist
    assert loaded_by("jobs", "--db", str(store)) == (0, [])  # plain SQL on sqlite3 (waybill.store_reader)


def shop_without_numbers(tmp_path: Path) -> Path:
    """The sample shop minus its ``[carriers.X.numbers]`` tables: renders that never ask the store."""
    kept, skipping = [], False
    for line in (SAMPLES / "shop.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            skipping = line.rstrip().endswith(".numbers]")
        if not skipping:
            kept.append(line)
    path = tmp_path / "shop.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def numbered_orders(tmp_path: Path) -> Path:
    lines = (SAMPLES / "orders.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(line + "\n" for line in lines if json.loads(line).get("waybill_no")), encoding="utf-8")
    return path


def test_a_pdf_render_loads_neither_the_array_nor_the_database_library(tmp_path: Path) -> None:
    argv = ["render", str(numbered_orders(tmp_path)), "-t", "100x180", "--shop", str(shop_without_numbers(tmp_path))]
    code, loaded = loaded_by(*argv, "-f", "pdf", "-o", str(tmp_path / "labels.pdf"))
    assert code == 0 and "numpy" not in loaded and "sqlalchemy" not in loaded
    assert "reportlab" in loaded and not set(UNNEEDED) & set(loaded)  # reportlab: the PDF writer's font helpers
    code, loaded = loaded_by(*argv, "-o", str(tmp_path / "png"))  # PNGs are packed by numpy
    assert code == 0 and "numpy" in loaded and "sqlalchemy" not in loaded
    assert not set(UNNEEDED) & set(loaded)


def test_a_bad_option_is_reported_without_the_heavy_libraries() -> None:
    assert loaded_by("render", "--dpi", "250") == (2, [])


def test_the_checker_sees_a_heavy_import() -> None:
    orders = ROOT / "waybill" / "samples" / "orders.jsonl"
    code, loaded = loaded_by("render", str(orders), "-t", "no-such-template", "-o", "out")
    assert code == 4  # the handler ran: it loads the layout stack (the font cache names reportlab's version)
    assert "reportlab" in loaded


def _handlers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, object]]:
    """(prog, handler) of every parser under ``parser`` that sets one."""
    handler = parser.get_default("handler")
    if handler is not None:
        yield parser.prog, handler
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _handlers(child)


def test_every_deferred_handler_names_a_function_that_exists() -> None:
    handlers = list(_handlers(build_parser()))
    assert len(handlers) >= 20  # render … invoice scan: the walk reached the nested sub-commands
    for prog, handler in handlers:
        assert isinstance(handler, Deferred), f"{prog}: {handler!r} is imported at start-up"
        module, _, function = handler.target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), prog


def test_a_deferred_handler_imports_its_module_on_the_first_call(tmp_path: Path) -> None:
    module = tmp_path / "lazy_handler_probe.py"
    module.write_text("import sys\nCALLS = []\ndef run(args):\n    CALLS.append(args.n)\n    return 3\n")
    sys.path.insert(0, str(tmp_path))
    try:
        handler = deferred("lazy_handler_probe:run")
        assert "lazy_handler_probe" not in sys.modules
        assert handler(argparse.Namespace(n=7)) == 3
        assert sys.modules["lazy_handler_probe"].CALLS == [7]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("lazy_handler_probe", None)
    with pytest.raises(ValueError, match="module:function"):
        deferred("no_colon_here")
