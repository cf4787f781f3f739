"""The HTTP server under the sandbox: werkzeug's threaded server, bound quietly."""

from __future__ import annotations

import contextlib
import socket
import sys
import traceback
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import SandboxApp


class QuietHandler(WSGIRequestHandler):
    """No access log: the sandbox's own `verbose` log replaces werkzeug's per-request lines."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class QuietServer(ThreadedWSGIServer):
    def __init__(self, host: str, port: int, app: SandboxApp, fd: int) -> None:
        super().__init__(host, port, app, handler=QuietHandler, fd=fd)

    def log(self, type: str, message: str, *args: Any) -> None:
        pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client hung up; nothing to report
        traceback.print_exc(file=sys.stderr)


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def poke(address: tuple[str, int]) -> None:
    with contextlib.suppress(OSError), socket.create_connection(address, timeout=0.1):
        pass


def reachable(host: str) -> str:
    """The address to connect to for a listening address (a wildcard means loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
