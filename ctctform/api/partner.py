"""Partner proxy: the Client interface, sent on behalf of a client account.

Every request becomes `POST /partner/accounts/{encoded_account_id}/account_operations/sync`
with a PartnerAccountOperationsRequest body (spec 3.0.172): the v3 path *template* in
`account_operation_url` (path parameter names in braces, values in
`account_operation_path_parameters`), the method, the JSON body as an escaped string in
`account_operation_payload`, and query parameters as key/value objects. The answer is the
wrapped request's own status and body, so callers get the same JSON and the same ApiError.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ctctform.api import activities, paging
from ctctform.api.client import ApiMethods, Call, Params, _is_idempotent
from ctctform.api.stats import Stats

if TYPE_CHECKING:
    from ctctform.api.client import Client

# Fixed paths that would otherwise look like `{activity_id}` values.
LITERAL_PATHS = frozenset(
    {
        "/activities/list_delete",
        "/activities/contacts_tags_delete",
        "/activities/custom_fields_delete",
    }
)
# Path templates of the endpoints ctctform uses, with the spec's parameter names.
TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("contact_lists", "{list_id}"),
    ("contact_tags", "{tag_id}"),
    ("contact_custom_fields", "{custom_field_id}"),
    ("segments", "{segment_id}"),
    ("segments", "{segment_id}", "name"),
    ("activities", "{activity_id}"),
)


def path_template(path: str) -> tuple[str, list[dict[str, str]]]:
    """`/segments/7/name` -> (`/segments/{segment_id}/name`, [{segment_id: 7}]).

    Paths that match no known template are sent literally with no path parameters, which
    the endpoint also accepts (a URL with nothing to substitute).
    """
    if path in LITERAL_PATHS:
        return path, []
    segments = tuple(path.strip("/").split("/"))
    for template in TEMPLATES:
        if len(template) != len(segments):
            continue
        if all(t.startswith("{") or t == s for t, s in zip(template, segments, strict=True)):
            values = [
                {"path_param_key": t[1:-1], "path_param_value": unquote(s)}
                for t, s in zip(template, segments, strict=True)
                if t.startswith("{")
            ]
            return "/" + "/".join(template), values
    return path, []


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
    method: str, path: str, json: Any, query: list[tuple[str, str]]
) -> dict[str, Any]:
    url, path_params = path_template(path)
    body: dict[str, Any] = {"account_operation_url": url, "account_operation_method": method}
    if json is not None:
        body["account_operation_payload"] = jsonlib.dumps(json, separators=(",", ":"))
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
    account's requests and also rolls them up into the parent's stats.
    """

    def __init__(self, client: Client, encoded_account_id: str) -> None:
        if not encoded_account_id:
            raise ValueError("encoded_account_id is required")
        self.account_id = encoded_account_id
        self.stats = Stats(parent=client.stats)
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
            body=operation_body(method, inner_path, json, query),
            # The wrapper is a POST, but it is exactly as safe to repeat as what it wraps.
            idempotent=_is_idempotent(method, idempotent),
            partner=True,
            account=self.account_id,
        )
        return self._client.execute(call, self.stats)

    def _split(self, path: str, params: Params) -> tuple[str, list[tuple[str, str]]]:
        """A path or href (with query string) -> base-relative path and query pairs."""
        relative = paging.strip_base(path, self._client.base_path)
        parts = urlsplit(relative)
        inner = parts.path if parts.path.startswith("/") else "/" + parts.path
        query = parse_qsl(parts.query, keep_blank_values=True) + query_pairs(params)
        return inner, query

    def _follow(self, href: str) -> str:
        return paging.strip_base(href, self._client.base_path)

    def _poll_settings(self) -> activities.PollSettings:
        return self._client._poll_settings()

    def _sleep(self, seconds: float) -> None:
        self._client._sleep(seconds)

    def __repr__(self) -> str:
        return f"AccountProxy({self.account_id!r})"
