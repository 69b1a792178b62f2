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
from waybill.app.commands.common import add_db_option, add_label_options, catalog_for, label_job, read_orders_for
from waybill.app.commands.packing import figures_line, print_verification
from waybill.app.wiring import stall_registrar
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.i18n import _
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
        help="pack verification (扫描验货): scan the order, then every unit; the label prints after the last one",
    )
    station.add_argument(
        "--force-code", metavar="CODE", help="with --verify: scanned, prints the open order short of what is missing"
    )
    station.add_argument(
        "--station-name", default=socket.gethostname(), help="recorded with each verification (default: hostname)"
    )
    add_printer_options(station, printer_required=True)
    add_label_options(station, template_default="100x180")
    station.set_defaults(handler=station_command, dpi=None)


@contextmanager
def resume_hint(journal: Journal, job_id: int) -> Iterator[None]:
    """When a run stops on a printer error, tell the packer what was saved and how to go on."""
    try:
        yield
    except (PrinterError, KeyboardInterrupt):
        counts = journal.job(job_id).counts
        print(
            f"job {job_id} stopped and saved: {counts['printed']} printed, {counts['uncertain']} uncertain "
            f"(they print again, recorded as reprints), {counts['queued']} queued. "
            f"Fix the printer, then run: waybill print --resume {job_id}",
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
            raise UsageError("give either ORDERS or --resume JOB, not both")
        profile = _profile(args, journal.job(args.resume).profile)
        started = resume_batch(journal, args.resume, printer=args.printer, profile=profile)
        for waybill_no in started.cancelled:
            print(f"not printed: waybill {waybill_no} was cancelled (`waybill numbers cancel`)", file=sys.stderr)
        print(
            f"resuming job {args.resume}: {len(started.rows)} label(s) to print on {started.printer}", file=sys.stderr
        )
        with resume_hint(journal, args.resume), open_session(started.printer, profile) as session:
            return _run(engine, journal, started, session, args)
    if args.orders is None:
        raise UsageError("give an orders file, or --resume JOB")
    if not args.printer:
        raise UsageError("--printer URI is required (e.g. tcp://192.168.1.50:9100; try `waybill printer-sim`)")
    profile = _profile(args, DEFAULT_PROFILE)
    args.dpi = args.dpi or profile.dpi
    job = label_job(args)
    loaded = read_orders_for(args, job, args.orders)
    planned = check_printed_before(
        journal, plan(loaded.orders, job, profile, skip_invalid=args.skip_invalid), args.repeats
    )
    for _order, error in planned.skipped:
        print(f"skipped: {error}", file=sys.stderr)
    if planned.printed_before:
        done = "left out" if args.repeats == "skip" else "printing again as reprints (补打)"
        print(f"{len(planned.printed_before)} waybill(s) printed before, {done}", file=sys.stderr)
    if not planned.labels and planned.printed_before:
        print("nothing to print: every waybill was printed before")
        return 0
    if not planned.labels:
        raise UsageError("no orders to print")
    settings = JobSettings.capture(args.template, args.shop, args.font, job.options, job.now)
    # An unreachable printer, or something that is not one, is an error before any job exists.
    with open_session(args.printer, profile) as session:
        started = start_batch(journal, planned, settings, args.printer, profile)
        print(
            f"job {started.job_id}: {len(planned.labels)} label(s) for {len(planned.orders)} order(s) → "
            f"{args.printer} ({profile.name})",
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
    )
    return _summary(journal, result, progress)


def _summary(journal: Journal, result: RunResult, progress: Progress) -> int:
    progress.close()
    summary = journal.job(result.job_id)
    counts = summary.counts
    rate = result.sent / result.seconds * 3600 if result.seconds > 0 else 0.0
    confirmed = {
        "ack": "acknowledged by the printer",
        "idle": "confirmed by printer status",
        "sent": "sent (this link cannot confirm printing)",
    }[result.confirmation]
    print(
        f"job {result.job_id} {summary.status}: {counts['printed']} printed, {counts['sent']} sent, "
        f"{counts['uncertain']} uncertain, {counts['queued']} queued; {summary.reprints} reprint(s) on record"
    )
    print(f"this run: {result.sent} label(s) {confirmed} in {duration(result.seconds)} ({rate:,.0f} labels/h)")
    return 0


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


def station_command(args: argparse.Namespace) -> int:
    if args.force_code and not args.verify:
        raise UsageError("--force-code is for --verify stations")
    engine = open_database(args.db)
    journal = Journal(engine)
    profile = _profile(args, DEFAULT_PROFILE)
    args.dpi = args.dpi or profile.dpi
    job = label_job(args)
    catalog = catalog_for(args)
    orders = read_orders_for(args, job, args.orders, catalog).orders if args.orders else ()
    by_id = {o.order_id: o for o in orders}
    if args.force_code and (args.force_code in by_id or args.force_code.upper() in {o.waybill_no for o in orders}):
        raise UsageError(f"--force-code {args.force_code!r} is an order's code; choose one no order uses")
    settings = JobSettings.capture(args.template, args.shop, args.font, job.options, job.now)
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
        what = "scan an order, then each unit" if args.verify else "scan a code"
        print(
            f"station {args.station_name} ready on {args.printer} ({profile.name}); {len(orders)} order(s) loaded"
            f"{'' if orders else ', looking codes up in earlier print jobs'}; {what}",
            file=sys.stderr,
        )
        if interactive:
            print("scan: ", end="", file=sys.stderr, flush=True)

        def say(line: str) -> None:
            if isinstance(line, Alert):  # a refusal: the bell, and red where stdout is a terminal
                line = f"\a{RED}{line}{RESET}" if colour else f"\a{line}"
            print(line, flush=True)
            if interactive:
                print("scan: ", end="", file=sys.stderr, flush=True)

        def ask(question: str) -> None:
            print(question, end="", file=sys.stderr, flush=True)

        try:
            station.serve(sys.stdin, say, ask)
        finally:
            station.close()
    stats = station.stats
    print(
        f"station {station.job_id}: {stats.printed} printed, {stats.reprinted} reprinted, "
        f"{stats.unknown} unknown code(s)"
    )
    if isinstance(station, PackingStation):
        pack = station.pack
        print(
            f"verification: {pack.verified} verified, {pack.forced} forced, {pack.set_aside} set aside incomplete, "
            f"{pack.refused} refused scan(s)"
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
        )
    print(
        f"reprinted {result.sent} label(s) of waybill {rows[0].waybill_no} (job {summary.id}) on {printer}; "
        f"recorded as reprint (补打)"
    )
    return 0
