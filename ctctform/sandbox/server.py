"""Sandbox: the in-memory Constant Contact v3 server, on a loopback port in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from .app import SandboxApp
from .auth import ACCESS_TOKEN_TTL, DEFAULT_SCOPE, Credentials
from .clock import Clock
from .device import DeviceSettings
from .faults import Faults
from .guard import HostGuard, is_loopback, url_host
from .listener import QuietServer, listen, poke, reachable
from .partner import ClientAccount, PartnerState
from .requestlog import RequestRecord
from .seed import add_client_account, apply_seed
from .state import SandboxState
from .store import AccountStore, StoreSettings

Seed = Mapping[str, Any] | str | Path


class Sandbox:
    """A local v3 API server. Use as a context manager, or call start() and stop().

    >>> with Sandbox(port=0, seed={"lists": [{"name": "Newsletter"}]}) as sb:
    ...     sb.base_url  # "http://127.0.0.1:PORT/v3"

    Options beyond the four positional ones are keywords; see docs/sandbox.md.
    """

    def __init__(
        self,
        port: int = 0,
        latency_ms: int = 0,
        rate_limit: int | None = None,
        seed: Seed | None = None,
        *,
        host: str = "127.0.0.1",
        allow_remote: bool = False,
        faults: Faults | None = None,
        token: str = "sandbox",
        api_key: str = "sandbox",
        client_id: str = "sandbox",
        client_secret: str = "sandbox",
        refresh_token: str = "sandbox",
        partner_client_id: str = "sandbox",
        partner_client_secret: str = "sandbox",
        public_client_id: str = "sandbox-public",
        rotate_refresh_tokens: bool = False,
        access_token_ttl: int = ACCESS_TOKEN_TTL,
        device: DeviceSettings | Mapping[str, Any] | None = None,
        partner_rate_limit: int | None = None,
        daily_quota: int | None = None,
        partner_daily_quota: int | None = None,
        retry_after_header: bool = False,
        activity_polls: int = 2,
        max_queued_activities: int = 1000,
        clock: Clock | None = None,
        next_link_style: str = "v3",
        # The API takes list_membership/tags conditions only in `or` groups; the lenient
        # mode exists for seeds written before the rule was modelled.
        strict_segment_criteria: bool = True,
        verbose: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            # Well-known default credentials: serving the network must be a decision.
            raise ValueError(f"{host} is not a loopback address; pass allow_remote=True")
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
            public_client_id,
        )
        if isinstance(device, Mapping):
            device = DeviceSettings(**device)
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
            access_token_ttl=access_token_ttl,
            daily_quota=daily_quota,
            partner_rate_limit=partner_rate_limit,
            partner_daily_quota=partner_daily_quota,
            retry_after_header=retry_after_header,
            device=device or DeviceSettings(),
            guard=HostGuard(host, allow_remote),
            clock=clock or Clock(),
        )
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None
        if seed is not None:
            self.seed(seed)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        listener = listen(self.host, self._requested_port)
        try:
            # Bound here rather than by werkzeug, which prints and exits when a port is taken.
            self._server = QuietServer(
                self.host, listener.getsockname()[1], SandboxApp(self._state), fd=listener.fileno()
            )
        finally:
            listener.close()  # werkzeug duplicated the descriptor
        self._state.guard.port = self.port
        self._state.stopping.clear()
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
        self._state.stopping.set()  # hung requests (fault rules) let go now
        address = (reachable(self.host), self.port)
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        while stopper.is_alive():
            # Wake the accept loop now rather than at its next poll (keeps stop() instant).
            poke(address)
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
        """The server root to connect to, e.g. http://127.0.0.1:8765 (loopback for 0.0.0.0)."""
        return f"http://{url_host(reachable(self.host))}:{self.port}"

    @property
    def listen_url(self) -> str:
        """The address actually bound, e.g. http://0.0.0.0:8765 (what the banner shows)."""
        assert self._server is not None, "the sandbox is not running"
        return f"http://{url_host(str(self._server.server_address[0]))}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v3"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/default/v1/token"

    @property
    def device_auth_url(self) -> str:
        return f"{self.url}/oauth2/default/v1/device/authorize"

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
            "CTCT_DEVICE_AUTH_URL": self.device_auth_url,
            "CTCT_CLIENT_ID": creds.client_id,
            "CTCT_CLIENT_SECRET": creds.client_secret,
            "CTCT_REFRESH_TOKEN": creds.refresh_token,
            "CTCT_PARTNER_API_KEY": creds.api_key,
            "CTCT_PARTNER_CLIENT_ID": creds.partner_client_id,
            "CTCT_PARTNER_CLIENT_SECRET": creds.partner_client_secret,
            "CTCT_PARTNER_TOKEN_URL": self.partner_token_url,
        }

    @property
    def public_client_id(self) -> str:
        """The client id without a secret (device flow, public-client refresh)."""
        return self._state.credentials.public_client_id

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
    def device(self) -> DeviceSettings:
        """approve_after_polls, deny, interval, expires_in, slow_down_polls (mutable)."""
        return self._state.device

    @property
    def clock(self) -> Clock:
        return self._state.clock

    @property
    def latency_ms(self) -> int:
        return self._state.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        self._state.latency_ms = value

    @property
    def rate_limit(self) -> int | None:
        """The account key's requests per second (None: unlimited)."""
        return self._state.limits.get("rate_limit")

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        self._state.limits.set("rate_limit", value)

    @property
    def partner_rate_limit(self) -> int | None:
        """The partner key's requests per second (None: as rate_limit)."""
        return self._state.limits.get("partner_rate_limit")

    @partner_rate_limit.setter
    def partner_rate_limit(self, value: int | None) -> None:
        self._state.limits.set("partner_rate_limit", value)

    @property
    def daily_quota(self) -> int | None:
        """The account key's requests per UTC day (None: unlimited)."""
        return self._state.limits.get("daily_quota")

    @daily_quota.setter
    def daily_quota(self, value: int | None) -> None:
        self._state.limits.set("daily_quota", value)

    @property
    def partner_daily_quota(self) -> int | None:
        """The partner key's requests per UTC day (None: as daily_quota)."""
        return self._state.limits.get("partner_daily_quota")

    @partner_daily_quota.setter
    def partner_daily_quota(self, value: int | None) -> None:
        self._state.limits.set("partner_daily_quota", value)

    @property
    def access_token_ttl(self) -> int:
        """Seconds an issued access token lasts (its `expires_in`); the static token lasts."""
        return self._state.tokens.access_token_ttl

    @access_token_ttl.setter
    def access_token_ttl(self, seconds: int) -> None:
        with self._state.lock:
            self._state.tokens.access_token_ttl = seconds

    def quota_used(self, partner: bool = False) -> int:
        """API requests counted today (UTC) against the account key, or the partner key."""
        return self._state.limits.key(partner).used_today()

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

    # -- test hooks: time, tokens, the device flow's user -------------------------------

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's time forward: token and device-code expiry, the per-second
        window and the daily quota's reset all follow it (no sleeping in tests)."""
        self._state.clock.advance(seconds)

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

    def expire_refresh_token(self, token: str) -> None:
        """Invalidate a refresh token, as 180 days unused would (KeyError if not live)."""
        with self._state.lock:
            self._state.tokens.expire_refresh_token(token)

    def issue_refresh_token(self, client_id: str | None = None, scope: str = DEFAULT_SCOPE) -> str:
        """A new refresh token for a client (default: the confidential one), as if issued
        by a login; with rotation on, that client's earlier refresh tokens are spent."""
        with self._state.lock:
            owner = client_id or self._state.credentials.client_id
            return self._state.tokens.issue_refresh_token(owner, scope)

    def approve_device(self, user_code: str) -> None:
        """The user approves this device login; the next poll (not too soon) gets tokens."""
        with self._state.lock:
            self._state.devices.decide(user_code, "approved")

    def deny_device(self, user_code: str) -> None:
        """The user denies this device login; the next poll answers access_denied."""
        with self._state.lock:
            self._state.devices.decide(user_code, "denied")
