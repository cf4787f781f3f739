"""A view of the Client whose requests are counted (and can be stopped) apart.

A fleet runs many accounts through one Client. Each account's own partner requests
(provisioning, its billing plan) and its proxied requests are counted in one Scope, so the
report's per-account request count is exact however many accounts are in flight; the
partner level gets its own Scope the same way.
"""

from __future__ import annotations

from typing import Any, Protocol

from ctctform.api import activities
from ctctform.api.methods import ApiMethods
from ctctform.api.partner import AccountProxy, ProxyHost, partner_accounts
from ctctform.api.stats import Stats
from ctctform.api.transport import Call, Gate, Params


class ScopeHost(ProxyHost, Protocol):
    """What a Scope uses of the Client (a protocol, so scope.py needs no import of it)."""

    def call_for(
        self, method: str, path: str, json: Any, params: Params, idempotent: bool | None
    ) -> Call: ...


class Scope(ApiMethods):
    def __init__(self, client: ScopeHost) -> None:
        self._client = client
        self.routes = client.routes
        self.base_path = client.base_path
        self.stats = Stats(parent=client.stats)
        self.gate = Gate(parent=client.gate)

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        call = self._client.call_for(method, path, json, params, idempotent)
        return self._client.execute(call, self.stats, self.gate)

    def execute(self, call: Call, stats: Stats, gate: Gate) -> Any:
        return self._client.execute(call, stats, gate)

    def partner_accounts(self, account_type: str | None = "managed") -> list[dict[str, Any]]:
        return partner_accounts(self, account_type)

    def for_account(self, encoded_account_id: str) -> AccountProxy:
        """A proxy whose requests count in this scope."""
        return AccountProxy(self, encoded_account_id)

    def url_for(self, path: str) -> str:
        return self._client.url_for(path)

    def poll_settings(self) -> activities.PollSettings:
        return self._client.poll_settings()

    def sleep(self, seconds: float) -> None:
        self._client.sleep(seconds)
