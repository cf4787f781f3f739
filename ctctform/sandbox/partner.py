"""Partner-level state: webhook subscriptions and the client accounts under the partner."""

from __future__ import annotations

import base64
import ipaddress
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import provisioning
from .messages import BadRequest, Conflict, NotFound
from .store import AccountStore

# From the text of PUT /partner/webhooks/subscriptions/{topic_id}; names and descriptions
# follow the WebhooksSubscriptionCollection example ("Billing Tier Downgrade", "Executes
# when an account's billing tier is downgraded.").
TOPICS: dict[int, tuple[str, str]] = {
    1: ("Billing Tier Upgrade", "Executes when an account's billing tier is upgraded."),
    2: ("Billing Tier Downgrade", "Executes when an account's billing tier is downgraded."),
    3: ("Account Cancelled", "Executes when an account is cancelled."),
    4: ("Account Disabled", "Executes when an account is disabled."),
}


# "The URI must begin with https:// and be no more than 512 characters in length."
# (https://developer.constantcontact.com/api_guide/technology-partner-webhooks/webhooks-test);
# WebhooksSubscriptionBody itself only says "string".
MAX_HOOK_URI = 512
HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass
class ClientAccount:
    """A client account under the partner, with its own store.

    Its encoded_account_id and organization_name live in the store's account summary, so
    what GET /partner/accounts lists follows a PUT /account/summary made for the account.
    """

    encoded_account_id: str
    store: AccountStore
    site_owner_name: str = ""
    billing_status: str = "Trial"  # Trial, Open, Canceled or Trial End
    subscriber_count: int = 0
    managed: bool = True
    plan_type: str = "TRIAL"
    billing_day_of_month: int | None = None  # null while on TRIAL

    def __post_init__(self) -> None:
        self.store.set_identity(self.encoded_account_id, None)

    @property
    def operable(self) -> bool:
        """Unmanaged and cancelled accounts cannot be operated through account_operations."""
        return self.managed and self.billing_status != "Canceled"

    def plan(self) -> dict[str, Any]:
        return provisioning.plan_body(
            self.plan_type, self.billing_status, self.billing_day_of_month, self.subscriber_count
        )

    def change_plan(self, body: dict[str, Any]) -> dict[str, Any]:
        plan_type, day, leaves_trial = provisioning.check_plan_change(self.plan_type, body)
        self.plan_type = plan_type
        if leaves_trial:
            self.billing_day_of_month = day
            if self.billing_status in ("Trial", "Trial End"):
                self.billing_status = "Open"
        return self.plan()

    @property
    def organization_name(self) -> str:
        return self.store.account.summary.get("organization_name", "")

    def to_api(self) -> dict[str, Any]:
        # site_owner_list item; last_login_date "does not display in the results".
        return {
            "encoded_account_id": self.encoded_account_id,
            "subscriber_count": self.subscriber_count,
            "organization_name": self.organization_name,
            "site_owner_name": self.site_owner_name,
            "billing_status": self.billing_status,
        }


@dataclass
class PartnerState:
    lock: threading.RLock
    webhooks: dict[int, str] = field(default_factory=dict)  # topic_id -> hook_uri
    accounts: dict[str, ClientAccount] = field(default_factory=dict)
    issued_offsets: dict[str, int] = field(default_factory=dict)  # next-link token -> offset

    def subscribe(self, topic_id: int, hook_uri: str) -> None:
        with self.lock:
            check_topic(topic_id)
            check_hook_uri(hook_uri)
            self.webhooks[topic_id] = hook_uri

    def unsubscribe(self, topic_id: int) -> None:
        with self.lock:
            if self.webhooks.pop(check_topic(topic_id), None) is None:
                raise NotFound(f"No subscription for topic_id {topic_id}")

    def subscription(self, topic_id: int) -> dict[str, Any]:
        with self.lock:
            hook_uri = self.webhooks.get(check_topic(topic_id))
            if hook_uri is None:
                raise NotFound(f"No subscription for topic_id {topic_id}")
            return subscription_body(topic_id, hook_uri)

    def subscriptions(self) -> list[dict[str, Any]]:
        with self.lock:
            return [subscription_body(t, uri) for t, uri in sorted(self.webhooks.items())]

    def add_account(self, account: ClientAccount) -> ClientAccount:
        with self.lock:
            if account.encoded_account_id in self.accounts:
                raise BadRequest(f"account {account.encoded_account_id} already exists")
            self.accounts[account.encoded_account_id] = account
            return account

    def issue_offset(self, offset: int) -> str:
        """The opaque offset of a next link: base64 with `*` for `=`, as in the API guide's
        example `/v3/partner/accounts?offset=MTA*&limit=10`
        (https://v3.developer.constantcontact.com/api_guide/partners_accts_get.html)."""
        token = base64.b64encode(str(offset).encode()).decode("ascii").replace("=", "*")
        with self.lock:
            self.issued_offsets[token] = offset
        return token

    def read_offset(self, token: str | None) -> int:
        """0 without an offset; only offsets this sandbox put in a next link are accepted."""
        if token is None:
            return 0
        with self.lock:
            offset = self.issued_offsets.get(token)
        if offset is None:
            raise BadRequest("offset is not valid: use the offset of the next link as it is")
        return offset

    def provision(self, body: dict[str, Any], store: AccountStore) -> ClientAccount:
        """A new managed Trial client account from a Provision body (password removed)."""
        with self.lock:
            login_name = body["login_name"]
            if any(a.site_owner_name == login_name for a in self.accounts.values()):
                raise Conflict(f"A client account with login_name {login_name!r} already exists.")
            encoded_id = provisioning.new_encoded_id(login_name, set(self.accounts))
            provisioning.fill_provisioned_store(store, encoded_id, body)
            # managed_site_owner: "attempting to override the setting with false is ignored"
            return self.add_account(ClientAccount(encoded_id, store, site_owner_name=login_name))

    def account(self, encoded_account_id: str) -> ClientAccount:
        with self.lock:
            account = self.accounts.get(encoded_account_id)
            if account is None:
                raise NotFound(f"The account {encoded_account_id} was not found.")
            return account


def check_topic(topic_id: int) -> int:
    if topic_id not in TOPICS:
        raise BadRequest(f"topic_id must be one of {', '.join(map(str, TOPICS))}")
    return topic_id


def check_hook_uri(hook_uri: Any) -> None:
    """An absolute https URI with a real host name or address, at most 512 characters."""
    if not isinstance(hook_uri, str) or not hook_uri:
        raise BadRequest("hook_uri is required")
    if len(hook_uri) > MAX_HOOK_URI:
        raise BadRequest(f"hook_uri must be at most {MAX_HOOK_URI} characters long")
    try:
        parts = urlsplit(hook_uri)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise BadRequest("hook_uri is not a valid URI") from None
    if parts.scheme != "https":
        raise BadRequest("hook_uri must be an https:// URI")
    if not _real_host(parts.hostname or "") or any(c.isspace() for c in hook_uri):
        raise BadRequest("hook_uri must name a real host, as in https://hooks.example.com/...")


def _real_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        labels = host.rstrip(".").split(".")
        return bool(host) and all(HOST_LABEL.match(label) for label in labels)


def subscription_body(topic_id: int, hook_uri: str) -> dict[str, Any]:
    name, description = TOPICS[topic_id]
    return {
        "topic_id": topic_id,
        "hook_uri": hook_uri,
        "topic_name": name,
        "topic_description": description,
    }
