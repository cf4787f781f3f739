"""Provisioning client accounts, exactly once, and setting their billing plans.

`POST /partner/accounts` is not safe to repeat: a create whose answer was lost is resolved by
looking the account up by its login (`site_owner_name`), never by posting twice (DESIGN §8).
ctctform never cancels an account.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ctctform.api import Client
from ctctform.api.errors import AmbiguousWriteError, AnswerError, ApiError
from ctctform.fleet.model import Entry

ATTEMPTS = 3


def find_by_login(root: Client, login: str) -> dict[str, Any] | None:
    for account in root.partner_accounts(account_type=None):
        if account.get("site_owner_name") == login:
            return account
    return None


def provision(
    root: Client, entry: Entry, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """The client account for `entry`'s login, created if no client account has it."""
    assert entry.login_name and entry.provision is not None
    body = {**entry.provision, "login_name": entry.login_name}
    for attempt in range(ATTEMPTS):
        try:
            answer = root.request("POST", "/partner/accounts", json=body)
        except AmbiguousWriteError:
            # The answer was lost: the account may exist now. Look before posting again.
            found = find_by_login(root, entry.login_name)
            if found is not None:
                return found
            if attempt == ATTEMPTS - 1:
                raise
            sleep(min(1.0 * 2**attempt, 5.0))
            continue
        except ApiError as exc:
            found = find_by_login(root, entry.login_name) if exc.status == 409 else None
            if found is None:
                raise
            return found
        ident = answer.get("encoded_account_id") if isinstance(answer, dict) else None
        if not isinstance(ident, str) or not ident:
            raise AnswerError("POST /partner/accounts: the answer has no encoded_account_id")
        return {
            "encoded_account_id": ident,
            "organization_name": body.get("organization_name") or "",
            "site_owner_name": entry.login_name,
            "billing_status": "Trial",
        }
    raise AssertionError("unreachable")


def plan_changes(root: Client, ident: str, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The PlanInfo to PUT when the account's billing plan differs from `wanted`, or None."""
    path = f"/partner/accounts/{ident}/plan"
    current = root.get(path)
    if not isinstance(current, dict):
        raise AnswerError(f"GET {path}: the answer is not a billing plan")
    if current.get("plan_type") == wanted.get("plan_type"):
        return None  # the day of month can only change together with leaving TRIAL
    return dict(wanted)


def set_plan(root: Client, ident: str, wanted: dict[str, Any]) -> bool:
    """PUT the billing plan when it differs; True when it was changed."""
    change = plan_changes(root, ident, wanted)
    if change is None:
        return False
    root.request("PUT", f"/partner/accounts/{ident}/plan", json=change)
    return True
