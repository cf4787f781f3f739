"""Everything one sandbox holds, shared by its request threads under one lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .auth import ACCESS_TOKEN_TTL, Credentials, TokenRegistry
from .clock import Clock
from .device import DeviceFlow, DeviceSettings
from .faults import Faults
from .guard import HostGuard
from .messages import ApiRequest, ApiResponse
from .partner import PartnerState
from .ratelimit import Limits
from .requestlog import RequestLog
from .store import AccountStore, StoreSettings


@dataclass
class SandboxState:
    credentials: Credentials
    faults: Faults
    settings: StoreSettings
    rotate_refresh_tokens: bool = False
    latency_ms: int = 0
    rate_limit: int | None = None  # initial values; `limits` holds the live ones
    verbose: bool = False
    access_token_ttl: int = ACCESS_TOKEN_TTL
    daily_quota: int | None = None
    partner_rate_limit: int | None = None
    partner_daily_quota: int | None = None
    retry_after_header: bool = False  # the API documents no Retry-After on its 429s
    device: DeviceSettings = field(default_factory=DeviceSettings)
    guard: HostGuard = field(default_factory=lambda: HostGuard("127.0.0.1"))
    stopping: threading.Event = field(default_factory=threading.Event)  # releases hangs
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Clock = field(default_factory=Clock)
    log: RequestLog = field(default_factory=RequestLog)
    store: AccountStore = field(init=False)
    partner: PartnerState = field(init=False)
    tokens: TokenRegistry = field(init=False)
    devices: DeviceFlow = field(init=False)
    limits: Limits = field(init=False)

    def __post_init__(self) -> None:
        self.store = self.new_store()
        self.store.make_default_account()
        self.partner = PartnerState(self.lock)
        self.tokens = TokenRegistry(
            self.credentials, self.rotate_refresh_tokens, self.clock, self.access_token_ttl
        )
        self.devices = DeviceFlow(self.device, self.clock)
        self.limits = Limits(
            self.clock,
            self.rate_limit,
            self.daily_quota,
            self.partner_rate_limit,
            self.partner_daily_quota,
        )

    def is_secret(self, value: str) -> bool:
        """A configured credential or a token the sandbox issued (kept out of the log)."""
        with self.lock:
            return (
                value in self.credentials.secrets()
                or self.tokens.known(value)
                or self.devices.known(value)
            )

    def new_store(self) -> AccountStore:
        return AccountStore(self.clock, self.settings, self.lock)


@dataclass
class Context:
    """What a handler gets: the request, the account it addresses, and the sandbox."""

    request: ApiRequest
    store: AccountStore
    state: SandboxState
    # Runs a request against a client account's store (for account_operations/sync); given
    # here rather than imported so handlers do not depend on the routing table.
    dispatch_account: Callable[[AccountStore, ApiRequest], ApiResponse]
