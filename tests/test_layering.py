"""Dependencies point one way: the core ``waybill`` ← ``printers`` / ``stall_monitor`` ← the application.

Read from the source (every ``import``, at the top of a module or inside a function), so a lazy import
cannot hide a wrong-way dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ("waybill.app", "waybill.__main__")

# package → the packages it must never import
FORBIDDEN = {
    "waybill": ("printers", "stall_monitor", *APP),
    "printers": ("stall_monitor", *APP),
    "stall_monitor": ("printers", *APP),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _modules(package: str) -> list[Path]:
    return sorted(
        path for path in (ROOT / package).rglob("*.py") if not any(_is_under(_module_name(path), app) for app in APP)
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_points_the_wrong_way(package: str) -> None:
    modules = _modules(package)
    assert modules, f"no modules found under {package}/"
    wrong = sorted(
        f"{_module_name(path)} imports {name}"
        for path in modules
        for name in _imports(path)
        if any(_is_under(name, banned) for banned in FORBIDDEN[package])
    )
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_way_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from stall_monitor.store import register_waybills\n", encoding="utf-8")
    assert any(_is_under(name, "stall_monitor") for name in _imports(module))
