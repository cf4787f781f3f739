"""The routing table: which handler answers which path, and which credentials it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from .handlers import (
    account,
    activities,
    custom_fields,
    lists,
    oauth,
    partner,
    partner_accounts,
    segments,
    tags,
)
from .handlers import device as device_flow
from .messages import ApiResponse, error_response

ACCOUNT, PARTNER, OAUTH = "account", "partner", "oauth"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    realm: str  # ACCOUNT (bearer), PARTNER (bearer + x-api-key) or OAUTH (token endpoints)
    handler: Callable[..., ApiResponse]


def _rule(path: str, methods: list[str], realm: str, handler: Callable[..., Any]) -> Rule:
    return Rule(path, methods=methods, endpoint=Route(realm, handler))


def _account_rules(prefix: str) -> list[Rule]:
    r = ACCOUNT
    return [
        _rule(f"{prefix}/contact_lists", ["GET"], r, lists.get_collection),
        _rule(f"{prefix}/contact_lists", ["POST"], r, lists.create),
        _rule(f"{prefix}/contact_lists/<list_id>", ["GET"], r, lists.get),
        _rule(f"{prefix}/contact_lists/<list_id>", ["PUT"], r, lists.replace),
        _rule(f"{prefix}/contact_lists/<list_id>", ["DELETE"], r, lists.delete),
        _rule(f"{prefix}/contact_tags", ["GET"], r, tags.get_collection),
        _rule(f"{prefix}/contact_tags", ["POST"], r, tags.create),
        _rule(f"{prefix}/contact_tags/<tag_id>", ["GET"], r, tags.get),
        _rule(f"{prefix}/contact_tags/<tag_id>", ["PUT"], r, tags.rename),
        _rule(f"{prefix}/contact_tags/<tag_id>", ["DELETE"], r, tags.delete),
        _rule(f"{prefix}/contact_custom_fields", ["GET"], r, custom_fields.get_collection),
        _rule(f"{prefix}/contact_custom_fields", ["POST"], r, custom_fields.create),
        _rule(f"{prefix}/contact_custom_fields/<custom_field_id>", ["GET"], r, custom_fields.get),
        _rule(
            f"{prefix}/contact_custom_fields/<custom_field_id>", ["PUT"], r, custom_fields.update
        ),
        _rule(
            f"{prefix}/contact_custom_fields/<custom_field_id>",
            ["DELETE"],
            r,
            custom_fields.delete,
        ),
        _rule(f"{prefix}/segments", ["GET"], r, segments.get_collection),
        _rule(f"{prefix}/segments", ["POST"], r, segments.create),
        _rule(f"{prefix}/segments/<int:segment_id>", ["GET"], r, segments.get),
        _rule(f"{prefix}/segments/<int:segment_id>", ["PUT"], r, segments.update),
        _rule(f"{prefix}/segments/<int:segment_id>", ["DELETE"], r, segments.delete),
        _rule(f"{prefix}/segments/<int:segment_id>/name", ["PATCH"], r, segments.rename),
        _rule(f"{prefix}/activities/list_delete", ["POST"], r, activities.delete_lists),
        _rule(f"{prefix}/activities/contacts_tags_delete", ["POST"], r, activities.delete_tags),
        _rule(
            f"{prefix}/activities/custom_fields_delete",
            ["POST"],
            r,
            activities.delete_custom_fields,
        ),
        _rule(f"{prefix}/activities/<activity_id>", ["GET"], r, activities.get),
        *_settings_rules(prefix),
    ]


def _settings_rules(prefix: str) -> list[Rule]:
    """The account's own settings (no DELETE: sender emails cannot be removed, so 405)."""
    r, address = ACCOUNT, f"{prefix}/account/summary/physical_address"
    return [
        _rule(f"{prefix}/account/summary", ["GET"], r, account.get_summary),
        _rule(f"{prefix}/account/summary", ["PUT"], r, account.update_summary),
        _rule(address, ["GET"], r, account.get_address),
        _rule(address, ["POST"], r, account.create_address),
        _rule(address, ["PUT"], r, account.replace_address),
        _rule(f"{prefix}/account/emails", ["GET"], r, account.get_emails),
        _rule(f"{prefix}/account/emails", ["POST"], r, account.add_email),
    ]


def _partner_rules() -> list[Rule]:
    p = PARTNER
    subscription = "/v3/partner/webhooks/subscriptions/<topic_id>"
    plan = "/v3/partner/accounts/<encoded_account_id>/plan"
    return [
        _rule("/v3/partner/webhooks/subscriptions", ["GET"], p, partner.get_subscriptions),
        _rule(subscription, ["GET"], p, partner.get_subscription),
        _rule(subscription, ["PUT"], p, partner.put_subscription),
        _rule(subscription, ["DELETE"], p, partner.delete_subscription),
        _rule("/v3/partner/accounts", ["GET"], p, partner_accounts.get_accounts),
        _rule("/v3/partner/accounts", ["POST"], p, partner_accounts.provision),
        _rule(plan, ["GET"], p, partner_accounts.get_plan),
        _rule(plan, ["PUT"], p, partner_accounts.put_plan),
        _rule(
            "/v3/partner/accounts/<encoded_account_id>/account_operations/sync",
            ["POST"],
            p,
            partner.account_operation,
        ),
    ]


def _oauth_rules() -> list[Rule]:
    return [
        _rule("/oauth2/default/v1/token", ["POST"], OAUTH, oauth.token_grant),
        _rule("/oauth2/default/v1/device/authorize", ["POST"], OAUTH, device_flow.authorize),
        _rule("/oauth2/token", ["POST"], OAUTH, oauth.client_credentials_grant),
        _rule(device_flow.ACTIVATE_PATH, ["GET"], OAUTH, device_flow.activate_page),
    ]


SERVER_MAP = Map(_account_rules("/v3") + _partner_rules() + _oauth_rules())
# What a partner may send through account_operations/sync: the account endpoints only.
ACCOUNT_MAP = Map(_account_rules("/v3"))


def match(url_map: Map, method: str, path: str) -> tuple[Route, dict[str, Any]] | ApiResponse:
    """The route and path arguments for a request, or the 404/405 response."""
    try:
        route, args = url_map.bind("sandbox").match(path, method=method)
    except (NotFound, RequestRedirect):
        return error_response(404, "contacts.api.not.found", f"No resource at {path}")
    except MethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.valid_methods or []))
        response = error_response(
            405, "contacts.api.method.not.allowed", f"{method} is not allowed on {path}"
        )
        response.headers["Allow"] = allowed
        return response
    return route, dict(args)
