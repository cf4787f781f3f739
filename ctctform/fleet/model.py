"""A fleet file, loaded: which client accounts get which manifests (DESIGN §8)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctctform.manifest import Location

# An account's outcome in a fleet run (the report's `result`).
RESULTS = (
    "no changes",
    "changes",
    "applied",
    "provisioned",
    "failed",
    "skipped",
    "interrupted",  # stopped part-way by Ctrl-C or SIGTERM
    "not started",  # the run was interrupted before this account began
)


@dataclass(frozen=True)
class Select:
    """Existing client accounts, from GET /partner/accounts."""

    account_type: str = "managed"  # managed | all
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()

    def wants(self, account: dict[str, Any]) -> bool:
        """Shell-style globs on the organization name or the encoded id."""
        names = (str(account.get("organization_name") or ""), str(account["encoded_account_id"]))
        included = any(fnmatch.fnmatchcase(n, g) for g in self.include for n in names)
        excluded = any(fnmatch.fnmatchcase(n, g) for g in self.exclude for n in names)
        return included and not excluded


@dataclass
class Entry:
    """One `accounts:` item: additions for an existing account, or one to provision."""

    location: Location
    encoded_account_id: str | None = None
    login_name: str | None = None
    manifests: list[Path] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)
    # The Provision body as written: `${env:NAME}` is resolved only when the account is
    # created (provision.resolved_body), so nothing else needs the secrets.
    provision: dict[str, Any] | None = None
    provision_lines: dict[str, int] = field(default_factory=dict)
    plan: dict[str, Any] | None = None  # PlanInfo for PUT /partner/accounts/{id}/plan

    @property
    def key(self) -> str:
        """The entry's stable identity: its encoded id, or `login:NAME` until it has one."""
        return self.encoded_account_id or f"login:{self.login_name}"


@dataclass
class Fleet:
    path: Path
    manifests: list[Path]
    select: Select | None
    entries: list[Entry]
    vars: dict[str, str] = field(default_factory=dict)

    def entry_for(self, account: dict[str, Any]) -> Entry | None:
        ident = account.get("encoded_account_id")
        login = account.get("site_owner_name")
        for entry in self.entries:
            if entry.encoded_account_id and entry.encoded_account_id == ident:
                return entry
            if entry.login_name and entry.login_name == login:
                return entry
        return None
