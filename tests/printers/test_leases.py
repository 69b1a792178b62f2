"""A job has one owner: a second process cannot print it while the first does, a dead owner's job shows as
interrupted and can be resumed, and only the owner may mark a label sent."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest

from printers.errors import JobError, JobLeaseError
from printers.journal import Journal
from printers.profiles import get_profile
from tests.printers.jobs import create_job
from waybill.database import open_database


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_running_job_cannot_be_claimed_by_another_process(db_url: str) -> None:
    engine = open_database(db_url)
    first, second = Journal(engine), Journal(engine)
    job_id = create_job(first, get_profile("tspl-203"))

    with pytest.raises(JobLeaseError, match=rf"job {job_id} is being printed by {first.owner}"):
        second.begin(job_id)
    assert second.job(job_id).status == "running"
    assert second.job(job_id).owner == first.owner

    first.finish(job_id, "stopped")
    second.begin(job_id)  # let go: now it is the second's
    assert first.job(job_id).owner == second.owner
    with pytest.raises(JobLeaseError):
        first.begin(job_id)


def test_only_the_owner_marks_a_label_sent(db_url: str) -> None:
    engine = open_database(db_url)
    owner, other = Journal(engine), Journal(engine)
    job_id = create_job(owner, get_profile("tspl-203"))
    label = owner.pending(job_id)[0]

    with pytest.raises(JobLeaseError):
        other.mark_sent(label, "tcp://x")
    assert owner.labels_of_job(job_id)[0].state == "queued"
    owner.mark_sent(label, "tcp://x")
    assert owner.labels_of_job(job_id)[0].state == "sent"


def test_a_job_whose_process_died_is_interrupted_and_resumable(db_url: str) -> None:
    engine = open_database(db_url)
    dead = Journal(engine, owner=f"{socket.gethostname()}:{_dead_pid()}:gone")
    job_id = create_job(dead, get_profile("tspl-203"))
    dead.mark_sent(dead.pending(job_id)[0], "tcp://x")

    resumer = Journal(engine)
    assert resumer.job(job_id).status == "interrupted"
    assert resumer.job(job_id).owner is None
    assert resumer.begin(job_id) == 1  # the label it had sent is uncertain now
    assert resumer.job(job_id).status == "running"


def test_another_hosts_job_is_interrupted_only_once_its_lease_lapses(db_url: str) -> None:
    engine = open_database(db_url)
    live = Journal(engine, owner="other-host:1:live")
    job_id = create_job(live, get_profile("tspl-203"))
    assert Journal(engine).job(job_id).status == "running"  # a pid on another host cannot be checked
    with pytest.raises(JobLeaseError, match="other-host:1:live"):
        Journal(engine).begin(job_id)

    lapsed = Journal(engine, owner="other-host:2:lapsed", lease_seconds=0)
    lapsed_job = create_job(lapsed, get_profile("tspl-203"))
    assert Journal(engine).job(lapsed_job).status == "interrupted"
    Journal(engine).begin(lapsed_job)


def test_a_lease_is_renewed_while_held_and_let_go_after(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_database(db_url)
    journal = Journal(engine, lease_seconds=0.3)
    job_id = create_job(journal, get_profile("tspl-203"))
    renewed = threading.Event()
    original = journal.renew

    def renew(job_id: int) -> bool:
        result = original(job_id)
        renewed.set()
        return result

    monkeypatch.setattr(journal, "renew", renew)
    with journal.holding(job_id):
        assert renewed.wait(timeout=10), "the lease was never renewed"
        assert Journal(engine).job(job_id).owner == journal.owner
    assert Journal(engine).job(job_id).owner is None


def test_claims_race_and_exactly_one_wins(db_url: str) -> None:
    engine = open_database(db_url)
    creator = Journal(engine)
    job_id = create_job(creator, get_profile("tspl-203"))
    creator.finish(job_id, "stopped")
    contenders = [Journal(open_database(db_url)) for _ in range(8)]
    start = threading.Barrier(len(contenders))
    won: list[str] = []
    lost: list[JobError] = []

    def claim(journal: Journal) -> None:
        start.wait()
        try:
            journal.claim(job_id)
            won.append(journal.owner)
        except JobLeaseError as error:
            lost.append(error)

    threads = [threading.Thread(target=claim, args=(j,)) for j in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(won) == 1 and len(lost) == len(contenders) - 1
    assert creator.job(job_id).owner == won[0]
