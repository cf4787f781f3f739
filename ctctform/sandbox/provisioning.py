"""Partner provisioning (POST /partner/accounts) and billing plans (/partner/accounts/{id}/plan).

Sources: the spec's text of those endpoints and its Provision, PlanInfo and PlanTiersObject
definitions; the API guide's Create a new Partner Client Account page
(https://v3.developer.constantcontact.com/api_guide/partners_accts_create.html) and PUT
Billing Plan page (https://v3.developer.constantcontact.com/api_guide/partners_plans_update.html).
The password is checked and dropped: nothing the sandbox answers, stores or logs holds it.
"""

from __future__ import annotations

import hashlib
import re
import string
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .messages import BadRequest
from .store import AccountStore

BILLING_STATUSES = ("Trial", "Open", "Canceled", "Trial End")
PLAN_TYPES = ("TRIAL", "BRONZE", "SILVER", "GOLD")  # PlanInfo.plan_type's list
LOGIN_NAME = re.compile(r"^[A-Za-z0-9\-_@.+]+$")  # "only alphanumeric characters and -_@.+"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BILLING_LOCALES = ("en_US", "en_GB")
STATE_COUNTRIES = ("US", "CA")
# Provision properties that become the new account's summary (CustomerPut's names).
SUMMARY_FROM_PROVISION = (
    "contact_email",
    "contact_phone",
    "country_code",
    "first_name",
    "last_name",
    "organization_name",
    "organization_phone",
    "state_code",
    "time_zone_id",
    "website",
)
# TierObject's example tiers: "level 1 = 0 - 500 contacts, level 2 = 501 - 1000, level 3 = 1001 - ...".
TIERS = ((1, 0, 500), (2, 501, 1000), (3, 1001, None))
ID_ALPHABET = string.ascii_lowercase + string.digits


def split_password(body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The body without its password (validated apart, so no message can echo it)."""
    rest = {k: v for k, v in body.items() if k != "password"}
    return rest, body.get("password")


def check_password(password: Any, login_name: str) -> None:
    """8 to 80 characters, and not containing the login name; messages never show it."""
    if password is None:
        return  # "Required if not using Single Sign On (SSO) or external authenticator"
    if not isinstance(password, str):
        raise BadRequest("password must be of type string")
    if not 8 <= len(password) <= 80:
        raise BadRequest("password must be 8 to 80 characters long")
    if login_name and login_name.casefold() in password.casefold():
        raise BadRequest("password must not contain the login name")


def check_provision(body: dict[str, Any]) -> None:
    """The rules of Provision's descriptions (its schema is checked before)."""
    if not LOGIN_NAME.match(body["login_name"]):
        raise BadRequest("login_name may only contain letters, digits and - _ @ . +")
    if not EMAIL.match(body["contact_email"]):
        raise BadRequest("contact_email is not a valid email address")
    country, state = body["country_code"].upper(), body.get("state_code", "")
    if country in STATE_COUNTRIES and not state:
        raise BadRequest("state_code is required when country_code is US or CA")
    if country not in STATE_COUNTRIES and state:
        raise BadRequest("leave state_code blank outside the US and Canada")
    website = body.get("website")
    if website is not None and urlsplit(website).scheme not in ("http", "https"):
        raise BadRequest("website must be a URL starting with http:// or https://")
    if body.get("billing_locale", "en_US") not in BILLING_LOCALES:
        raise BadRequest(f"billing_locale must be one of {', '.join(BILLING_LOCALES)}")


def fill_provisioned_store(store: AccountStore, encoded_id: str, body: dict[str, Any]) -> None:
    """The new account's summary from the Provision fields; its contact email UNCONFIRMED."""
    store.set_identity(encoded_id, body.get("organization_name", ""))
    for name in SUMMARY_FROM_PROVISION:
        if name in body:
            store.account.summary[name] = body[name]
    store.add_email(body["contact_email"]).pending_roles.append("CONTACT")


def new_encoded_id(seed_text: str, taken: set[str]) -> str:
    """A fresh id in the examples' format (`a07e1lwvtuw0`), stable for a given seed text."""
    for attempt in range(1000):
        digest = hashlib.sha256(f"{seed_text}:{attempt}".encode()).digest()
        tail = "".join(ID_ALPHABET[b % len(ID_ALPHABET)] for b in digest[:7])
        candidate = "a07e1" + tail
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free encoded_account_id")  # pragma: no cover


def new_provision_uuid() -> str:
    return str(uuid.uuid4())


def plan_body(
    plan_type: str, billing_status: str, day: int | None, subscribers: int
) -> dict[str, Any]:
    """PlanTiersObject: a trial has no tiers; a paid plan the tier its contacts fall in."""
    tiers: list[dict[str, Any]] = []
    if plan_type != "TRIAL":
        tier, low, high = next(t for t in TIERS if t[2] is None or subscribers <= t[2])
        tier_body = {"usage_type": "CONTACTS", "current_usage": float(subscribers), "tier": tier}
        tier_body |= {"tier_min": float(low)} | ({"tier_max": float(high)} if high else {})
        tiers.append(tier_body | {"currency_code": "USD"})
    return {
        "plan_type": plan_type,
        "current_tiers": tiers,
        "billing_status": billing_status,
        "billing_day_of_month": day,
    }


def check_plan_change(current: str, body: dict[str, Any]) -> tuple[str, int | None, bool]:
    """(new plan type, billing day to set or None, whether it leaves TRIAL) for a PUT.

    "Changing the plan_type from TRIAL to another plan_type automatically changes the
    billing_status from Trial to Open"; the billing day "can only be changed when changing
    the plan_type value from TRIAL to a different plan_type, otherwise the value you enter
    is ignored"; "After changing the plan_type from TRIAL to any other billing plan type,
    you cannot change it back to TRIAL".
    """
    wanted = body.get("plan_type", current)
    if wanted not in PLAN_TYPES:
        raise BadRequest(f"plan_type {wanted} is not available in your partner plan group")
    day = body.get("billing_day_of_month")
    if day is not None and not 1 <= day <= 31:
        raise BadRequest("billing_day_of_month must be 1 to 31")
    if current != "TRIAL" and wanted == "TRIAL":
        raise BadRequest("a client account cannot change back to a TRIAL plan")
    leaves_trial = current == "TRIAL" and wanted != "TRIAL"
    if leaves_trial and day is None:
        day = datetime.now(UTC).day  # "the day on which the plan_type value changes"
    return wanted, day if leaves_trial else None, leaves_trial
