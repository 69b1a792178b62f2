"""Where waybill keeps the user's files: the store and the font cache, under ``$XDG_DATA_HOME/waybill``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_home"]


def data_home() -> Path:
    """``$XDG_DATA_HOME/waybill``, by default ``~/.local/share/waybill``."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "waybill"
