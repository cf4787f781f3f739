"""Rules for the account summary and its physical address, beyond their schemas.

Sources: the descriptions of CustomerPut and AccountPhysicalAddress, and the API guide's
Put Account Summary Details page
(https://v3.developer.constantcontact.com/api_guide/account_details_put.html): the
contact_email "must be a confirmed email address that already exists for this account".
"""

from __future__ import annotations

import re
from typing import Any

from ..account_records import ADDRESS_FIELDS
from ..messages import BadRequest

COUNTRY = re.compile(r"^[A-Z]{2}$")
STATE_COUNTRIES = ("US", "CA")  # the countries whose addresses take a state_code
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_summary(summary: dict[str, Any]) -> None:
    """The summary after a partial update: an uppercase country, a state for US accounts."""
    country = summary.get("country_code")
    if country is not None and not COUNTRY.match(country):
        raise BadRequest("country_code must be an uppercase two-letter ISO 3166-1 code")
    # CustomerPut.state_code: "required if the country_code is US (United States)".
    if country == "US" and not summary.get("state_code"):
        raise BadRequest("state_code is required when country_code is US")


def check_address(body: dict[str, Any]) -> dict[str, str]:
    """The address to store; 400 for what the country rules of its description forbid.

    "The country (country_code) where the account organization resides determines whether
    you use the state_code to specify United States (US) and Canada (CA) addresses, or use
    the state_name to specify all other countries"; the postal_code "is required if the
    state_code is US or CA".
    """
    country = str(body.get("country_code", ""))
    if not COUNTRY.match(country.upper()):
        raise BadRequest("country_code must be a two-letter ISO 3166-1 code")
    if country.upper() in STATE_COUNTRIES:
        if not body.get("state_code"):
            raise BadRequest("state_code is required for US and CA addresses")
        if "state_name" in body:
            raise BadRequest("state_name is not used for US and CA addresses: use state_code")
        if not body.get("postal_code"):
            raise BadRequest("postal_code is required for US and CA addresses")
    elif "state_code" in body:
        raise BadRequest("state_code is only for US and CA addresses: use state_name")
    return {name: body[name] for name in ADDRESS_FIELDS if name in body}


def check_email_address(address: Any) -> str:
    # AccountEmailInput requires nothing, but adding an address means sending one.
    if not isinstance(address, str) or not address:
        raise BadRequest("email_address is required")
    if not EMAIL.match(address):
        raise BadRequest("email_address is not a valid email address")
    return address
