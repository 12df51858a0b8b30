"""The sender refuses endpoints that resolve to non-public addresses unless told otherwise."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from testkit.receiver import receiving

from governance_engine.config import Settings
from governance_engine.errors import ConfigurationError
from governance_engine.persistence.webhook_sender import HttpSender, private_destination


def resolving_to(*addresses: str) -> Any:
    def resolve(host: str, port: int, **_options: Any) -> list[tuple[Any, ...]]:
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.9",
        "192.168.1.20",
        "169.254.169.254",  # link-local: cloud metadata services
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "224.0.0.1",  # multicast
        "::1",
        "fe80::1%eth0",
        "fd00::1",
        "::ffff:10.0.0.1",  # IPv4-mapped private
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    reason = private_destination("https://hooks.example.org/x", resolving_to(address))
    assert reason is not None
    assert "not a public address" in reason
    assert "GOVERNANCE_WEBHOOK_ALLOW_PRIVATE" in reason


def test_one_non_public_answer_among_public_ones_is_enough_to_refuse() -> None:
    resolve = resolving_to("93.184.216.34", "10.0.0.7")
    assert private_destination("https://hooks.example.org/x", resolve) is not None


def test_public_addresses_and_unresolvable_names_pass_the_check() -> None:
    assert private_destination("https://hooks.example.org/", resolving_to("93.184.216.34")) is None
    assert private_destination("http://h.example.org:8080/", resolving_to("2606:4700::1")) is None

    def fails(host: str, port: int, **_options: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror("Name or service not known")

    assert private_destination("https://nowhere.invalid/", fails) is None  # the request fails


def test_the_sender_refuses_a_loopback_endpoint_without_sending() -> None:
    with receiving() as receiver:
        refused = HttpSender(timeout=2).send(receiver.url, b"{}", {})
        allowed = HttpSender(timeout=2, allow_private=True).send(receiver.url, b"{}", {})
        received = receiver.received
    assert (refused.ok, refused.status_code) == (False, None)
    assert "not a public address" in refused.error
    assert allowed.ok
    assert len(received) == 1


def test_the_setting_is_a_flag() -> None:
    assert Settings.from_env({}).webhook_allow_private is False
    assert Settings.from_env({"GOVERNANCE_WEBHOOK_ALLOW_PRIVATE": "true"}).webhook_allow_private
    with pytest.raises(ConfigurationError, match="GOVERNANCE_WEBHOOK_ALLOW_PRIVATE"):
        Settings.from_env({"GOVERNANCE_WEBHOOK_ALLOW_PRIVATE": "maybe"})
