"""``waybill print``, ``waybill reprint`` and ``waybill station``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
from waybill.app.commands.common import catalog_for, label_job, numbering_for, read_orders_for
from waybill.app.handlers.jobs import job_status
from waybill.app.wiring import stall_registrar
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.fonts.cells import resident_name
from waybill.i18n import _

RED, RESET = "\033[1;31m", "\033[0m"


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


def station_command(args: argparse.Namespace) -> int:
    if args.force_code and not args.verify:
        raise UsageError(_("--force-code is for --verify stations"))
    engine = open_database(args.db)
    journal = Journal(engine)
    profile = _profile(args, DEFAULT_PROFILE)
    args.dpi = args.dpi or profile.dpi
    job = label_job(args, profile=profile)
    catalog = catalog_for(args)
    # Orders without a number take theirs when scanned: a parcel never packed uses none.
    orders = read_orders_for(args, job, args.orders, catalog, number=False).orders if args.orders else ()
    numbering = numbering_for(engine, job.options.shop)
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
                numbering=numbering,
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
                numbering=numbering,
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
    engine = open_database(args.db, create=False)  # nothing to reprint in a store that is not there
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
