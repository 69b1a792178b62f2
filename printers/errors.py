"""The printers package's branch of the exception tree (drawn in ``waybill.errors``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from waybill.errors import WaybillError
from waybill.i18n import _

__all__ = [
    "AlreadyPrintedError",
    "JobError",
    "JobLeaseError",
    "PrintedMeanwhileError",
    "PrinterError",
    "PrinterStatusError",
    "ProfileError",
    "TransportError",
    "TransportTimeout",
]


class PrinterError(WaybillError):
    exit_code = 5


class ProfileError(PrinterError):
    pass


class TransportError(PrinterError):
    exit_code = 6


class PrinterStatusError(PrinterError):
    """The printer reports a fault; ``status`` is the parsed status object."""

    exit_code = 7

    def __init__(self, message: str, status: Any) -> None:
        super().__init__(message)
        self.status = status


class JobError(WaybillError):
    exit_code = 8


class JobLeaseError(JobError):
    """Another live process holds the job: it is printing it now."""

    def __init__(self, job_id: int, owner: str | None, expires: datetime | None) -> None:
        if owner and expires:
            message = _(
                "job {job} is being printed by {owner}, its lease runs until {until} UTC; wait for it to finish, "
                "or stop that process and resume then"
            )
        elif owner:
            message = _(
                "job {job} is being printed by {owner}; wait for it to finish, or stop that process and resume then"
            )
        else:
            message = _("job {job} is not claimed by this process: resume it to print its labels")
        until = f"{expires.astimezone(UTC):%H:%M:%S}" if expires else ""
        super().__init__(message.format(job=job_id, owner=owner, until=until))
        self.job_id = job_id
        self.owner = owner


class AlreadyPrintedError(JobError):
    """A batch holds waybills that earlier jobs printed; nothing was sent."""

    def __init__(self, earlier: dict[str, int]) -> None:
        shown = _(", ").join(
            _("{waybill} (job {job})").format(waybill=waybill, job=job) for waybill, job in sorted(earlier.items())[:10]
        )
        if len(earlier) > 10:
            shown = _("{shown} and {n} more").format(shown=shown, n=len(earlier) - 10)
        super().__init__(
            _(
                "{n} waybill(s) were printed before: {shown}; nothing was sent. --skip-printed leaves them out, "
                "--reprint prints them again as recorded reprints (补打)"
            ).format(n=len(earlier), shown=shown)
        )
        self.earlier = dict(earlier)


class TransportTimeout(TransportError):
    """The printer took no data for the write timeout: busy, out of paper, or gone. ``written`` bytes of
    the write were accepted before it stalled, so the caller can carry on from there."""

    def __init__(self, message: str, written: int) -> None:
        super().__init__(message)
        self.written = written


class PrintedMeanwhileError(JobError):
    """A label about to go out a first time was printed by another job since this one was planned (two
    stations scanning one parcel at once): it was not sent."""

    def __init__(self, waybill_no: str, job_id: int) -> None:
        super().__init__(
            _("{waybill} was printed meanwhile by job {job} (another station or batch); not sent again").format(
                waybill=waybill_no, job=job_id
            )
        )
        self.waybill_no = waybill_no
        self.job_id = job_id
