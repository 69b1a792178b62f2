"""``waybill jobs``: the print jobs and their label counts, or one job's labels. SQLAlchemy only: no
image, PDF or printer library is loaded to list the journal."""

from __future__ import annotations

import argparse

from printers.journal import Journal
from printers.verification_log import figures as verification_figures
from waybill.app.handlers.packing import figures_line, print_verification
from waybill.database import open_database
from waybill.i18n import N_, _
from waybill.terminal import aligned
from waybill.times import BEIJING

# Job and label states as the journal stores them, in words for people.
_JOB_STATUS = {"running": N_("running"), "stopped": N_("stopped"), "done": N_("done"), "interrupted": N_("interrupted")}
_LABEL_STATE = {"queued": N_("queued"), "sent": N_("sent"), "printed": N_("printed"), "uncertain": N_("uncertain")}


def job_status(status: str) -> str:
    return _(_JOB_STATUS[status]) if status in _JOB_STATUS else status


def label_state(state: str) -> str:
    return _(_LABEL_STATE[state]) if state in _LABEL_STATE else state


def jobs_command(args: argparse.Namespace) -> int:
    journal = Journal(open_database(args.db, create=False))
    if args.job is not None:
        _job_detail(journal, args.job)
        print_verification(journal.engine, args.job)
        return 0
    summaries = journal.jobs(limit=args.limit)
    if not summaries:
        print(_("no print jobs yet"))
        return 0
    rows = [
        (
            _("job"),
            _("kind"),
            _("status"),
            _("created (Beijing)"),
            _("labels"),
            _("printed"),
            _("sent"),
            _("uncert"),
            _("queued"),
            _("reprint"),
            _("printer"),
        )
    ]
    for s in summaries:
        created = s.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        rows.append(
            (
                str(s.id),
                s.kind,
                job_status(s.status),
                created,
                str(s.total),
                str(s.counts["printed"]),
                str(s.counts["sent"]),
                str(s.counts["uncertain"]),
                str(s.counts["queued"]),
                str(s.reprints),
                f"{s.printer} ({s.profile})",
            )
        )
    for line in aligned(rows, right={0, *range(4, 10)}):
        print(line)
    line = figures_line(verification_figures(journal.engine))
    if line:
        print(line)
    return 0


def _job_detail(journal: Journal, job_id: int) -> None:
    summary = journal.job(job_id)
    counts = _(", ").join(f"{n} {label_state(state)}" for state, n in summary.counts.items() if n)
    print(
        _("job {job} ({kind}, {status}) on {printer} ({profile}): {counts}").format(
            job=job_id,
            kind=summary.kind,
            status=job_status(summary.status),
            printer=summary.printer,
            profile=summary.profile,
            counts=counts,
        )
    )
    rows = [("#", _("waybill"), _("label"), _("state"), _("sent"))]
    rows += [
        (str(row.seq), row.waybill_no, f"{row.page}/{row.pages}", label_state(row.state), str(row.attempts))
        for row in journal.labels_of_job(job_id)
    ]
    for line in aligned(rows, right={0, 4}):
        print(line)
    reprints = [(label, reason) for label, reprint, reason in journal.attempts_of(job_id) if reprint]
    if reprints:
        print(_("reprints (补打), {n}:").format(n=len(reprints)))
        for label, reason in reprints:
            why = {
                "resume": _("its fate was unknown when a run stopped"),
                "manual": _("waybill reprint"),
                "station": _("scanned again at the station"),
            }.get(reason, reason)
            print(
                _("  {waybill} label {page}/{pages}: {why}").format(
                    waybill=label.waybill_no, page=label.page, pages=label.pages, why=why
                )
            )
