"""Who may talk to the sandbox: loopback only, unless told otherwise.

The sandbox accepts well-known default credentials, so it binds to loopback and checks the
`Host` header of every request: a web page that rebinds its own DNS name to 127.0.0.1 (DNS
rebinding) reaches the port from the user's browser, but its requests still carry the
attacker's host name, and they are refused with 403.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .messages import ApiResponse, error_response

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`; wildcards (0.0.0.0, ::) and names are not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """An address as it appears in a URL or Host header (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class HostGuard:
    """Allows Host headers naming the loopback addresses or the bound one, with this port
    or none; with allow_remote, any host (the sandbox then serves the network)."""

    bound_host: str
    allow_remote: bool = False
    port: int = 0  # set when the server has bound

    def check(self, host_header: str | None) -> ApiResponse | None:
        if self.allow_remote or host_header is None:
            return None  # no Host at all is no browser, so no rebinding either
        name, port = split_host(host_header)
        allowed = LOOPBACK_NAMES | {url_host(self.bound_host).lower()}
        if name in allowed and port in (None, self.port):
            return None
        shown = host_header if len(host_header) <= 100 else host_header[:100] + "..."
        return error_response(
            403,
            "forbidden",
            f"Host {shown!r} is not this sandbox's address; it answers only requests to "
            f"127.0.0.1, localhost or [::1] (DNS rebinding protection).",
        )


def split_host(header: str) -> tuple[str, int | None]:
    """`[::1]:8765` -> ("[::1]", 8765); `localhost` -> ("localhost", None); bad port -> -1."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        name, rest = header[: end + 1], header[end + 1 :]
        if end < 0 or (rest and not rest.startswith(":")):
            return header, -1
        if not rest:
            return name, None
        port = rest[1:]
    else:
        name, sep, port = header.rpartition(":")
        if not sep:
            return header, None
    return (name, int(port)) if port.isdigit() else (name, -1)
