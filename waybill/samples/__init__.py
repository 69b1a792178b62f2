"""Sample data shipped in the package: orders, a shop profile, a product catalog, tracking events, work
orders and invoice requests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["sample_path"]


def sample_path(name: str) -> Path:
    """The path of the bundled sample file ``name`` (e.g. ``orders.jsonl``)."""
    return Path(str(resources.files("waybill.samples").joinpath(name)))
