"""The account itself: its summary (Customer), physical address and sender emails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# CustomerPut's properties, in the spec's order; encoded_account_id is read-only.
SUMMARY_FIELDS = (
    "contact_email",
    "contact_phone",
    "country_code",
    "encoded_account_id",
    "first_name",
    "last_name",
    "organization_name",
    "organization_phone",
    "state_code",
    "time_zone_id",
    "website",
)
EDITABLE_SUMMARY_FIELDS = tuple(f for f in SUMMARY_FIELDS if f != "encoded_account_id")
# AccountPhysicalAddress's properties, in the spec's order.
ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "address_line3",
    "city",
    "state_code",
    "state_name",
    "postal_code",
    "country_code",
)
CONFIRMED, UNCONFIRMED = "CONFIRMED", "UNCONFIRMED"


@dataclass
class AccountEmail:
    """One item of AccountEmails: an address the account may send from once CONFIRMED."""

    email_id: int
    email_address: str
    confirm_status: str = UNCONFIRMED
    confirm_time: str | None = None
    confirm_source_type: str | None = None
    roles: list[str] = field(default_factory=list)
    pending_roles: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.confirm_status == CONFIRMED

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "email_address": self.email_address,
            "email_id": self.email_id,
            "confirm_status": self.confirm_status,
        }
        if self.confirm_time is not None:
            body["confirm_time"] = self.confirm_time
        if self.confirm_source_type is not None:
            body["confirm_source_type"] = self.confirm_source_type
        return body | {"roles": list(self.roles), "pending_roles": list(self.pending_roles)}

    def to_created(self) -> dict[str, Any]:
        """AccountEmailCreateResponse: the answer of POST /account/emails."""
        return {
            "email_address": self.email_address,
            "email_id": self.email_id,
            "confirm_status": self.confirm_status,
        }


@dataclass
class AccountRecord:
    summary: dict[str, str] = field(default_factory=dict)  # SUMMARY_FIELDS that are set
    physical_address: dict[str, str] | None = None
    emails: list[AccountEmail] = field(default_factory=list)

    def summary_api(self) -> dict[str, Any]:
        """CustomerPut: the summary's properties that are set, in the spec's order."""
        return {name: self.summary[name] for name in SUMMARY_FIELDS if name in self.summary}

    def address_api(self) -> dict[str, Any]:
        address = self.physical_address or {}
        return {name: address[name] for name in ADDRESS_FIELDS if name in address}

    def email(self, address: str) -> AccountEmail | None:
        """Addresses compare case-insensitively, as mailboxes' domains do."""
        wanted = address.casefold()
        return next((e for e in self.emails if e.email_address.casefold() == wanted), None)
