"""A signed form POST to an open-platform gateway, with bounded retries: what TOP (Taobao/Cainiao) and
PDD's gateway share. Each source module builds its own system parameters and reads its own answer.

Only transport failures are retried (timeouts, refused connections, HTTP 5xx), with exponential backoff,
the same parameters each time: a service that keys numbers by ``object_id`` gives the same number again,
so a retry cannot orphan one. Messages never carry the request body (it holds the session key).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from waybill.errors import NumberError
from waybill.records import BadJson, strict_json

__all__ = ["Gateway", "md5_sign"]


def md5_sign(params: Mapping[str, str], secret: str) -> str:
    """Upper-case hex MD5 of ``secret + k1v1k2v2… + secret`` over every parameter but ``sign``, by name."""
    text = secret + "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign") + secret
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


class Gateway:
    def __init__(
        self,
        url: str,
        label: str,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.label = label  # "YTO: cainiao", the start of every message
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        # One client per source: the calls of a run (10 orders each) share one kept-alive connection.
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.posts = 0  # HTTP requests sent, retries included

    def post(self, params: Mapping[str, str]) -> dict[str, Any]:
        reason = ""
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(self.backoff * 2 ** (attempt - 2))
            self.posts += 1
            try:
                response = self.client.post(self.url, data=dict(params))
            except httpx.TimeoutException:
                reason = "timed out"
                continue
            except httpx.TransportError as error:
                reason = f"unreachable ({type(error).__name__})"
                continue
            if response.status_code >= 500:
                reason = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise NumberError(f"{self.label}: the gateway answered HTTP {response.status_code}")
            try:
                data = strict_json(response.text)
            except BadJson as error:
                raise NumberError(
                    f"{self.label}: the gateway answered something that is not sane JSON: {error}"
                ) from error
            if not isinstance(data, dict):
                raise NumberError(f"{self.label}: the gateway answered JSON that is not an object")
            return data
        raise NumberError(f"{self.label}: {self.url} {reason}, {self.attempts} attempt(s)")

    def close(self) -> None:
        self.client.close()
