"""``waybill jobs``: the print jobs and their label counts, or one job's labels. SQLAlchemy only: no
image, PDF or printer library is loaded to list the journal."""

from __future__ import annotations

import argparse

from printers.journal import Journal
from printers.verification_log import figures as verification_figures
from waybill.app.handlers.packing import figures_line, print_verification
from waybill.database import open_database
from waybill.times import BEIJING


def jobs_command(args: argparse.Namespace) -> int:
    journal = Journal(open_database(args.db, create=False))
    if args.job is not None:
        _job_detail(journal, args.job)
        print_verification(journal.engine, args.job)
        return 0
    summaries = journal.jobs(limit=args.limit)
    if not summaries:
        print("no print jobs yet")
        return 0
    print(
        f"{'job':>5} {'kind':<8} {'status':<8} {'created (Beijing)':<17} {'labels':>6} {'printed':>7} "
        f"{'sent':>5} {'uncert':>6} {'queued':>6} {'reprint':>7}  printer"
    )
    for s in summaries:
        created = s.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        print(
            f"{s.id:>5} {s.kind:<8} {s.status:<8} {created:<17} {s.total:>6} {s.counts['printed']:>7} "
            f"{s.counts['sent']:>5} {s.counts['uncertain']:>6} {s.counts['queued']:>6} {s.reprints:>7}  "
            f"{s.printer} ({s.profile})"
        )
    line = figures_line(verification_figures(journal.engine))
    if line:
        print(line)
    return 0


def _job_detail(journal: Journal, job_id: int) -> None:
    summary = journal.job(job_id)
    counts = ", ".join(f"{n} {state}" for state, n in summary.counts.items() if n)
    print(f"job {job_id} ({summary.kind}, {summary.status}) on {summary.printer} ({summary.profile}): {counts}")
    print(f"{'#':>5}  {'waybill':<20} {'label':<5} {'state':<9} {'sent':>4}")
    for row in journal.labels_of_job(job_id):
        print(f"{row.seq:>5}  {row.waybill_no:<20} {row.page}/{row.pages:<3} {row.state:<9} {row.attempts:>4}")
    reprints = [(label, reason) for label, reprint, reason in journal.attempts_of(job_id) if reprint]
    if reprints:
        print(f"reprints (补打), {len(reprints)}:")
        for label, reason in reprints:
            why = {
                "resume": "its fate was unknown when a run stopped",
                "manual": "waybill reprint",
                "station": "scanned again at the station",
            }.get(reason, reason)
            print(f"  {label.waybill_no} label {label.page}/{label.pages}: {why}")
