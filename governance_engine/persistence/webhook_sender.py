"""POST one signed webhook request over HTTP (httpx), and say how it went.

The only network I/O of the delivery worker. It never raises for a failed endpoint: a
refused connection, a timeout or a non-2xx answer is a :class:`SendResult` the worker
records and retries. Redirects are not followed (an endpoint that moved is a failure the
admin should see), and the response body is never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

_MAX_ERROR = 500


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    """The HTTP status the endpoint answered with; None when it never answered."""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender(Protocol):
    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST ``body`` to ``url``; never raises for what the endpoint does."""
        ...


class HttpSender:
    """Sends with httpx; ``timeout`` bounds connecting, writing and waiting for the answer."""

    def __init__(self, *, timeout: float = 5.0, user_agent: str = "governance-engine") -> None:
        self._timeout = httpx.Timeout(timeout)
        self._user_agent = user_agent

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        request_headers = {
            "Content-Type": "application/json",
            "User-Agent": self._user_agent,
            **headers,
        }
        try:
            # One client per request: the worker sends from several threads at once.
            with (
                httpx.Client(timeout=self._timeout, follow_redirects=False) as client,
                client.stream("POST", url, content=body, headers=request_headers) as response,
            ):
                status = response.status_code
        except httpx.HTTPError as error:
            return SendResult(None, _describe(error))
        if 200 <= status < 300:
            return SendResult(status)
        return SendResult(status, f"the endpoint answered HTTP {status}")


def _describe(error: httpx.HTTPError) -> str:
    text = str(error).strip() or "no details"
    return f"{type(error).__name__}: {text}"[:_MAX_ERROR]
