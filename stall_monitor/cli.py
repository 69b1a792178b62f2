"""Sub-commands of the stall monitor (filled in by the stall-monitor issue)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    del subparsers
