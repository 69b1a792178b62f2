"""Sub-commands of the printers package (filled in by the printer issues)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    del subparsers
