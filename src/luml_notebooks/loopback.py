"""Which addresses and Host names the servers on this machine trust.

DNS rebinding: a page on ``attacker.example`` can make that name resolve to
127.0.0.1, and the browser then reads our servers' answers (a local API key,
the Registry's API) as same-origin. The browser still sends
``Host: attacker.example``, so every server answers only Host names that
nobody else can point at it: the loopback names, the name it was told to
listen on, and its public URL's name.

Ports are not compared: a browser always sends the port it connected to, so
the port adds nothing against rebinding, while SSH tunnels and container port
maps legitimately show clients another port than the one the server bound.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})

_HOST_HEADER = re.compile(r"(?P<name>\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::\d{1,5})?")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address (IPv6 with or without brackets)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _as_host_name(host: str) -> str:
    """How a listening address appears in a Host header."""
    host = host.lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass(frozen=True)
class TrustedHosts:
    """The Host names a server answers; ``any_ip`` also trusts IP literals,
    which no one can rebind (for servers listening on every interface)."""

    names: frozenset[str] = LOOPBACK_NAMES
    any_ip: bool = False

    @classmethod
    def for_server(
        cls, listen_host: str = "127.0.0.1", public_url: str | None = None
    ) -> TrustedHosts:
        names = set(LOOPBACK_NAMES)
        wildcard = listen_host in WILDCARD_ADDRESSES
        if not wildcard:
            names.add(_as_host_name(listen_host))
        if public_url and urlsplit(public_url).hostname:
            names.add(_as_host_name(urlsplit(public_url).hostname or ""))
        return cls(frozenset(names), any_ip=wildcard)

    def problem(self, host_header: str | None) -> str | None:
        """Why a request with this Host header is refused; None if it is not."""
        match = _HOST_HEADER.fullmatch(host_header or "")
        if match:
            name = match["name"].lower()
            if name in self.names or (self.any_ip and _is_ip_literal(name)):
                return None
        shown = f"Host {host_header!r}" if host_header else "A request without Host"
        return (
            f"{shown} is not served here. Open this server as 127.0.0.1 or "
            "localhost instead (other names are refused so that no web page can "
            "reach it through DNS rebinding). To serve it under another name, "
            "start it with --host (or the Registry's --public-url) set to it."
        )
