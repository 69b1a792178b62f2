"""The journal's job list: each job with its label counts by state, its reprints, and whether the process
printing it still lives. Plain SQL on a ``SqlReader``, so ``waybill jobs`` lists the journal without loading
SQLAlchemy; ``Journal.jobs`` runs the same queries on its own connection."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from printers.journal_states import STATES, JobStatus
from waybill.errors import DatabaseError
from waybill.store_reader import SqlReader
from waybill.stored_times import utc_of_stored

__all__ = ["JobSummary", "job_summaries", "lease_live"]


@dataclass(frozen=True)
class JobSummary:
    id: int
    kind: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    printer: str
    profile: str
    counts: dict[str, int]
    reprints: int
    owner: str | None = None  # the live process printing it, if any

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def job_summaries(reader: SqlReader, *, job_id: int | None = None, limit: int = 50) -> list[JobSummary]:
    """The newest ``limit`` jobs, newest first, or the one job ``job_id`` (an empty list if it is not there)."""
    where, params = ("WHERE id = ?", [job_id]) if job_id is not None else ("", [])
    job_rows = reader.rows(
        "SELECT id, kind, status, created_at, updated_at, printer, profile, owner, lease_expires_at "
        f"FROM print_jobs {where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    ids = [row[0] for row in job_rows]
    by_job: dict[int, dict[str, int]] = {i: dict.fromkeys(STATES, 0) for i in ids}
    reprints: dict[int, int] = {}
    if ids:
        among = ", ".join("?" * len(ids))
        counts = reader.rows(
            f"SELECT job_id, state, count(*) FROM print_labels WHERE job_id IN ({among}) GROUP BY job_id, state",
            ids,
        )
        for job, state, count in counts:
            by_job[job][state] = count
        reprints = dict(
            reader.rows(
                "SELECT l.job_id, count(*) FROM print_attempts a JOIN print_labels l ON l.id = a.label_id "
                f"WHERE l.job_id IN ({among}) AND a.reprint GROUP BY l.job_id",
                ids,
            )
        )
    now = datetime.now(UTC)
    summaries = []
    for id_, kind, status, created, updated, printer, profile, owner, expires in job_rows:
        live = lease_live(owner, utc_of_stored(expires), now)
        summaries.append(
            JobSummary(
                id_,
                kind,
                "interrupted" if status == "running" and not live else status,
                _required_time(created, id_),
                _required_time(updated, id_),
                printer,
                profile,
                by_job[id_],
                reprints.get(id_, 0),
                owner if live else None,
            )
        )
    return summaries


def _required_time(value: object, job_id: int) -> datetime:
    moment = utc_of_stored(value)
    if moment is None:
        raise DatabaseError(f"print job {job_id} has no time where the store requires one; it may be damaged")
    return moment


def lease_live(owner: str | None, expires: datetime | None, now: datetime) -> bool:
    """A job's lease holds: it has an owner, the lease has not expired, and the owner is not known dead."""
    return owner is not None and expires is not None and expires > now and not _owner_is_dead(owner)


def _owner_is_dead(owner: str) -> bool:
    """True when ``owner`` was a process on this host that no longer runs (killed, crashed)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's process: only its lease's expiry tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
