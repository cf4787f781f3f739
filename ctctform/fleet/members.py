"""Which client accounts a fleet run covers: selection, entries, sharding, resuming.

Every client account is listed (`account_type=all`), so that an account the fleet names but
that cannot be operated is reported as skipped, with the reason, rather than missing:
unmanaged and cancelled accounts cannot be operated through account_operations and are
never counted as failures (DESIGN §4).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ctctform.fleet.model import Entry, Fleet

CANCELLED = "canceled"  # billing_status `Canceled` (the API's spelling)


@dataclass
class Member:
    key: str  # encoded id, or `login:NAME` for an account still to provision
    account: dict[str, Any] | None  # the listing's item (None: to provision)
    entry: Entry | None
    skip: str | None = None  # why this account cannot be operated

    @property
    def encoded_id(self) -> str | None:
        return self.account.get("encoded_account_id") if self.account else None

    @property
    def organization(self) -> str:
        if self.account:
            return str(self.account.get("organization_name") or "")
        provision = (self.entry.provision if self.entry else None) or {}
        return str(provision.get("organization_name") or "")


class Membership:
    """The fleet's accounts as the listing arrives: `of(page)` for each page, in the
    listing's order, then `rest()` for the entries no listed account claimed (accounts to
    provision, or ids that are not this partner's)."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.claimed: set[int] = set()
        self.seen: set[str] = set()

    def of(self, accounts: list[dict[str, Any]]) -> list[Member]:
        out: list[Member] = []
        fleet = self.fleet
        for account in accounts:
            ident = account["encoded_account_id"]
            if ident in self.seen:
                continue  # listed twice (pages that overlap): one run is enough
            self.seen.add(ident)
            entry = fleet.entry_for(account)
            selected = fleet.select is not None and fleet.select.wants(account)
            if entry is None and not selected:
                continue
            if entry is not None:
                self.claimed.add(id(entry))
            reason = _unoperable(account)
            managed_only = fleet.select is not None and fleet.select.account_type == "managed"
            if reason and entry is None and managed_only:
                continue  # a managed-only selection does not even mention the others
            # A provisioned account keeps the key of its entry, so that shards and reports
            # do not move it once it has an id.
            key = entry.key if entry and entry.login_name else ident
            out.append(Member(key, account, entry, reason))
        return out

    def rest(self) -> list[Member]:
        out: list[Member] = []
        for entry in self.fleet.entries:
            if id(entry) in self.claimed:
                continue
            if entry.login_name:
                out.append(Member(entry.key, None, entry))
            else:
                skip = "not a client account of this partner"
                out.append(Member(entry.key, None, entry, skip=skip))
        return out


def _unoperable(account: dict[str, Any]) -> str | None:
    if str(account.get("billing_status") or "").lower() == CANCELLED:
        return "cancelled: a cancelled account cannot be operated"
    if account.get("managed") is False or account.get("_unmanaged"):
        return "unmanaged: only managed accounts can be operated"
    return None


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` with 1 <= I <= N."""
    index, sep, total = text.partition("/")
    try:
        i, n = int(index), int(total)
    except ValueError:
        i = n = 0
    if not sep or n < 1 or not 1 <= i <= n:
        raise ValueError(f"--shard {text!r}: expected I/N with 1 <= I <= N, such as 2/5")
    return i, n


def in_shard(key: str, index: int, total: int) -> bool:
    """Deterministic and stable as accounts come and go: a hash of the account's own id."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % total == index - 1
