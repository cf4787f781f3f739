"""Partner endpoints: webhook subscriptions, client accounts, and account_operations/sync."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from ..messages import ApiRequest, ApiResponse, BadRequest, Forbidden, no_content, ok
from ..requestlog import RequestRecord
from ..state import Context

INNER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


# -- webhooks ---------------------------------------------------------------------------


def get_subscriptions(ctx: Context) -> ApiResponse:
    return ok(ctx.state.partner.subscriptions())


def get_subscription(ctx: Context, topic_id: str) -> ApiResponse:
    return ok(ctx.state.partner.subscription(_topic(topic_id)))


def put_subscription(ctx: Context, topic_id: str) -> ApiResponse:
    topic = _topic(topic_id)
    body = ctx.request.json("WebhooksSubscriptionBody")
    hook_uri = body.get("hook_uri")
    # WebhooksSubscriptionBody requires nothing, but a subscription is its callback URI:
    # subscribe() checks it is https with a real host and at most 512 characters.
    ctx.state.partner.subscribe(topic, hook_uri)
    return ok({"topic_id": topic, "hook_uri": hook_uri})  # WebhooksSubscriptionPutResp


def delete_subscription(ctx: Context, topic_id: str) -> ApiResponse:
    ctx.state.partner.unsubscribe(_topic(topic_id))
    return no_content()


def _topic(topic_id: str) -> int:
    try:
        return int(topic_id)
    except ValueError:
        raise BadRequest("topic_id must be an integer") from None


# -- account_operations/sync ------------------------------------------------------------


def account_operation(ctx: Context, encoded_account_id: str) -> ApiResponse:
    """Run the wrapped request against the client account; answer its status and body.

    The inner request is logged with `account=encoded_account_id` (before the outer one).
    """
    account = ctx.state.partner.account(encoded_account_id)
    body = ctx.request.json("PartnerAccountOperationsRequest")
    if not account.managed:
        raise Forbidden(f"The account {encoded_account_id} is not managed by this partner.")
    if not account.operable:  # cancelled
        raise Forbidden(f"The account {encoded_account_id} is cancelled.")
    inner = inner_request(body, encoded_account_id)
    response = ctx.dispatch_account(account.store, inner)
    query = urlencode(list(inner.args.items(multi=True)))
    ctx.state.log.add(
        RequestRecord(inner.method, inner.path, response.status, encoded_account_id, query)
    )
    return response


def inner_request(body: dict[str, Any], encoded_account_id: str) -> ApiRequest:
    method = body["account_operation_method"].upper()
    if method not in INNER_METHODS:
        raise BadRequest(f"account_operation_method must be one of {', '.join(INNER_METHODS)}")
    path, url_query = _inner_path(body)
    args = MultiDict(parse_qsl(url_query, keep_blank_values=True))
    for param in body.get("account_operation_query_parameters") or []:
        args.add(param.get("query_param_key", ""), param.get("query_param_value", ""))
    payload = body.get("account_operation_payload") or ""
    return ApiRequest(
        method=method,
        path=path,
        args=args,
        body=payload.encode("utf-8"),
        content_type="application/json" if payload else "",
        account=encoded_account_id,
    )


def _inner_path(body: dict[str, Any]) -> tuple[str, str]:
    """`/contact_lists/{list_id}` plus path parameters -> `/v3/contact_lists/<id>`.

    The URL is given "without the https://api.cc.email/v3 base url and with any path
    parameter names included", the values coming from account_operation_path_parameters.
    """
    url = body["account_operation_url"]
    values = {
        p.get("path_param_key"): p.get("path_param_value", "")
        for p in body.get("account_operation_path_parameters") or []
    }

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise BadRequest(f"account_operation_path_parameters has no value for {name!r}")
        return str(values[name])

    path, _, query = PLACEHOLDER.sub(substitute, url).partition("?")
    if not path.startswith("/") or path.startswith("/partner"):
        raise BadRequest("account_operation_url must be a v3 API path such as /contact_lists")
    return "/v3" + path, query
