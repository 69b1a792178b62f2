"""The tracking tables' component name and schema version, without SQLAlchemy: a plain-SQL reader checks the
version before it reads (``stall_monitor.scan.scan_store``); ``stall_monitor.store`` holds the steps."""

from __future__ import annotations

__all__ = ["COMPONENT", "SCHEMA_VERSION"]

COMPONENT = "tracking"
SCHEMA_VERSION = 4  # the steps in stall_monitor.store.SCHEMA_STEPS
