"""``waybill printer-sim``: the simulator on a loopback port or a pseudo-terminal until Ctrl-C or ``--quit-after``."""

from __future__ import annotations

import argparse
import sys
import threading
import time

from printers.languages import driver_for
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator, SimEvent
from waybill.errors import UsageError
from waybill.i18n import _, ngettext


def _run(args: argparse.Namespace) -> int:
    profile = get_profile(args.profile, args.profiles) if args.profile else None
    language = args.lang or (profile.language if profile else "escpos")
    if profile is None:
        profile = get_profile(driver_for(language).default_profile, args.profiles)
    if profile.language != language:
        raise UsageError(
            _("--profile {profile} speaks {language}, not --lang {lang}").format(
                profile=profile.name, language=profile.language, lang=language
            )
        )
    if args.baud and not args.serial:
        raise UsageError(_("--baud throttles a serial line: give --serial too"))
    started = time.monotonic()
    done = threading.Event()

    def show(event: SimEvent) -> None:
        if event.kind == "label" and args.quit_after and int(event.detail.split()[0]) >= args.quit_after:
            done.set()
        if not args.quiet and event.kind != "listening":
            print(f"{event.at - started:9.3f} s  {event.kind:<14} {event.detail}", flush=True)

    try:
        sim = PrinterSimulator(
            language,
            profile,
            host=args.host,
            port=args.port,
            speed_mm_s=args.speed_mm_s,
            buffer_bytes=args.buffer_bytes,
            paper_out_after=args.paper_out_after,
            paper_out_seconds=args.paper_out_seconds,
            drop_after=args.drop_after,
            save_dir=args.save,
            serial=args.serial,
            baud=args.baud,
            keep_images=False,
            on_event=show,
        )
    except ValueError as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(
            _("cannot listen on {host}:{port}: {reason}").format(host=args.host, port=args.port, reason=e.strerror or e)
        ) from e
    buffer = args.buffer_bytes or driver_for(language).sim_buffer_bytes
    print(sim.uri, flush=True)
    print(
        _("# {profile} ({language}) at {speed} mm/s, receive buffer {buffer} bytes; Ctrl-C stops").format(
            profile=profile.name, language=language, speed=f"{sim.speed_mm_s:g}", buffer=buffer
        ),
        file=sys.stderr,
        flush=True,
    )
    with sim:
        try:
            while not done.wait(0.2) and not sim.errors:
                pass
        except KeyboardInterrupt:
            pass
    printed = sim.printed
    print(
        ngettext(
            "{n} label printed, {bytes} bytes received", "{n} labels printed, {bytes} bytes received", len(printed)
        ).format(n=len(printed), bytes=sim.received_bytes),
        flush=True,
    )
    return 0
