"""Numbers from the branch's segments in the store (imported with ``waybill numbers import``)."""

from __future__ import annotations

from collections.abc import Sequence

from waybill.i18n import _
from waybill.numbers.source import Assigned, Balance, Binding, Refusal, Request, SourceContext

__all__ = ["PoolSource", "open_source"]


class PoolSource:
    name = "pool"

    def __init__(self, context: SourceContext) -> None:
        self.store = context.store
        self.carrier = context.carrier.code
        self.branch_code = context.account.branch_code

    def assign(self, requests: Sequence[Request]) -> Assigned:
        allocation = self.store.allocate(self.carrier, self.branch_code, requests)
        reason = _("the number pool of branch {branch} is empty (import segments: waybill numbers import)").format(
            branch=self.branch_code
        )
        return Assigned(
            granted=[allocation.bound[r.order.order_id] for r in requests if r.order.order_id in allocation.bound],
            refused=[Refusal(r.order.order_id, reason) for r in allocation.unserved],
            left=allocation.left,
        )

    def cancel(self, binding: Binding, reason: str) -> None:
        self.store.cancel(binding.waybill_no, reason)

    def balance(self) -> list[Balance]:
        return [b for b in self.store.pool_balances() if (b.carrier, b.branch_code) == (self.carrier, self.branch_code)]


def open_source(context: SourceContext) -> PoolSource:
    return PoolSource(context)
