"""The public names of the pool modules: what the print service builds on."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "printers.pools": {"Pool", "PoolJob", "PoolJobStatus", "PrinterView", "RunView"},
    "printers.pool_file": {"PoolFile", "PoolFileError", "PrinterSpec", "load_pool_file", "parse_pool_file"},
    "printers.pool_printer": {"PoolPrinter", "PrinterState", "Probe", "probe"},
    "printers.pool_split": {"fill_levels", "split_runs"},
    "printers.pool_status": {"JobState", "PoolJobStatus", "PrinterView", "RunView", "job_status"},
    "printers.pool_store": {"COMPONENT", "PoolJobRecord", "PoolStore", "RunRecord", "batch_serial"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_explicit_and_complete(module: str) -> None:
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == PUBLIC[module]
    for name in loaded.__all__:
        assert hasattr(loaded, name), name
