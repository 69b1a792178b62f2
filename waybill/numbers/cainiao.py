"""Numbers from the Cainiao cloud e-waybill service (菜鸟电子面单) over the TOP gateway.

``cainiao.waybill.ii.get`` takes at most 10 orders a call and echoes each ``object_id``; ``ii.cancel`` voids
a number; ``ii.search`` tells the branch's balance. The app secret and session key are read from the
environment variables the shop profile names, when a call is made, and go nowhere but the signed request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from waybill.errors import NumberError
from waybill.model import Address
from waybill.numbers.gateway import Gateway, md5_sign
from waybill.numbers.source import Assigned, Balance, Binding, Refusal, Request, SourceContext
from waybill.orders import WAYBILL_NO
from waybill.records import BadJson, strict_json
from waybill.times import BEIJING

__all__ = ["BATCH", "CainiaoSource", "ServiceError", "open_source"]

BATCH = 10  # the service's limit of orders a call
_MOBILE = re.compile(r"1[0-9]{10}")


class ServiceError(NumberError):
    """An ``error_response``: the call reached the service, which refused it."""

    def __init__(self, label: str, answer: dict[str, Any]) -> None:
        self.code = str(answer.get("code", ""))
        self.sub_code = str(answer.get("sub_code", ""))
        self.sub_msg = str(answer.get("sub_msg") or answer.get("msg") or "no message")
        super().__init__(f"{label}: the service refused: {self.sub_msg} ({self.sub_code or self.code})")

    @property
    def about_the_data(self) -> bool:
        """``isv.*`` sub-codes blame the request's business data (an order), not the call or the account."""
        return self.sub_code.startswith("isv.") and not self.sub_code.startswith(("isv.invalid-sign", "isv.app"))


class CainiaoSource:
    name = "cainiao"

    def __init__(self, context: SourceContext, gateway: Gateway | None = None) -> None:
        self.context = context
        self.carrier = context.carrier.code
        self.cp_code = context.config.setting("cp_code", self.carrier)
        self.label = f"{self.carrier}: cainiao"
        self.gateway = gateway or Gateway(context.config.setting("gateway"), self.label)

    # the calls

    def call(self, method: str, business: dict[str, str]) -> dict[str, Any]:
        """One signed TOP call; the ``…_response`` object of the answer, or ``ServiceError``."""
        config, env = self.context.config, self.context.env
        secret = env.get(config.setting("app_secret_env"), "")
        session = env.get(config.setting("session_env"), "")
        for name, value in (("app_secret_env", secret), ("session_env", session)):
            if not value:
                raise NumberError(f"{self.label}: environment variable {config.setting(name)} is not set ({name})")
        params = {
            "method": method,
            "app_key": config.setting("app_key"),
            "session": session,
            "timestamp": self.context.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            **business,
        }
        params["sign"] = md5_sign(params, secret)
        answer = self.gateway.post(params)
        if isinstance(answer.get("error_response"), dict):
            raise ServiceError(self.label, answer["error_response"])
        body = answer.get(method.replace(".", "_") + "_response")
        if not isinstance(body, dict):
            raise NumberError(f"{self.label}: the answer to {method} holds no {method.replace('.', '_')}_response")
        return body

    def assign(self, requests: Sequence[Request]) -> Assigned:
        granted: list[Binding] = []
        refused: list[Refusal] = []
        for start in range(0, len(requests), BATCH):
            self._serve(list(requests[start : start + BATCH]), granted, refused)
        return Assigned(granted, refused)

    def _serve(self, batch: list[Request], granted: list[Binding], refused: list[Refusal]) -> None:
        try:
            body = self.call(
                "cainiao.waybill.ii.get", {"param_waybill_cloud_print_apply_new_request": self._apply(batch)}
            )
        except ServiceError as error:
            if not error.about_the_data:
                raise
            if len(batch) > 1:  # find the order the service objects to; the others still get numbers
                for request in batch:
                    self._serve([request], granted, refused)
                return
            reason = f"the service refused order {batch[0].order.order_id}: {error.sub_msg} ({error.sub_code})"
            refused.append(Refusal(batch[0].order.order_id, reason))
            return
        answers = {str(m.get("object_id")): m for m in _items(body.get("modules"), "waybill_cloud_print_response")}
        new = []
        for request in batch:
            module = answers.get(request.object_id)
            code = str(module.get("waybill_code") or "").strip().upper() if module else ""
            if module is None or not code:
                refused.append(Refusal(request.order.order_id, "the answer holds no number for this order"))
                continue
            if not WAYBILL_NO.fullmatch(code):  # what an orders file would refuse is not stored either
                reason = f"the answer's number {code[:40]!r} is not a waybill number (8-32 letters, digits, -)"
                refused.append(Refusal(request.order.order_id, reason))
                continue
            sort_code, package_center = _routing(module)
            new.append(
                Binding(
                    code,
                    self.carrier,
                    self.name,
                    self.context.account.branch_code,
                    request.order.order_id,
                    request.object_id,
                    sort_code,
                    package_center,
                )
            )
        if new:
            bound = self.context.store.bind(new)
            granted.extend(bound[b.order_id] for b in new)

    def _apply(self, batch: list[Request]) -> str:
        settings = self.context.config.settings
        sender = self.context.shop.sender_for(batch[0].order) or Address("", "", "")
        dtos = []
        for request in batch:
            order = request.order
            dto: dict[str, Any] = {
                "object_id": request.object_id,
                "order_info": {
                    "order_channels_type": settings.get("order_channels_type", "TB"),
                    "trade_order_list": [order.order_id],
                },
                "package_info": {
                    "id": request.object_id.removeprefix(order.order_id).lstrip("-") or "1",
                    "items": [{"name": item.name, "count": item.qty} for item in order.items],
                },
                "recipient": _party(order.recipient),
                "template_url": settings["template_url"],
            }
            if "user_id" in settings:
                dto["user_id"] = settings["user_id"]
            dtos.append(dto)
        apply = {"cp_code": self.cp_code, "sender": _party(sender), "trade_order_info_dtos": dtos}
        return json.dumps(apply, ensure_ascii=False, separators=(",", ":"))

    def cancel(self, binding: Binding, reason: str) -> None:
        body = self.call("cainiao.waybill.ii.cancel", {"cp_code": self.cp_code, "waybill_code": binding.waybill_no})
        if body.get("cancel_result") not in (True, "true"):
            raise NumberError(f"{self.label}: the service did not cancel {binding.waybill_no}")
        self.context.store.cancel(binding.waybill_no, reason)

    def balance(self) -> list[Balance]:
        body = self.call("cainiao.waybill.ii.search", {"cp_code": self.cp_code})
        balances = []
        for info in _items(body.get("waybill_apply_subscription_cols"), "waybill_apply_subscription_info"):
            if str(info.get("cp_code", self.cp_code)) != self.cp_code:
                continue
            for branch in _items(info.get("branch_account_cols"), "waybill_branch_account"):
                left, allocated, cancelled = (
                    _count(branch, k) for k in ("quantity", "allocated_quantity", "cancel_quantity")
                )
                used = max(allocated - cancelled, 0)
                code = str(branch.get("branch_code") or self.context.account.branch_code)
                balances.append(Balance(self.carrier, self.name, code, used + cancelled + left, used, cancelled, left))
        return balances


def open_source(context: SourceContext) -> CainiaoSource:
    return CainiaoSource(context)


def _items(value: Any, element: str) -> list[dict[str, Any]]:
    """A TOP list: ``{"element": [...]}`` in the default JSON, a bare list when the answer is simplified."""
    if isinstance(value, dict):
        value = value.get(element)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _count(branch: dict[str, Any], key: str) -> int:
    value = branch.get(key, 0)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


def _routing(module: dict[str, Any]) -> tuple[str, str]:
    """Sort code (三段码, else 大头笔) and consolidation point (集包地) from a module's ``print_data``."""
    text = module.get("print_data") or "{}"
    try:
        data = strict_json(text) if isinstance(text, str) else None
    except BadJson:
        return "", ""
    inner = data.get("data") if isinstance(data, dict) else None
    routing = inner.get("routingInfo") if isinstance(inner, dict) else None
    if not isinstance(routing, dict):
        return "", ""

    def name(key: str) -> str:
        part = routing.get(key)
        return str(part.get("name") or "") if isinstance(part, dict) else ""

    return str(routing.get("routeCode") or name("sortation")), name("consolidation")


def _party(address: Address) -> dict[str, Any]:
    phone = "".join(ch for ch in address.phone if ch.isdigit())
    party: dict[str, Any] = {"name": address.name}
    party["mobile" if _MOBILE.fullmatch(phone) else "phone"] = address.phone
    party["address"] = {
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "detail": address.address,
    }
    return party
