"""Seeding an account's own settings: `account:`, `physical_address:`, `sender_emails:`.

```yaml
account: {organization_name: Hanks Fresh Fruit, website: https://hanksfruit.example}
physical_address: {address_line1: 123 Maple Street, city: Boston, state_code: MA,
                   postal_code: "02451", country_code: US}
sender_emails:
  - news@hanksfruit.example                       # CONFIRMED
  - {email_address: new@hanksfruit.example, confirm_status: UNCONFIRMED}
```

They go through the definitions and rules of PUT /account/summary, POST
/account/summary/physical_address and POST /account/emails; a contact_email the account
does not have yet is added as a confirmed address first (the API wants a confirmed one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .account_records import ADDRESS_FIELDS, CONFIRMED, SUMMARY_FIELDS, UNCONFIRMED
from .messages import SandboxError
from .seed_common import SeedError, check_keys, items, validate_seed
from .store import AccountStore

SETTINGS_KEYS = ("account", "physical_address", "sender_emails")
EMAIL_KEYS = {"email_address", "confirm_status", "roles"}


def seed_settings(
    store: AccountStore, data: Mapping[str, Any], where: str, client_id: str | None = None
) -> None:
    for index, email in enumerate(items(data, "sender_emails", where)):
        _seed_email(store, email, f"{where}.sender_emails[{index}]")
    if data.get("account") is not None:
        _seed_summary(store, data["account"], f"{where}.account", client_id)
    if data.get("physical_address") is not None:
        at, address = f"{where}.physical_address", data["physical_address"]
        check_keys(address, set(ADDRESS_FIELDS), at)
        validate_seed(dict(address), "AccountPhysicalAddress", at)
        _run(lambda: store.create_address(dict(address)), at)


def _seed_email(store: AccountStore, item: Any, where: str) -> None:
    email = {"email_address": item} if isinstance(item, str) else item
    check_keys(email, EMAIL_KEYS, where)
    validate_seed({"email_address": email.get("email_address")}, "AccountEmailInput", where)
    status = email.get("confirm_status", CONFIRMED)
    if status not in (CONFIRMED, UNCONFIRMED):
        raise SeedError(f"{where}: confirm_status must be {CONFIRMED} or {UNCONFIRMED}")
    roles = email.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise SeedError(f"{where}: roles must be a list of role codes")
    confirmed = status == CONFIRMED
    _run(lambda: store.add_email(email.get("email_address"), confirmed, roles), where)


def _seed_summary(store: AccountStore, item: Any, where: str, client_id: str | None) -> None:
    check_keys(item, set(SUMMARY_FIELDS), where)
    body = dict(item)
    validate_seed(body, "CustomerPut", where)
    encoded_id = body.pop("encoded_account_id", None)
    if encoded_id is not None and client_id is not None and encoded_id != client_id:
        raise SeedError(f"{where}: encoded_account_id {encoded_id!r} is not {client_id!r}")
    if encoded_id is not None:
        store.set_identity(str(encoded_id), None)  # the default account's own id
    contact = body.get("contact_email")
    if isinstance(contact, str) and store.account.email(contact) is None:
        _run(lambda: store.add_email(contact, confirmed=True), where)
    _run(lambda: store.update_summary(body), where)


def _run(action: Any, where: str) -> None:
    try:
        action()
    except SandboxError as exc:
        raise SeedError(f"{where}: {exc}") from None
