"""``waybill jobs``: the print jobs and their label counts, or one job's labels.

The list reads the store in plain SQL (``waybill.store_reader``): no SQLAlchemy, image, PDF or printer
library is loaded, so it answers about as fast as the interpreter starts. A store that needs SQLAlchemy (a
database other than SQLite and PostgreSQL, or a schema this version upgrades) is opened with it instead;
one job's labels are read through the journal.
"""

from __future__ import annotations

import argparse
from contextlib import closing

from printers import journal_states, verification_figures
from printers.job_list import job_summaries
from waybill.app.handlers.packing import figures_line
from waybill.i18n import N_, _
from waybill.store_reader import SqlReader, open_reader
from waybill.terminal import aligned
from waybill.times import BEIJING

# Job kinds, job and label states as the journal stores them, in words for people.
_JOB_KIND = {"batch": N_("batch"), "station": N_("station"), "pool": N_("pool")}
_JOB_STATUS = {"running": N_("running"), "stopped": N_("stopped"), "done": N_("done"), "interrupted": N_("interrupted")}
_LABEL_STATE = {"queued": N_("queued"), "sent": N_("sent"), "printed": N_("printed"), "uncertain": N_("uncertain")}


def job_kind(kind: str) -> str:
    return _(_JOB_KIND[kind]) if kind in _JOB_KIND else kind


def job_status(status: str) -> str:
    return _(_JOB_STATUS[status]) if status in _JOB_STATUS else status


def label_state(state: str) -> str:
    return _(_LABEL_STATE[state]) if state in _LABEL_STATE else state


def jobs_command(args: argparse.Namespace) -> int:
    if args.job is not None:
        return _job_detail(args.db, args.job)
    reader = _current_reader(args.db)
    if reader is not None:
        with closing(reader):
            return _list_jobs(reader, args.limit)
    from printers import verification_log
    from printers.journal import Journal
    from waybill.database import ensure_schema, open_database, sql_reader

    # Upgrades an older schema, or refuses a newer one, as every command that writes the store does.
    engine = Journal(open_database(args.db, create=False)).engine
    ensure_schema(engine, verification_log.COMPONENT, verification_log.SCHEMA)
    with engine.connect() as connection:
        return _list_jobs(sql_reader(connection), args.limit)


def _current_reader(option: str | None) -> SqlReader | None:
    """A plain-SQL reader on the store when every table it reads is at this version's schema, else None."""
    reader = open_reader(option)
    if reader is None:
        return None
    if reader.version(journal_states.COMPONENT) in (0, journal_states.SCHEMA_VERSION) and reader.version(
        verification_figures.COMPONENT
    ) in (0, verification_figures.SCHEMA_VERSION):
        return reader
    reader.close()
    return None


def _list_jobs(reader: SqlReader, limit: int) -> int:
    summaries = job_summaries(reader, limit=limit) if reader.version(journal_states.COMPONENT) else []
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
                job_kind(s.kind),
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
    line = figures_line(verification_figures.figures(reader))
    if line:
        print(line)
    return 0


def _job_detail(option: str | None, job_id: int) -> int:
    from printers.journal import Journal
    from waybill.app.handlers.packing import print_verification
    from waybill.database import open_database

    journal = Journal(open_database(option, create=False))
    summary = journal.job(job_id)
    counts = _(", ").join(f"{n} {label_state(state)}" for state, n in summary.counts.items() if n)
    print(
        _("job {job} ({kind}, {status}) on {printer} ({profile}): {counts}").format(
            job=job_id,
            kind=job_kind(summary.kind),
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
    print_verification(journal.engine, job_id)
    return 0
