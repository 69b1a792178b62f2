"""The confirmation policy with plain values: no printer, no clock, no sleep."""

from __future__ import annotations

from typing import TypedDict, Unpack

import pytest

from printers.confirm_policy import BatchPolicy, Confirmation, ConfirmMode, Next, OnFault

HEAD = 1.2  # seconds a label takes on the head


class Windows(TypedDict, total=False):
    """The policy's label counts a test may set."""

    ack_window: int
    confirm_every: int


def confirmation(mode: ConfirmMode, **policy: Unpack[Windows]) -> Confirmation:
    return Confirmation(BatchPolicy(**policy), mode, HEAD)


def send(c: Confirmation, count: int, now: float = 0.0) -> list[Next]:
    steps = []
    for _ in range(count):
        steps.append(c.label_ready(now))
        c.label_sent()
    return steps


def test_ack_mode_keeps_the_window_full_and_waits_for_one_answer_at_a_time() -> None:
    c = confirmation("ack", ack_window=2)
    assert send(c, 2) == [Next.SEND, Next.SEND]
    assert c.label_ready(0.0) is Next.AWAIT_ACKS and c.ack_target == 1
    assert c.confirmed(1, 0.5) is Next.SEND  # one answered: the window has room again
    c.label_sent()
    assert c.finishing(1.0) is Next.AWAIT_ACKS and c.ack_target == 0
    assert c.confirmed(1, 1.5) is Next.KEEP_WAITING
    assert c.confirmed(1, 2.0) is Next.SEND
    assert c.finishing(2.0) is Next.DONE


def test_idle_mode_waits_every_confirm_every_labels_and_is_done_when_the_printer_is_idle() -> None:
    c = confirmation("idle", confirm_every=3)
    assert send(c, 3) == [Next.SEND] * 3
    assert c.label_ready(10.0) is Next.AWAIT_IDLE
    assert c.idle_status(ready=True, printing=True, now=11.0) is Next.KEEP_WAITING
    assert c.idle_status(ready=True, printing=False, now=12.0) is Next.DONE


def test_sent_mode_never_waits_and_forgets_what_went_out() -> None:
    c = confirmation("sent")
    assert c.label_ready(0.0) is Next.SEND
    c.label_sent()
    assert c.label_ready(0.0) is Next.FORGET_SENT
    assert c.confirmed(1, 0.0) is Next.SEND
    assert c.finishing(0.0) is Next.DONE


@pytest.mark.parametrize(("on_fault", "step"), [("stop", Next.STOP), ("wait", Next.WAIT_OUT_FAULT)])
def test_a_fault_stops_or_is_waited_out_by_the_policy(on_fault: OnFault, step: Next) -> None:
    c = Confirmation(BatchPolicy(on_fault=on_fault), "idle", HEAD)
    assert c.status(ready=True) is Next.SEND
    assert c.status(ready=False) is step
    send(c, 10)
    c.label_ready(0.0)
    assert c.idle_status(ready=False, printing=False, now=1.0) is step  # a fault wins over "not printing"


def test_a_silent_printer_is_gone_after_three_head_times_per_label_plus_15_s() -> None:
    c = confirmation("ack", ack_window=2)
    send(c, 2)
    assert c.label_ready(100.0) is Next.AWAIT_ACKS
    patience = 3 * HEAD * 2 + 15
    assert c.patience() == pytest.approx(patience)
    assert c.tick(100.0 + patience) is Next.KEEP_WAITING  # exactly at the deadline: still waiting
    assert c.tick(100.0 + patience + 0.001) is Next.GONE


def test_progress_and_a_fault_waited_out_each_move_the_deadline_on() -> None:
    c = confirmation("ack", ack_window=3)
    send(c, 3)
    assert c.finishing(0.0) is Next.AWAIT_ACKS
    first = 3 * HEAD * 3 + 15
    assert c.confirmed(1, first - 1) is Next.KEEP_WAITING  # progress just before the deadline
    assert c.tick(first + 1) is Next.KEEP_WAITING
    c.fault_cleared(500.0)  # a paper-out lasting minutes is not silence
    assert c.tick(500.0 + c.patience()) is Next.KEEP_WAITING
    assert c.tick(500.0 + c.patience() + 1) is Next.GONE


def test_outside_a_wait_time_never_runs_out() -> None:
    c = confirmation("idle")
    send(c, 5)
    assert c.tick(1e9) is Next.KEEP_WAITING
