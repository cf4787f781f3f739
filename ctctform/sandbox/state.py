"""Everything one sandbox holds, shared by its request threads under one lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .auth import Credentials, TokenRegistry
from .clock import Clock
from .faults import Faults
from .messages import ApiRequest, ApiResponse
from .partner import PartnerState
from .ratelimit import SlidingWindow
from .requestlog import RequestLog
from .store import AccountStore, StoreSettings


@dataclass
class SandboxState:
    credentials: Credentials
    faults: Faults
    settings: StoreSettings
    rotate_refresh_tokens: bool = False
    latency_ms: int = 0
    rate_limit: int | None = None
    verbose: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Clock = field(default_factory=Clock)
    log: RequestLog = field(default_factory=RequestLog)
    store: AccountStore = field(init=False)
    partner: PartnerState = field(init=False)
    tokens: TokenRegistry = field(init=False)
    limiter: SlidingWindow | None = field(init=False)

    def __post_init__(self) -> None:
        self.store = self.new_store()
        self.store.make_default_account()
        self.partner = PartnerState(self.lock)
        self.tokens = TokenRegistry(self.credentials, self.rotate_refresh_tokens)
        self.limiter = SlidingWindow(self.rate_limit) if self.rate_limit else None

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
