"""The confirmation policy of a print run, as a state machine without I/O (in the manner of h11).

The runner tells it what happened — a label is ready to go, a label went out, labels were confirmed, the
printer reported a status — always with the time, and it answers with what to do next. It never reads a clock,
sleeps or touches a printer, so each decision is tested with plain values.

Three ways a label gets confirmed, by what the printer can do:
- ``ack``: each label carries a token the printer answers once it has printed it; at most ``ack_window``
  labels are unanswered at once, which keeps the head busy.
- ``idle``: a status that reports "printing" while anything sent is unprinted (TSPL); every ``confirm_every``
  labels the run waits until the printer reports idle with no fault, and then all of them are printed.
- ``sent``: nothing can confirm (a file, a CUPS queue, ESC/POS without acknowledgements): labels stay sent.

A printer that confirms nothing for far longer than its head needs, and reports no fault, counts as gone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

__all__ = ["BatchPolicy", "ConfirmMode", "Confirmation", "Next", "OnFault"]

ConfirmMode = Literal["ack", "idle", "sent"]
OnFault = Literal["wait", "stop"]


@dataclass(frozen=True)
class BatchPolicy:
    """How a run confirms labels and what it does on a fault."""

    ack_window: int = 2  # ``ack``: labels unanswered at once
    confirm_every: int = 10  # ``idle``: labels between two waits for the printer to go idle
    on_fault: OnFault = "stop"  # paper out, cover open …: stop with the job saved, or wait for it to clear


class Next(enum.Enum):
    """What the runner does next."""

    SEND = "send"  # the label may go out now
    AWAIT_ACKS = "await-acks"  # first wait until ``Confirmation.ack_target`` labels are unanswered
    AWAIT_IDLE = "await-idle"  # first wait until the printer reports idle: then every label sent is printed
    FORGET_SENT = "forget-sent"  # nothing can confirm them: labels sent stay ``sent``
    DONE = "done"  # every label is confirmed as far as this printer can
    WAIT_OUT_FAULT = "wait-out-fault"  # a fault: wait for it to clear, then carry on
    STOP = "stop"  # a fault under ``on_fault="stop"``: stop with the job saved
    GONE = "gone"  # no confirmation for far longer than the head needs, and no fault: the printer is gone
    KEEP_WAITING = "keep-waiting"  # nothing decided yet: read again


class Confirmation:
    """The state of one run's confirmations: how many labels are unconfirmed, and until when to wait."""

    def __init__(self, policy: BatchPolicy, mode: ConfirmMode, head_seconds: float) -> None:
        self.policy = policy
        self.mode: ConfirmMode = mode
        self.head_seconds = head_seconds
        self.unconfirmed = 0
        self.ack_target = 0  # while awaiting acks: how many may stay unanswered
        self._deadline: float | None = None

    # ── events ──────────────────────────────────────────────────────────────────────────────────

    def label_ready(self, now: float) -> Next:
        """A label is ready to go: send it, or first confirm what is out."""
        if self.mode == "ack" and self.unconfirmed >= self.policy.ack_window:
            return self._await_acks(self.policy.ack_window - 1, now)
        if self.mode == "idle" and self.unconfirmed >= self.policy.confirm_every:
            return self._await_idle(now)
        if self.mode == "sent" and self.unconfirmed:
            return Next.FORGET_SENT
        return Next.SEND

    def label_sent(self) -> None:
        self.unconfirmed += 1

    def confirmed(self, count: int, now: float) -> Next:
        """``count`` labels were confirmed (or forgotten, in ``sent`` mode): in a wait for acknowledgements,
        is it over? Progress also shows the printer is alive, so the wait's deadline moves on."""
        self.unconfirmed = max(0, self.unconfirmed - count)
        if self._deadline is None:
            return Next.SEND
        if self.mode == "ack" and self.unconfirmed <= self.ack_target:
            self._deadline = None
            return Next.SEND
        if count:
            self._deadline = now + self.patience()
        return Next.KEEP_WAITING

    def finishing(self, now: float) -> Next:
        """Every label has gone out: what is left to confirm before the run ends."""
        if not self.unconfirmed:
            return Next.DONE
        if self.mode == "ack":
            return self._await_acks(0, now)
        if self.mode == "idle":
            return self._await_idle(now)
        return Next.FORGET_SENT

    def status(self, ready: bool) -> Next:
        """A status read outside a wait: a fault stops the run or is waited out, by the policy."""
        if ready:
            return Next.SEND
        return Next.STOP if self.policy.on_fault == "stop" else Next.WAIT_OUT_FAULT

    def fault_cleared(self, now: float) -> None:
        """A fault was waited out: the time it took says nothing about the printer being gone."""
        if self._deadline is not None:
            self._deadline = now + self.patience()

    def idle_status(self, *, ready: bool, printing: bool, now: float) -> Next:
        """While awaiting idle: a fault is handled first; idle with no fault confirms every label sent."""
        if not ready:
            return self.status(ready)
        if not printing:
            self._deadline = None
            return Next.DONE
        return self.tick(now)

    def tick(self, now: float) -> Next:
        """Time passed in a wait with no progress: still waiting, or the printer is gone."""
        if self._deadline is not None and now > self._deadline:
            self._deadline = None
            return Next.GONE
        return Next.KEEP_WAITING

    # ── the rules ───────────────────────────────────────────────────────────────────────────────

    def patience(self) -> float:
        """How long confirmations may take before the printer counts as gone: three times what the head
        needs for what is out, plus 15 s."""
        return 3 * self.head_seconds * max(1, self.unconfirmed) + 15

    def _await_acks(self, target: int, now: float) -> Next:
        self.ack_target = target
        self._deadline = now + self.patience()
        return Next.AWAIT_ACKS

    def _await_idle(self, now: float) -> Next:
        self._deadline = now + self.patience()
        return Next.AWAIT_IDLE
