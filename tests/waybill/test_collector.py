"""The cycle collector is paused for a block or a function and restored as it was, even when it raises."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from waybill.collector import no_cycle_collection


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_enabled_after() -> None:
    with no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_restore_the_outer_state() -> None:
    with no_cycle_collection():
        with no_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block must not re-enable what the outer one paused
    assert gc.isenabled()


def test_left_disabled_when_it_was_disabled() -> None:
    gc.disable()
    with no_cycle_collection():
        pass
    assert not gc.isenabled()


def test_restored_when_the_block_raises() -> None:
    with pytest.raises(ZeroDivisionError), no_cycle_collection():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_as_a_decorator() -> None:
    @no_cycle_collection()
    def state() -> bool:
        return gc.isenabled()

    assert state() is False
    assert state() is False  # a fresh pause each call
    assert gc.isenabled()
