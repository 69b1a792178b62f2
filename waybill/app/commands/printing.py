"""``waybill print``, ``waybill jobs`` and ``waybill reprint``."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from printers.batch import RunResult
from printers.confirm_policy import OnFault
from printers.errors import PrinterError
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.packing import Alert, PackingStation
from printers.pool_store import PoolStore
from printers.printing import (
    Started,
    check_printed_before,
    open_session,
    plan,
    reprint_waybill,
    resume_batch,
    run_job,
    start_batch,
)
from printers.profiles import DEFAULT_PROFILE, PrinterProfile, get_profile
from printers.progress import Progress, duration
from printers.session import PrinterSession
from printers.station import Station
from printers.verification_log import figures as verification_figures
from waybill.app.commands.common import (
    add_db_option,
    add_label_options,
    catalog_for,
    label_job,
    read_orders_for,
    resident_name,
)
from waybill.app.commands.packing import figures_line, print_verification
from waybill.app.wiring import stall_registrar
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.i18n import N_, _
from waybill.terminal import aligned
from waybill.times import BEIJING

RED, RESET = "\033[1;31m", "\033[0m"


def add_printer_options(parser: argparse.ArgumentParser, *, printer_required: bool) -> None:
    parser.add_argument(
        "--printer",
        required=printer_required,
        help=_(
            "printer URI: tcp://HOST[:PORT], serial:///dev/ttyUSB0?baudrate=115200, usb://VID:PID, "
            "file:///dev/usb/lp0, cups://QUEUE"
        ),
    )
    parser.add_argument(
        "--profile",
        help=_("printer profile (`waybill printers profiles`; default {profile})").format(profile=DEFAULT_PROFILE),
    )
    parser.add_argument("--profiles", type=Path, help=_("a TOML file of extra or overriding printer profiles"))
    add_db_option(parser)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    printing = subparsers.add_parser(
        "print",
        help=_("print orders (or resume a job) on a thermal printer"),
        description=_(
            "Validate every order, record the batch as a job, and print it. After a fault, a dropped "
            "link or a killed process, `--resume JOB` prints what is left: printed labels are never sent again, "
            "labels whose fate is unknown are printed again and recorded as reprints."
        ),
    )
    printing.add_argument("orders", nargs="?", type=Path, help=_("orders file (.jsonl or .csv)"))
    printing.add_argument("--resume", type=int, metavar="JOB", help=_("continue job JOB instead of starting one"))
    printing.add_argument(
        "--on-fault",
        choices=("wait", "stop"),
        help=_(
            "paper out or cover open: wait for it to clear (default at a terminal) or stop "
            "with the job saved (default otherwise)"
        ),
    )
    repeats = printing.add_mutually_exclusive_group()
    repeats.add_argument(
        "--skip-printed",
        dest="repeats",
        action="store_const",
        const="skip",
        help=_("leave out waybills an earlier job printed (default: stop and list them, send nothing)"),
    )
    repeats.add_argument(
        "--reprint",
        dest="repeats",
        action="store_const",
        const="reprint",
        help=_("print waybills an earlier job printed again, recorded as reprints (补打, reason manual)"),
    )
    add_printer_options(printing, printer_required=False)
    add_label_options(printing, template_default="100x180")
    printing.set_defaults(handler=print_command, dpi=None, repeats="refuse")

    jobs = subparsers.add_parser("jobs", help=_("list print jobs and their label counts, or one job's labels"))
    jobs.add_argument("job", nargs="?", type=int, help=_("show this job's labels and reprints"))
    jobs.add_argument("--db", help=_("the store (see `waybill print --help`)"))
    jobs.add_argument("--limit", type=int, default=20)
    jobs.set_defaults(handler=jobs_command)

    reprint = subparsers.add_parser("reprint", help=_("print one waybill's label(s) again, recorded as a reprint"))
    reprint.add_argument("waybill_no")
    add_printer_options(reprint, printer_required=False)
    reprint.set_defaults(handler=reprint_command)

    station = subparsers.add_parser(
        "station",
        help=_("print station: scan an order id or waybill number, its label prints at once"),
        description=_(
            "Reads codes from standard input (a barcode scanner types like a keyboard) and prints each "
            "order's label(s) at once. Orders come from --orders, else from earlier print jobs in the store. "
            "A code printed before asks first (answer y) and the reprint is recorded. Ends at end of input."
        ),
    )
    station.add_argument("--orders", type=Path, help=_("orders file (.jsonl or .csv) to look codes up in"))
    station.add_argument("--on-fault", choices=("wait", "stop"), default="wait")
    station.add_argument(
        "--verify",
        action="store_true",
        help=_("pack verification (扫描验货): scan the order, then every unit; the label prints after the last one"),
    )
    station.add_argument(
        "--force-code", metavar="CODE", help=_("with --verify: scanned, prints the open order short of what is missing")
    )
    station.add_argument(
        "--station-name", default=socket.gethostname(), help=_("recorded with each verification (default: hostname)")
    )
    add_printer_options(station, printer_required=True)
    add_label_options(station, template_default="100x180")
    station.set_defaults(handler=station_command, dpi=None)


# Job and label states as the journal stores them, in words for people.
_JOB_STATUS = {"running": N_("running"), "stopped": N_("stopped"), "done": N_("done"), "interrupted": N_("interrupted")}
_LABEL_STATE = {"queued": N_("queued"), "sent": N_("sent"), "printed": N_("printed"), "uncertain": N_("uncertain")}


def job_status(status: str) -> str:
    return _(_JOB_STATUS[status]) if status in _JOB_STATUS else status


def label_state(state: str) -> str:
    return _(_LABEL_STATE[state]) if state in _LABEL_STATE else state


@contextmanager
def resume_hint(journal: Journal, job_id: int) -> Iterator[None]:
    """When a run stops on a printer error, tell the packer what was saved and how to go on."""
    try:
        yield
    except (PrinterError, KeyboardInterrupt):
        counts = journal.job(job_id).counts
        print(
            _(
                "job {job} stopped and saved: {printed} printed, {uncertain} uncertain (they print again, recorded "
                "as reprints), {queued} queued. Fix the printer, then run: waybill print --resume {job}"
            ).format(job=job_id, printed=counts["printed"], uncertain=counts["uncertain"], queued=counts["queued"]),
            file=sys.stderr,
        )
        raise


def on_fault_policy(args: argparse.Namespace) -> OnFault:
    if args.on_fault:
        return args.on_fault  # type: ignore[no-any-return]
    return "wait" if sys.stdin.isatty() and sys.stderr.isatty() else "stop"


def _profile(args: argparse.Namespace, default: str) -> PrinterProfile:
    return get_profile(args.profile or default, args.profiles)


def print_command(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    journal = Journal(engine)
    if args.resume is not None:
        if args.orders:
            raise UsageError(_("give either ORDERS or --resume JOB, not both"))
        profile = _profile(args, journal.job(args.resume).profile)
        started = resume_batch(journal, args.resume, printer=args.printer, profile=profile)
        for waybill_no in started.cancelled:
            print(
                _("not printed: waybill {waybill} was cancelled (`waybill numbers cancel`)").format(waybill=waybill_no),
                file=sys.stderr,
            )
        print(
            _("resuming job {job}: {n} label(s) to print on {printer}").format(
                job=args.resume, n=len(started.rows), printer=started.printer
            ),
            file=sys.stderr,
        )
        with resume_hint(journal, args.resume), open_session(started.printer, profile) as session:
            return _run(engine, journal, started, session, args)
    if args.orders is None:
        raise UsageError(_("give an orders file, or --resume JOB"))
    if not args.printer:
        raise UsageError(_("--printer URI is required (e.g. tcp://192.168.1.50:9100; try `waybill printer-sim`)"))
    profile = _profile(args, DEFAULT_PROFILE)
    args.dpi = args.dpi or profile.dpi
    job = label_job(args, profile=profile)
    loaded = read_orders_for(args, job, args.orders)
    planned = check_printed_before(
        journal, plan(loaded.orders, job, profile, skip_invalid=args.skip_invalid), args.repeats
    )
    for _order, error in planned.skipped:
        print(_("skipped: {problem}").format(problem=error), file=sys.stderr)
    if planned.printed_before:
        done = (
            _("{n} waybill(s) printed before, left out")
            if args.repeats == "skip"
            else _("{n} waybill(s) printed before, printing again as reprints (补打)")
        )
        print(done.format(n=len(planned.printed_before)), file=sys.stderr)
    if not planned.labels and planned.printed_before:
        print(_("nothing to print: every waybill was printed before"))
        return 0
    if not planned.labels:
        raise UsageError(_("no orders to print"))
    settings = JobSettings.capture(
        args.template, args.shop, args.font, job.options, job.now, resident_font=resident_name(job.font)
    )
    # An unreachable printer, or something that is not one, is an error before any job exists.
    with open_session(args.printer, profile) as session:
        started = start_batch(journal, planned, settings, args.printer, profile)
        print(
            _("job {job}: {labels} label(s) for {orders} order(s) → {printer} ({profile})").format(
                job=started.job_id,
                labels=len(planned.labels),
                orders=len(planned.orders),
                printer=args.printer,
                profile=profile.name,
            ),
            file=sys.stderr,
        )
        with resume_hint(journal, started.job_id):
            return _run(engine, journal, started, session, args)


def _run(engine: Engine, journal: Journal, started: Started, session: PrinterSession, args: argparse.Namespace) -> int:
    progress = Progress(len(started.rows))
    result = run_job(
        journal,
        started.job_id,
        started.rows,
        session,
        on_fault=on_fault_policy(args),
        progress=progress,
        on_printed=stall_registrar(engine, journal),
        label_job=PoolStore(engine).label_job(journal, started.job_id),  # a pool run keeps its batch serials
    )
    return _summary(journal, result, progress)


def _summary(journal: Journal, result: RunResult, progress: Progress) -> int:
    progress.close()
    summary = journal.job(result.job_id)
    counts = summary.counts
    rate = result.sent / result.seconds * 3600 if result.seconds > 0 else 0.0
    this_run = {
        "ack": _("this run: {n} label(s) acknowledged by the printer in {time} ({rate} labels/h)"),
        "idle": _("this run: {n} label(s) confirmed by printer status in {time} ({rate} labels/h)"),
        "sent": _("this run: {n} label(s) sent (this link cannot confirm printing) in {time} ({rate} labels/h)"),
    }[result.confirmation]
    print(
        _(
            "job {job} {status}: {printed} printed, {sent} sent, {uncertain} uncertain, {queued} queued; "
            "{reprints} reprint(s) on record"
        ).format(
            job=result.job_id,
            status=job_status(summary.status),
            printed=counts["printed"],
            sent=counts["sent"],
            uncertain=counts["uncertain"],
            queued=counts["queued"],
            reprints=summary.reprints,
        )
    )
    print(this_run.format(n=result.sent, time=duration(result.seconds), rate=f"{rate:,.0f}"))
    return 0


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


def station_command(args: argparse.Namespace) -> int:
    if args.force_code and not args.verify:
        raise UsageError(_("--force-code is for --verify stations"))
    engine = open_database(args.db)
    journal = Journal(engine)
    profile = _profile(args, DEFAULT_PROFILE)
    args.dpi = args.dpi or profile.dpi
    job = label_job(args, profile=profile)
    catalog = catalog_for(args)
    orders = read_orders_for(args, job, args.orders, catalog).orders if args.orders else ()
    by_id = {o.order_id: o for o in orders}
    if args.force_code and (args.force_code in by_id or args.force_code.upper() in {o.waybill_no for o in orders}):
        raise UsageError(
            _("--force-code {code!r} is an order's code; choose one no order uses").format(code=args.force_code)
        )
    settings = JobSettings.capture(
        args.template, args.shop, args.font, job.options, job.now, resident_font=resident_name(job.font)
    )
    session = open_session(args.printer, profile)
    interactive = sys.stdin.isatty()
    colour = sys.stdout.isatty()
    with session:
        station: Station
        if args.verify:
            station = PackingStation(
                journal,
                session,
                job,
                settings,
                by_id,
                station_name=args.station_name,
                catalog=catalog,
                force_code=args.force_code,
                on_fault=args.on_fault,
                on_printed=stall_registrar(engine, journal),
            )
        else:
            station = Station(
                journal,
                session,
                job,
                settings,
                by_id,
                on_fault=args.on_fault,
                on_printed=stall_registrar(engine, journal),
            )
        station.warm_up()
        what = _("scan an order, then each unit") if args.verify else _("scan a code")
        ready = (
            _("station {name} ready on {printer} ({profile}); {n} order(s) loaded; {what}")
            if orders
            else _(
                "station {name} ready on {printer} ({profile}); 0 order(s) loaded, looking codes up in earlier "
                "print jobs; {what}"
            )
        )
        print(
            ready.format(name=args.station_name, printer=args.printer, profile=profile.name, n=len(orders), what=what),
            file=sys.stderr,
        )
        prompt = _("scan: ")
        if interactive:
            print(prompt, end="", file=sys.stderr, flush=True)

        def say(line: str) -> None:
            if isinstance(line, Alert):  # a refusal: the bell, and red where stdout is a terminal
                line = f"\a{RED}{line}{RESET}" if colour else f"\a{line}"
            print(line, flush=True)
            if interactive:
                print(prompt, end="", file=sys.stderr, flush=True)

        def ask(question: str) -> None:
            print(question, end="", file=sys.stderr, flush=True)

        try:
            station.serve(sys.stdin, say, ask)
        finally:
            station.close()
    stats = station.stats
    print(
        _("station {job}: {printed} printed, {reprinted} reprinted, {unknown} unknown code(s)").format(
            job=station.job_id, printed=stats.printed, reprinted=stats.reprinted, unknown=stats.unknown
        )
    )
    if isinstance(station, PackingStation):
        pack = station.pack
        print(
            _(
                "verification: {verified} verified, {forced} forced, {set_aside} set aside incomplete, "
                "{refused} refused scan(s)"
            ).format(verified=pack.verified, forced=pack.forced, set_aside=pack.set_aside, refused=pack.refused)
        )
    return 0


def reprint_command(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    journal = Journal(engine)
    summary, rows = reprint_waybill(journal, args.waybill_no)
    printer = args.printer or summary.printer
    profile = _profile(args, summary.profile)
    with open_session(printer, profile) as session:
        result = run_job(
            journal,
            summary.id,
            rows,
            session,
            on_fault="stop",
            progress=None,
            reason="manual",
            on_printed=stall_registrar(engine, journal),
            label_job=PoolStore(engine).label_job(journal, summary.id),
        )
    print(
        _("reprinted {n} label(s) of waybill {waybill} (job {job}) on {printer}; recorded as reprint (补打)").format(
            n=result.sent, waybill=rows[0].waybill_no, job=summary.id, printer=printer
        )
    )
    return 0
