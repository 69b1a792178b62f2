"""How a pool shares labels: contiguous runs by weight, and failover shares that finish together."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.pool_split import fill_levels, split_runs


@pytest.mark.parametrize(
    ("sizes", "weights", "runs"),
    [
        ([1] * 9, [1, 1, 1], [range(0, 3), range(3, 6), range(6, 9)]),
        ([1] * 10, [1, 1], [range(0, 5), range(5, 10)]),
        ([1, 1, 4, 1, 1], [1, 1], [range(0, 2), range(2, 5)]),  # a 4-label order is not cut
        ([1] * 6, [2, 1], [range(0, 4), range(4, 6)]),  # a twice as fast printer takes twice as much
        ([1, 1], [1, 1, 1], [range(0, 1), range(1, 1), range(1, 2)]),  # fewer orders than printers
        ([3] * 4, [1, 0, 1], [range(0, 2), range(2, 2), range(2, 4)]),
    ],
)
def test_split_runs(sizes: list[int], weights: list[float], runs: list[range]) -> None:
    assert split_runs(sizes, weights) == runs


@given(
    st.lists(st.integers(1, 5), min_size=0, max_size=60),
    st.lists(st.floats(0.1, 10), min_size=1, max_size=6),
)
def test_runs_cover_every_group_once_in_order_and_near_their_share(sizes: list[int], weights: list[float]) -> None:
    runs = split_runs(sizes, weights)
    assert len(runs) == len(weights)
    assert [i for run in runs for i in run] == list(range(len(sizes)))
    total = sum(sizes)
    done = 0
    for run, cumulative in zip(runs, [sum(weights[: i + 1]) for i in range(len(weights))], strict=True):
        done += sum(sizes[i] for i in run)
        assert abs(done - total * cumulative / sum(weights)) <= max(sizes, default=0)  # within one order


def test_fill_levels_evens_out_the_finish() -> None:
    assert fill_levels(10, [0, 0], [1, 1]) == [5, 5]
    assert fill_levels(10, [6, 0], [1, 1]) == [2, 8]
    assert fill_levels(4, [10, 0], [1, 1]) == [0, 4]  # the busy printer takes nothing
    assert fill_levels(9, [0, 0], [2, 1]) == [6, 3]


@given(
    st.integers(1, 500),
    st.lists(st.tuples(st.integers(0, 300), st.floats(0.5, 5)), min_size=1, max_size=6),
)
def test_fill_levels_shares_all_and_the_takers_finish_together(moved: int, printers: list[tuple[int, float]]) -> None:
    loads, speeds = [p[0] for p in printers], [p[1] for p in printers]
    shares = fill_levels(moved, loads, speeds)
    assert sum(shares) == pytest.approx(moved)
    finish = [(load + share) / speed for load, share, speed in zip(loads, shares, speeds, strict=True)]
    taking = [f for f, share in zip(finish, shares, strict=True) if share > 1e-9]
    assert max(taking) - min(taking) == pytest.approx(0, abs=1e-6)
    assert all(f >= max(taking) - 1e-6 for f in finish)  # who takes nothing would finish later anyway
