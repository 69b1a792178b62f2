"""Every module of the three packages says what it offers: an explicit ``__all__`` whose names exist and none of
which is private; and each package ships ``py.typed`` so users' type checkers read its annotations."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("waybill", "printers", "stall_monitor")
APP = ("waybill.app", "waybill.__main__")  # the application: scripts and commands, not an API


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if not any(name == app or name.startswith(app + ".") for app in APP):
                names.append(name)
    return names


MODULES = _modules()


def test_the_modules_are_found() -> None:
    assert {"waybill.orders", "printers.journal", "stall_monitor.scan"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_explicit_exists_and_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list | tuple), f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ names something twice"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"
    private = [n for n in exported if n.startswith("_")]
    assert not private, f"{name}.__all__ leaks private names: {private}"


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_is_marked_typed(package: str) -> None:
    assert (ROOT / package / "py.typed").is_file()
