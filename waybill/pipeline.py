"""Orders → labels as a stream, shared by render, print, station, demo and the benchmarks.

Nothing here holds a batch: labels are yielded one order at a time, so 10,000 labels need the memory of one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from waybill.errors import LayoutError
from waybill.layout.engine import LaidOut, LayoutOptions, layout_order
from waybill.layout.label import Label, LabelFont, LayoutWarning
from waybill.model import Order
from waybill.template import Template

__all__ = [
    "LabelJob",
    "labels_for",
]


@dataclass(frozen=True)
class LabelJob:
    """Everything that decides what a label looks like, apart from the order."""

    template: Template
    font: LabelFont
    options: LayoutOptions
    now: datetime  # print time of last resort (orders without shipped_at, no --printed-at)

    def layout(self, order: Order) -> LaidOut:
        if not order.waybill_no:  # numbers come first (waybill.numbers.assign): never a label without one
            raise LayoutError(f"order {order.order_id}: no waybill number (the shop profile names no number source)")
        return layout_order(order, self.template, self.font, self.options, now=self.now)


def labels_for(
    orders: Iterable[Order],
    job: LabelJob,
    *,
    on_warning: Callable[[LayoutWarning], None],
    on_skip: Callable[[Order, LayoutError], None] | None = None,
) -> Iterator[Label]:
    """Every label of every order. A layout error stops the stream, or with ``on_skip`` skips that order."""
    for order in orders:
        try:
            laid_out = job.layout(order)
        except LayoutError as error:
            if on_skip is None:
                raise
            on_skip(order, error)
            continue
        for warning in laid_out.warnings:
            on_warning(warning)
        yield from laid_out.labels
