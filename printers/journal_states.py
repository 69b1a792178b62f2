"""The journal's vocabulary, loading no SQLAlchemy (``waybill jobs`` reads the journal without it): its
component in ``schema_versions`` and the schema version this code writes, the label states, job statuses."""

from __future__ import annotations

from typing import Literal

__all__ = ["COMPONENT", "PRINTED", "QUEUED", "SCHEMA_VERSION", "SENT", "STATES", "UNCERTAIN", "JobStatus", "LabelState"]

COMPONENT = "print_jobs"
SCHEMA_VERSION = 2  # the steps in printers.journal_tables.SCHEMA
LabelState = Literal["queued", "sent", "printed", "uncertain"]
JobStatus = Literal["running", "stopped", "done", "interrupted"]  # interrupted: running, its owner gone
QUEUED: LabelState = "queued"
SENT: LabelState = "sent"
PRINTED: LabelState = "printed"
UNCERTAIN: LabelState = "uncertain"
STATES: tuple[LabelState, ...] = (QUEUED, SENT, PRINTED, UNCERTAIN)
