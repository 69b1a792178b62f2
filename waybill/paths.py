"""Where waybill keeps the user's files: the store under ``$XDG_DATA_HOME/waybill``, caches (what can be
rebuilt from other files at any time) under ``$XDG_CACHE_HOME/waybill``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_home", "data_home"]


def data_home() -> Path:
    """``$XDG_DATA_HOME/waybill``, by default ``~/.local/share/waybill``."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "waybill"


def cache_home() -> Path:
    """``$XDG_CACHE_HOME/waybill``, by default ``~/.cache/waybill``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "waybill"
