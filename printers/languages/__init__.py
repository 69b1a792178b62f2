"""Printer languages as drivers: one module per language, each with a ``DRIVER`` behind one interface
(``printers.languages.base.LanguageDriver``), and this registry from a profile's ``language`` to it.

Everything that differs between languages is asked of the driver: the bytes a link opens with, a label's
bytes, the status query and its parser, how a label gets confirmed, the decoder, and what a simulated
printer answers. A new language is one new module here and one entry in ``_MODULES``.

Drivers load on first use, so ``printers.profiles`` can check a language name without importing the
encoders (which import the profiles).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from printers.languages.base import LanguageDriver

__all__ = ["LANGUAGES", "all_drivers", "driver_for"]

# Language name → the module whose ``DRIVER`` speaks it. Stream detection asks them in this order.
_MODULES: dict[str, str] = {
    "zpl": "printers.languages.zpl",
    "tspl": "printers.languages.tspl",
    "escpos": "printers.languages.escpos",  # last: binary, no signature; what is not the others
}
LANGUAGES: tuple[str, ...] = tuple(_MODULES)


def driver_for(language: str) -> LanguageDriver:
    """The driver of ``language``; ``ValueError`` for a name not in ``LANGUAGES``."""
    try:
        module = _MODULES[language]
    except KeyError:
        raise ValueError(f"unknown printer language {language!r}; known: {', '.join(LANGUAGES)}") from None
    driver: LanguageDriver = importlib.import_module(module).DRIVER
    return driver


def all_drivers() -> tuple[LanguageDriver, ...]:
    """Every driver, in the registry's order."""
    return tuple(driver_for(name) for name in LANGUAGES)
