"""Provisioning client accounts, exactly once, and setting their billing plans.

`POST /partner/accounts` is not safe to repeat: a create whose answer was lost is resolved by
looking the account up by its login (`site_owner_name`), never by posting twice (DESIGN §8).
ctctform never cancels an account.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import quote

from ctctform.api.errors import AmbiguousWriteError, AnswerError, ApiError
from ctctform.api.redact import REDACTOR
from ctctform.errors import CtctformError
from ctctform.fleet.model import Entry

ATTEMPTS = 3
ENV = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


class PartnerApi(Protocol):
    def request(self, method: str, path: str, json: Any = None) -> Any: ...

    def get(self, path: str) -> Any: ...

    def partner_accounts(self, account_type: str | None = "managed") -> list[dict[str, Any]]: ...


def missing_env(entry: Entry, env: Mapping[str, str]) -> list[str]:
    """`FILE:LINE: provision.KEY: ${env:NAME} is not set` for each variable a create lacks."""
    out = []
    for key, value in (entry.provision or {}).items():
        for name in ENV.findall(value) if isinstance(value, str) else ():
            if not env.get(name):
                state = "empty" if env.get(name) == "" else "not set"
                line = entry.provision_lines.get(key, entry.location.line)
                out.append(
                    f"{entry.location.file}:{line}: provision.{key}: ${{env:{name}}} is {state}"
                    " in the environment"
                )
    return out


def resolved_body(entry: Entry, env: Mapping[str, str]) -> dict[str, Any]:
    """The Provision body with `${env:NAME}` resolved; the password joins the redactor
    before it is used anywhere."""
    assert entry.login_name and entry.provision is not None
    if problems := missing_env(entry, env):
        raise CtctformError(problems[0])
    out: dict[str, Any] = {}
    for key, value in entry.provision.items():
        if isinstance(value, str):
            value = ENV.sub(lambda m: env[m.group(1)], value)
            if key == "password":
                REDACTOR.add(value)
        out[key] = value
    return {**out, "login_name": entry.login_name}


def find_by_login(root: PartnerApi, login: str) -> dict[str, Any] | None:
    for account in root.partner_accounts(account_type=None):
        if account.get("site_owner_name") == login:
            return account
    return None


def provision(
    root: PartnerApi,
    entry: Entry,
    env: Mapping[str, str],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The client account for `entry`'s login, created if no client account has it."""
    assert entry.login_name
    body = resolved_body(entry, env)
    for attempt in range(ATTEMPTS):
        try:
            answer = root.request("POST", "/partner/accounts", json=body)
        except AnswerError:
            # A success whose body cannot be read (not JSON): the account was made.
            found = find_by_login(root, entry.login_name)
            if found is not None:
                return found
            raise
        except AmbiguousWriteError as exc:
            # The answer was lost: the account may exist now. Look before posting again.
            found = find_by_login(root, entry.login_name)
            if found is not None:
                return found
            if exc.status == 503:
                # The spec's POST /partner/accounts: on a 503 "the client account provision
                # data is stored and processed when provisioning becomes available", so a
                # second POST could make a second account: the next run finds this one.
                raise CtctformError(
                    f"POST /partner/accounts: 503, the API has queued the account "
                    f"{entry.login_name!r} to be created when provisioning is available; "
                    "run again later to configure it (nothing is posted twice)"
                ) from None
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
            # Created, but the answer does not say which account: as good as a lost
            # answer, so find it by its login rather than fail a created account.
            found = find_by_login(root, entry.login_name)
            if found is not None:
                return found
            raise AnswerError("POST /partner/accounts: the answer has no encoded_account_id")
        return {
            "encoded_account_id": ident,
            "organization_name": body.get("organization_name") or "",
            "site_owner_name": entry.login_name,
            "billing_status": "Trial",
        }
    raise AssertionError("unreachable")


def plan_changes(root: PartnerApi, ident: str, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The PlanInfo to PUT when the account's billing plan differs from `wanted`, or None."""
    path = f"/partner/accounts/{quote(ident, safe='')}/plan"
    current = root.get(path)
    if not isinstance(current, dict):
        raise AnswerError(f"GET {path}: the answer is not a billing plan")
    if current.get("plan_type") == wanted.get("plan_type"):
        return None  # the day of month can only change together with leaving TRIAL
    return dict(wanted)


def set_plan(root: PartnerApi, ident: str, wanted: dict[str, Any]) -> bool:
    """PUT the billing plan when it differs; True when it was changed."""
    change = plan_changes(root, ident, wanted)
    if change is None:
        return False
    root.request("PUT", f"/partner/accounts/{quote(ident, safe='')}/plan", json=change)
    return True
