"""The printing part of ``waybill demo``: the sample batch through the bundled printer simulator, recorded as
a job in a SQLite store inside the demo folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from printers.batch import OnPrinted
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.printing import check_printed_before, open_session, plan, run_job, start_batch
from printers.profiles import DEFAULT_PROFILE, PrinterProfile, get_profile
from printers.simulator import PrinterSimulator
from waybill.database import open_database
from waybill.fonts.cells import resident_name
from waybill.i18n import _
from waybill.model import Order
from waybill.pipeline import LabelJob

__all__ = [
    "DEMO_SPEED_FACTOR",
    "print_through_simulator",
]

DEMO_SPEED_FACTOR = 10  # the simulated head runs 10x faster than a real one, so the demo takes seconds


def print_through_simulator(
    folder: Path,
    orders: Sequence[Order],
    job: LabelJob,
    template: str,
    shop: Path,
    on_printed: Callable[[Engine, Journal], OnPrinted] | None = None,
    profile: PrinterProfile | None = None,
) -> str:
    """Print ``orders`` on a simulated printer (``profile``, default ``DEFAULT_PROFILE``; ``job`` laid out for
    it); ``on_printed(engine, journal)`` builds the hook told of each printed label."""
    profile = profile or get_profile(DEFAULT_PROFILE)
    db = folder / "waybill.db"
    engine = open_database(str(db))
    journal = Journal(engine)
    # Run again in the same folder, the demo prints its orders again as recorded reprints (补打).
    planned = check_printed_before(journal, plan(orders, job, profile, skip_invalid=False), "reprint")
    resident = resident_name(job.font)
    settings = JobSettings.capture(template, shop, None, job.options, job.now, resident_font=resident)
    speed = profile.head_speed_mm_s * DEMO_SPEED_FACTOR
    with PrinterSimulator(
        profile.language, profile, speed_mm_s=speed, save_dir=folder / "printer", keep_images=False
    ) as sim:
        job_id = start_batch(journal, planned, settings, sim.uri, profile).job_id
        with open_session(sim.uri, profile) as session:
            hook = on_printed(engine, journal) if on_printed else None
            result = run_job(
                journal, job_id, journal.pending(job_id), session, on_fault="stop", progress=None, on_printed=hook
            )
        sim.wait_idle(timeout=60)
    reprints = journal.job(job_id).reprints
    if reprints:
        return _(
            "{n} labels printed on a simulated {profile} printer ({speed} mm/s), {reprints} of them reprints (补打: "
            "this folder's store printed them before), job {job} in {db} (see: waybill jobs --db {db}); what the "
            "printer printed → {folder}"
        ).format(
            n=result.printed,
            profile=profile.name,
            speed=f"{speed:g}",
            reprints=reprints,
            job=job_id,
            db=db,
            folder=folder / "printer",
        )
    return _(
        "{n} labels printed on a simulated {profile} printer ({speed} mm/s), job {job} in {db} "
        "(see: waybill jobs --db {db}); what the printer printed → {folder}"
    ).format(n=result.printed, profile=profile.name, speed=f"{speed:g}", job=job_id, db=db, folder=folder / "printer")
