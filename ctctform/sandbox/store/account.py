"""The account's own settings: summary, physical address and sender (account) emails."""

from __future__ import annotations

from typing import Any

from ..account_records import (
    CONFIRMED,
    EDITABLE_SUMMARY_FIELDS,
    UNCONFIRMED,
    AccountEmail,
)
from ..messages import BadRequest, Conflict, NotFound
from . import account_rules as rules
from .base import StoreBase, locked

# What the default account of a sandbox holds before any seed: a plausible owner with a
# confirmed contact email (encoded id in the format of the guide's examples).
DEFAULT_SUMMARY = {
    "contact_email": "owner@sandbox.example",
    "contact_phone": "5085551212",
    "country_code": "US",
    "encoded_account_id": "a07e1l8cdif9",
    "first_name": "Sandy",
    "last_name": "Box",
    "organization_name": "Sandbox Organization",
    "organization_phone": "508-555-1000",
    "state_code": "MA",
    "time_zone_id": "US/Eastern",
    "website": "https://sandbox.example",
}
OWNER_ROLES = ["CONTACT", "BILLING", "REPLY_TO"]
CONFIRM_STATUSES = {
    "CONFIRMED": CONFIRMED,
    "C": CONFIRMED,
    "UNCONFIRMED": UNCONFIRMED,
    "U": UNCONFIRMED,
}
ROLE_CODES = {
    "CONTACT": "CONTACT",
    "C": "CONTACT",
    "BILLING": "BILLING",
    "B": "BILLING",
    "JOURNALING": "JOURNALING",
    "J": "JOURNALING",
    "REPLY_TO": "REPLY_TO",
    "R": "REPLY_TO",
    "OTHER": "OTHER",
    "O": "OTHER",
}
EMAIL_FILTERS = ("confirm_status", "role_code", "email_address")


class AccountMixin(StoreBase):
    # -- summary -----------------------------------------------------------------------

    @locked
    def make_default_account(self) -> None:
        """The default account's summary and its confirmed owner address."""
        self.account.summary = dict(DEFAULT_SUMMARY)
        self.add_email(DEFAULT_SUMMARY["contact_email"], confirmed=True, roles=OWNER_ROLES)

    @locked
    def set_identity(self, encoded_account_id: str, organization_name: str | None) -> None:
        """What GET /partner/accounts lists about a client account lives in its summary."""
        self.account.summary["encoded_account_id"] = encoded_account_id
        if organization_name is not None:
            self.account.summary["organization_name"] = organization_name

    @property
    def encoded_account_id(self) -> str:
        return self.account.summary.get("encoded_account_id", "")

    @locked
    def get_summary(self, physical_address: bool = False) -> dict[str, Any]:
        """Customer; with extra_fields=physical_address, the address too (when there is one)."""
        body = self.account.summary_api()
        if physical_address and self.account.physical_address is not None:
            body["physical_address"] = self.account.address_api()
        return body

    @locked
    def update_summary(self, body: dict[str, Any]) -> dict[str, Any]:
        """PUT: a partial update; only the CustomerPut properties sent change."""
        changes = {k: v for k, v in body.items() if k in EDITABLE_SUMMARY_FIELDS}
        contact = changes.get("contact_email")
        if contact is not None:
            changes["contact_email"] = self._contact_email(contact).email_address
        merged = self.account.summary | changes
        rules.check_summary(merged)
        if contact is not None:
            self._move_role("CONTACT", changes["contact_email"])
        self.account.summary = merged
        return self.account.summary_api()

    def _contact_email(self, address: str) -> AccountEmail:
        email = self.account.email(address)
        if email is None or not email.confirmed:
            raise BadRequest(
                "contact_email must be a confirmed email address of this account"
                " (GET /account/emails?confirm_status=CONFIRMED lists them)"
            )
        return email

    def _move_role(self, role: str, address: str) -> None:
        """Each account has one CONTACT email: the role moves with the contact_email."""
        for email in self.account.emails:
            if role in email.roles and email.email_address != address:
                email.roles.remove(role)
        holder = self.account.email(address)
        if holder is not None and role not in holder.roles:
            holder.roles.append(role)

    # -- physical address --------------------------------------------------------------

    @locked
    def get_address(self) -> dict[str, Any]:
        if self.account.physical_address is None:
            raise NotFound("The account has no physical address yet: POST one.")
        return self.account.address_api()

    @locked
    def create_address(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.account.physical_address is not None:
            raise Conflict("The account already has a physical address: PUT to change it.")
        self.account.physical_address = rules.check_address(body)
        return self.account.address_api()

    @locked
    def replace_address(self, body: dict[str, Any]) -> dict[str, Any]:
        """Full replace: "Excluding a non-read only field from the request body removes it"."""
        self.get_address()
        self.account.physical_address = rules.check_address(body)
        return self.account.address_api()

    # -- account emails ----------------------------------------------------------------

    @locked
    def list_emails(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        """AccountEmails; "This method only supports one query parameter at a time"."""
        given = [name for name in EMAIL_FILTERS if name in filters]
        if len(given) > 1:
            raise BadRequest(f"use one of {', '.join(EMAIL_FILTERS)} at a time, not several")
        emails = sorted(self.account.emails, key=lambda e: e.email_id)
        if given:
            emails = [e for e in emails if _matches(e, given[0], filters[given[0]])]
        return [e.to_api() for e in emails]

    @locked
    def add_email(
        self, address: Any, confirmed: bool = False, roles: list[str] | None = None
    ) -> AccountEmail:
        """A new UNCONFIRMED address (409 if the account has it in any case)."""
        address = rules.check_email_address(address)
        if self.account.email(address) is not None:
            raise Conflict(f"The email address {address} already exists in the account.")
        next_id = max((e.email_id for e in self.account.emails), default=0) + 1
        email = AccountEmail(next_id, address)
        self.account.emails.append(email)
        if confirmed:
            self._confirm(email)
        email.roles.extend(r for r in roles or [] if r not in email.roles)
        return email

    @locked
    def confirm_email(self, address: str) -> AccountEmail:
        """What the owner's click on the confirmation link does (test hook)."""
        email = self.account.email(address)
        if email is None:
            raise KeyError(f"the account has no email address {address!r}")
        self._confirm(email)
        return email

    def _confirm(self, email: AccountEmail) -> None:
        if email.confirmed:
            return
        email.confirm_status = CONFIRMED
        email.confirm_time = self.clock.now()
        email.confirm_source_type = "SITE_OWNER"
        email.roles.extend(r for r in email.pending_roles if r not in email.roles)
        email.pending_roles.clear()


def _matches(email: AccountEmail, name: str, value: str) -> bool:
    if name == "email_address":
        return email.email_address.casefold() == value.casefold()
    table = CONFIRM_STATUSES if name == "confirm_status" else ROLE_CODES
    wanted = table.get(value.upper())
    if wanted is None:
        raise BadRequest(f"{name} must be one of {', '.join(table)}")
    return email.confirm_status == wanted if name == "confirm_status" else wanted in email.roles
