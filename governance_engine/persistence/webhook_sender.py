"""POST one signed webhook request over HTTP (httpx), and say how it went.

The only network I/O of the delivery worker. It never raises for a failed endpoint: a
refused connection, a timeout or a non-2xx answer is a :class:`SendResult` the worker
records and retries. Redirects are not followed (an endpoint that moved is a failure the
admin should see), and the response body is never read.

Endpoints whose host resolves to a loopback, private, link-local (cloud metadata services
live there) or otherwise non-public address are refused unless ``allow_private`` is set
(``GOVERNANCE_WEBHOOK_ALLOW_PRIVATE``), so a webhook cannot be aimed at services inside the
network the engine runs in. The check resolves the name just before sending; a name whose
answer changes between that check and the connection (DNS rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

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


Resolver = Callable[..., Sequence[tuple[Any, ...]]]
"""``socket.getaddrinfo``, or a stand-in with its signature."""


class HttpSender:
    """Sends with httpx; ``timeout`` bounds connecting, writing and waiting for the answer."""

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        user_agent: str = "governance-engine",
        allow_private: bool = False,
        resolve: Resolver = socket.getaddrinfo,
    ) -> None:
        self._timeout = httpx.Timeout(timeout)
        self._user_agent = user_agent
        self._allow_private = allow_private
        self._resolve = resolve

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        if not self._allow_private:
            refusal = private_destination(url, self._resolve)
            if refusal is not None:
                return SendResult(None, refusal)
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


def private_destination(url: str, resolve: Resolver = socket.getaddrinfo) -> str | None:
    """Why ``url`` must not be sent to (its host is not a public address), or None.

    A name that does not resolve is left to the request itself to fail.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for answer in answers:
        address = ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return (
                f"refused: {host} resolves to {address}, which is not a public address"
                " (set GOVERNANCE_WEBHOOK_ALLOW_PRIVATE=true to allow such endpoints)"
            )
    return None
