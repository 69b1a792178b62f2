"""Pack verification at a glance, read from the ``pack_events`` table (``printers.verification_log``) in
plain SQL on a ``SqlReader``, so ``waybill jobs`` prints the line without loading SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass

from waybill.i18n import N_, _
from waybill.store_reader import SqlReader

__all__ = ["COMPONENT", "SCHEMA_VERSION", "Figures", "figures", "reason_name"]

COMPONENT = "pack_verification"
SCHEMA_VERSION = 1  # the steps in printers.verification_log.SCHEMA

# The refusal reasons as the log stores them (``printers.verify.REASONS``), in words for the packer.
_REASONS = {
    "not in this order": N_("not in this order"),
    "more than ordered": N_("more than ordered"),
    "misread": N_("misread"),
    "no order open": N_("no order open"),
    "needs a scan": N_("needs a scan"),
}


def reason_name(reason: str) -> str:
    return _(_REASONS[reason]) if reason in _REASONS else reason


@dataclass(frozen=True)
class Figures:
    """Verification at a glance: orders verified, set aside and forced, refusals by reason."""

    verified: int
    incomplete: int
    forced: int
    refusals: dict[str, int]


def figures(reader: SqlReader, *, job_id: int | None = None) -> Figures:
    """Counts over every station, or one station job. A store without the table has verified nothing."""
    if reader.version(COMPONENT) == 0:
        return Figures(0, 0, 0, {})
    where, params = (" AND job_id = ?", [job_id]) if job_id is not None else ("", [])
    kinds = dict(
        reader.rows(
            f"SELECT kind, count(DISTINCT order_id) FROM pack_events WHERE kind <> 'refused'{where} GROUP BY kind",
            params,
        )
    )
    refusals = reader.rows(
        f"SELECT reason, count(*) FROM pack_events WHERE kind = 'refused'{where} "
        "GROUP BY reason ORDER BY count(*) DESC, reason",
        params,
    )
    return Figures(
        int(kinds.get("verified", 0)),
        int(kinds.get("incomplete", 0)),
        int(kinds.get("forced", 0)),
        {str(reason): int(count) for reason, count in refusals},
    )
