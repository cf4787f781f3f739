"""Partner proxy: the Client interface, sent on behalf of a client account.

Every request becomes `POST /partner/accounts/{encoded_account_id}/account_operations/sync`
with a PartnerAccountOperationsRequest body (spec 3.0.172): the v3 path *template* in
`account_operation_url` (path parameter names in braces, values in
`account_operation_path_parameters`), the method, the JSON body as an escaped string in
`account_operation_payload`, and query parameters as key/value objects. The answer is the
wrapped request's own status and body, so callers get the same JSON and the same ApiError.
The templates come from the kinds (`Routes`), handed to the client.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlsplit

from ctctform.api import activities, paging
from ctctform.api.errors import AnswerError
from ctctform.api.methods import ApiMethods, is_idempotent
from ctctform.api.routes import Routes
from ctctform.api.stats import Stats
from ctctform.api.transport import Call, Gate, Params


class ProxyHost(Protocol):
    """What the proxy uses of the Client that carries its requests."""

    routes: Routes
    stats: Stats
    gate: Gate
    base_path: str

    def execute(self, call: Call, stats: Stats, gate: Gate) -> Any: ...

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any: ...

    def url_for(self, path: str) -> str: ...

    def poll_settings(self) -> activities.PollSettings: ...

    def sleep(self, seconds: float) -> None: ...


def partner_accounts(api: ApiMethods, account_type: str | None) -> list[dict[str, Any]]:
    """`GET /partner/accounts` (offset paging, at most 50 a page), every item checked."""
    return [a for page in partner_account_pages(api, account_type) for a in page]


def partner_account_pages(
    api: ApiMethods, account_type: str | None
) -> Iterator[list[dict[str, Any]]]:
    """The same, a page at a time as each arrives."""
    params = {"account_type": account_type} if account_type else None
    where = "GET /partner/accounts"
    offset = 0
    for batch in paging.pages(api.get, "/partner/accounts", "site_owner_list", 50, params, 5000):
        for index, item in enumerate(batch, start=offset):
            if not isinstance(item, dict) or not isinstance(item.get("encoded_account_id"), str):
                raise AnswerError(f"{where}: item {index} has no encoded_account_id")
        offset += len(batch)
        yield batch


def query_pairs(params: Params) -> list[tuple[str, str]]:
    """Flatten query parameters to strings the way httpx would put them in a URL."""
    if not params:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append((str(key), str(value)))
    return pairs


def operation_body(
    routes: Routes, method: str, path: str, json: Any, query: list[tuple[str, str]]
) -> dict[str, Any]:
    url, path_params = routes.template(path)
    body: dict[str, Any] = {"account_operation_url": url, "account_operation_method": method}
    if json is not None:
        body["account_operation_payload"] = jsonlib.dumps(
            json, separators=(",", ":"), allow_nan=False
        )
    if query:
        body["account_operation_query_parameters"] = [
            {"query_param_key": k, "query_param_value": v} for k, v in query
        ]
    if path_params:
        body["account_operation_path_parameters"] = path_params
    return body


class AccountProxy(ApiMethods):
    """request/get/paginate/run_activity/wait_activity for one client account.

    Shares the parent's HTTP pool, rate limiter and credentials; `stats` counts this
    account's requests and also rolls them up into the parent's; `gate` stops this account
    alone (or with the whole run).
    """

    def __init__(self, client: ProxyHost, encoded_account_id: str) -> None:
        if not encoded_account_id:
            raise ValueError("encoded_account_id is required")
        self.account_id = encoded_account_id
        self.stats = Stats(parent=client.stats)
        self.gate = Gate(parent=client.gate)
        self._client = client
        self._sync_url = client.url_for(
            f"/partner/accounts/{quote(encoded_account_id, safe='')}/account_operations/sync"
        )

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        method = method.upper()
        inner_path, query = self._split(path, params)
        if inner_path.startswith("/partner/"):
            # Partner-level endpoints (webhook subscriptions) belong to the partner, not to
            # the client account, and cannot be wrapped in account_operations/sync.
            return self._client.request(method, path, json, params, idempotent=idempotent)
        call = Call(
            method=method,
            path=inner_path,
            wire_method="POST",
            url=self._sync_url,
            body=operation_body(self._client.routes, method, inner_path, json, query),
            # The wrapper is a POST, but it is exactly as safe to repeat as what it wraps.
            idempotent=is_idempotent(method, idempotent),
            partner=True,
            account=self.account_id,
        )
        return self._client.execute(call, self.stats, self.gate)

    def _split(self, path: str, params: Params) -> tuple[str, list[tuple[str, str]]]:
        """A path (with query string) -> base-relative path and query pairs."""
        relative = paging.strip_base(path, self._client.base_path)
        parts = urlsplit(relative)
        inner = parts.path if parts.path.startswith("/") else "/" + parts.path
        query = parse_qsl(parts.query, keep_blank_values=True) + query_pairs(params)
        return inner, query

    def poll_settings(self) -> activities.PollSettings:
        return self._client.poll_settings()

    def sleep(self, seconds: float) -> None:
        self._client.sleep(seconds)

    def __repr__(self) -> str:
        return f"AccountProxy({self.account_id!r})"
