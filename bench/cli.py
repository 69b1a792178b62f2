"""Whole-process figures of the ``waybill`` command as a user runs it: start-up and ``waybill render``.

Each row runs the installed ``waybill`` command in a fresh process: best and median wall clock of N runs,
the least CPU time (user + system) and the peak resident memory of that process (``os.wait4``'s rusage, i.e.
``ru_maxrss`` of the child). The rows:

- ``python -c "import argparse, json, sqlite3"``: the bare interpreter the start-up target is measured against;
- ``waybill --help``, ``waybill stall scan --help``, ``waybill jobs`` (the store ``waybill demo`` leaves);
- ``waybill render`` of N orders (the bundled samples under new ids, numbers and recipients) to one PDF and to
  PNG files, with the sample shop minus its number sources; the font cache is warm (``--cold``: empty);
- the PDF again with the bundled shop, whose YTO numbers come from the store (SQLAlchemy is loaded).

    python bench/cli.py [--orders 300] [--runs 5] [--template 100x180]

Everything runs with XDG_DATA_HOME, XDG_CACHE_HOME and WAYBILL_DB in a temporary folder, so the user's store
and font cache are untouched; ``--cold`` also times a run whose font cache is empty.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from machine import as_a_user_runs_it, describe

import waybill

WAYBILL = str(Path(sys.executable).with_name("waybill"))
# The sample files by path: importing waybill.samples would load SQLAlchemy into this process, and a child
# forked from it counts that memory in its peak RSS until it execs.
SAMPLES = Path(waybill.__file__).parent / "samples"


def run_once(command: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of ``command``."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    errors = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{errors}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best_of(runs: int, command: Sequence[str], env: dict[str, str], before: list[str] | None = None) -> None:
    """Print the best and median wall time of ``runs`` runs, the least CPU time and the highest peak RSS.

    CPU time shows the work when other processes share the cores (the wall time then includes waiting).
    ``before`` is removed before each run.
    """
    times, cpus, peaks = [], [], []
    for _ in range(runs):
        for path in before or ():
            shutil.rmtree(path, ignore_errors=True)
        elapsed, cpu, peak = run_once(command, env)
        times.append(elapsed)
        cpus.append(cpu)
        peaks.append(peak)
    shown = " ".join(Path(part).name if part in (WAYBILL, sys.executable) or "/" in part else part for part in command)
    median = sorted(times)[len(times) // 2]
    print(f"{min(times):7.3f} s  (median {median:.3f}, cpu {min(cpus):.3f})  peak {max(peaks):6.1f} MiB  {shown}")


def shop_without_numbers(path: Path) -> Path:
    """The sample shop minus its ``[carriers.X.numbers]`` tables: every order brings its number, the store
    is never asked (a shop that takes numbers adds the store's start-up: the last row)."""
    kept, skipping = [], False
    for line in (SAMPLES / "shop.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            skipping = line.rstrip().endswith(".numbers]")
        if not skipping:
            kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超")


def write_orders(path: Path, count: int) -> Path:
    """``count`` orders: the bundled samples cycled under new order ids and waybill numbers, each to its own
    recipient (name, phone and address differ, as in a real batch; the goods and the sender repeat)."""
    samples = [json.loads(line) for line in (SAMPLES / "orders.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            sample = samples[n % len(samples)]
            recipient = dict(
                sample["recipient"],
                name=SURNAMES[n % len(SURNAMES)] + GIVEN[n // len(SURNAMES) % len(GIVEN)],
                phone=f"13{n * 7919 % 1_000_000_000:09d}",
                address=f"{sample['recipient']['address']}{n % 40 + 1}栋{n % 7 + 1}0{n % 9 + 1}",
            )
            order = dict(sample, order_id=f"BENCH{n:06d}", waybill_no=f"BN{n:012d}", recipient=recipient)
            out.write(json.dumps(order, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--template", default="100x180")
    parser.add_argument("--cold", action="store_true", help="also time a render with an empty font cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waybill-bench-") as folder:
        tmp = Path(folder)
        env = dict(
            os.environ, XDG_DATA_HOME=str(tmp / "data"), XDG_CACHE_HOME=str(tmp / "cache"), WAYBILL_DB=str(tmp / "db")
        )
        as_a_user_runs_it()
        print(describe())
        print(f"best of {args.runs} runs, whole process")
        best_of(args.runs, [sys.executable, "-c", "import argparse, json, sqlite3"], env)
        # `waybill jobs` lists the store `waybill demo` leaves: one job of 27 labels, printed on the simulator.
        subprocess.run([WAYBILL, "demo", "-o", str(tmp / "demo")], env=env, check=True, stdout=subprocess.DEVNULL)
        env["WAYBILL_DB"] = str(tmp / "demo" / "waybill.db")
        for command in (["--help"], ["stall", "scan", "--help"], ["jobs"]):
            best_of(args.runs, [WAYBILL, *command], env)
        orders = write_orders(tmp / "orders.jsonl", args.orders)
        shop = str(shop_without_numbers(tmp / "shop.toml"))
        render = [WAYBILL, "render", str(orders), "-t", args.template, "--shop", shop]
        if args.cold:
            print("cold font cache (removed before each run):")
            best_of(args.runs, [*render, "-f", "pdf", "-o", str(tmp / "labels.pdf")], env, [str(tmp / "cache")])
        print(f"{args.orders} orders, template {args.template}, warm font cache:")
        best_of(args.runs, [*render, "-f", "pdf", "-o", str(tmp / "labels.pdf")], env)
        best_of(args.runs, [*render, "-f", "png", "-o", str(tmp / "png")], env, [str(tmp / "png")])
        print("the same PDF with the bundled shop.toml, which takes YTO numbers from the store:")
        numbered = [*render[:-1], str(SAMPLES / "shop.toml"), "-f", "pdf", "-o", str(tmp / "labels.pdf")]
        best_of(args.runs, numbered, env)


if __name__ == "__main__":
    main()
