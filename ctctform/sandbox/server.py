"""Sandbox: the in-memory Constant Contact v3 server, on a loopback port in a background thread."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import SandboxApp
from .auth import Credentials
from .faults import Faults
from .partner import ClientAccount, PartnerState
from .ratelimit import SlidingWindow
from .requestlog import RequestRecord
from .seed import add_client_account, apply_seed
from .state import SandboxState
from .store import AccountStore, StoreSettings

Seed = Mapping[str, Any] | str | Path


class Sandbox:
    """A local v3 API server. Use as a context manager, or call start() and stop().

    >>> with Sandbox(port=0, seed={"lists": [{"name": "Newsletter"}]}) as sb:
    ...     sb.base_url  # "http://127.0.0.1:PORT/v3"
    """

    def __init__(
        self,
        port: int = 0,
        latency_ms: int = 0,
        rate_limit: int | None = None,
        seed: Seed | None = None,
        *,
        host: str = "127.0.0.1",
        faults: Faults | None = None,
        token: str = "sandbox",
        api_key: str = "sandbox",
        client_id: str = "sandbox",
        client_secret: str = "sandbox",
        refresh_token: str = "sandbox",
        partner_client_id: str = "sandbox",
        partner_client_secret: str = "sandbox",
        rotate_refresh_tokens: bool = False,
        activity_polls: int = 2,
        max_queued_activities: int = 1000,
        next_link_style: str = "v3",
        strict_segment_criteria: bool = False,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self._requested_port = port
        credentials = Credentials(
            token,
            api_key,
            client_id,
            client_secret,
            refresh_token,
            partner_client_id,
            partner_client_secret,
        )
        self._state = SandboxState(
            credentials=credentials,
            faults=faults or Faults(),
            settings=StoreSettings(
                activity_polls,
                max_queued_activities,
                next_link_style=next_link_style,
                strict_segment_criteria=strict_segment_criteria,
            ),
            rotate_refresh_tokens=rotate_refresh_tokens,
            latency_ms=latency_ms,
            rate_limit=rate_limit,
            verbose=verbose,
        )
        self._server: ThreadedWSGIServer | None = None
        self._thread: threading.Thread | None = None
        if seed is not None:
            self.seed(seed)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        listener = _listen(self.host, self._requested_port)
        try:
            # Bound here rather than by werkzeug, which prints and exits when a port is taken.
            self._server = _QuietServer(
                self.host, listener.getsockname()[1], SandboxApp(self._state), fd=listener.fileno()
            )
        finally:
            listener.close()  # werkzeug duplicated the descriptor
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name=f"ctct-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        address = (_reachable(self.host), self.port)
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        while stopper.is_alive():
            # Wake the accept loop now rather than at its next poll (keeps stop() instant).
            _poke(address)
            stopper.join(0.01)
        if thread is not None:
            thread.join()
        server.server_close()
        self._server, self._thread = None, None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The server root, e.g. http://127.0.0.1:8765."""
        host = _reachable(self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v3"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/default/v1/token"

    @property
    def partner_token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    def env(self) -> dict[str, str]:
        """The CTCT_* variables that point ctctform at this sandbox."""
        creds = self._state.credentials
        return {
            "CTCT_API_URL": self.base_url,
            "CTCT_ACCESS_TOKEN": creds.token,
            "CTCT_TOKEN_URL": self.token_url,
            "CTCT_CLIENT_ID": creds.client_id,
            "CTCT_CLIENT_SECRET": creds.client_secret,
            "CTCT_REFRESH_TOKEN": creds.refresh_token,
            "CTCT_PARTNER_API_KEY": creds.api_key,
            "CTCT_PARTNER_CLIENT_ID": creds.partner_client_id,
            "CTCT_PARTNER_CLIENT_SECRET": creds.partner_client_secret,
            "CTCT_PARTNER_TOKEN_URL": self.partner_token_url,
        }

    # -- behaviour knobs -------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._state.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._state.faults = faults

    @property
    def settings(self) -> StoreSettings:
        """activity_polls, max_queued_activities, max_lists, max_custom_fields,
        next_link_style, strict_segment_criteria (mutable)."""
        return self._state.settings

    @property
    def latency_ms(self) -> int:
        return self._state.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        self._state.latency_ms = value

    @property
    def rate_limit(self) -> int | None:
        return self._state.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        self._state.rate_limit = value
        self._state.limiter = SlidingWindow(value) if value else None

    # -- state -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        return self._state.log.snapshot()

    def reset_log(self) -> None:
        self._state.log.clear()

    def store(self, account: str | None = None) -> AccountStore:
        """The default account's store, or a partner client account's by encoded id."""
        if account is None:
            return self._state.store
        return self._state.partner.account(account).store

    @property
    def partner(self) -> PartnerState:
        """Webhook subscriptions (`.webhooks`) and client accounts (`.accounts`)."""
        return self._state.partner

    def seed(self, seed: Seed) -> None:
        """Add seed data (a dict, or a YAML/JSON file path); raises SeedError."""
        with self._state.lock:
            apply_seed(self._state, seed)

    def add_client_account(
        self, encoded_account_id: str | None = None, **entry: Any
    ) -> ClientAccount:
        """Add a partner client account, described like a seed's `accounts:` entry
        (organization_name=, billing_status=, managed=, lists=[...], account={...}, ...);
        a fresh encoded id when none is given. Raises SeedError."""
        with self._state.lock:
            return add_client_account(self._state, encoded_account_id, entry)

    def confirm_email(self, address: str, account: str | None = None) -> None:
        """Mark an account email CONFIRMED, as its owner's click on the emailed link would
        (the default account's, or a client account's by encoded id); KeyError if absent."""
        self.store(account).confirm_email(address)

    def revoke_token(self, token: str) -> None:
        """Invalidate an access token, as expiry would: the client must refresh."""
        with self._state.lock:
            self._state.tokens.revoke(token)


class _QuietHandler(WSGIRequestHandler):
    """No access log: the sandbox's own `verbose` log replaces werkzeug's per-request lines."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadedWSGIServer):
    def __init__(self, host: str, port: int, app: SandboxApp, fd: int) -> None:
        super().__init__(host, port, app, handler=_QuietHandler, fd=fd)

    def log(self, type: str, message: str, *args: Any) -> None:
        pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client hung up; nothing to report
        traceback.print_exc(file=sys.stderr)


def _listen(host: str, port: int) -> socket.socket:
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


def _poke(address: tuple[str, int]) -> None:
    with contextlib.suppress(OSError), socket.create_connection(address, timeout=0.1):
        pass


def _reachable(host: str) -> str:
    """The address to connect to for a listening address (a wildcard means loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
