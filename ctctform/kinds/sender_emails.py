"""The account's sender email addresses (`sender_emails:`): a list of addresses, each added
with POST /account/emails and never deleted (the API has no delete). A new address is
UNCONFIRMED until its owner clicks the link Constant Contact mails; such an address is right
as far as ctctform can make it, so it is shown as waiting, not as a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Namer, Resolver
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape

ADDRESS_MAX = 80  # AccountEmailInput.email_address maxLength


class SenderEmails(Kind):
    name = "sender_emails"
    noun = "sender email"
    title = (
        "Sender email addresses of the account (POST /account/emails). Added, never "
        "deleted; a new one waits for its owner to confirm it."
    )
    shape = Shape.VALUES
    identity = ""
    identity_max = ADDRESS_MAX
    renames = False
    prunable = False
    can_delete = False
    path = "/account/emails"
    id_field = "email_id"
    key_field = "email_address"
    stat_prefixes = ("/account/emails",)

    def item_schema(self) -> dict[str, Any]:
        return {
            "description": "An email address. `${var:NAME}` may be used.",
            "type": "string",
            "minLength": 3,
            "maxLength": ADDRESS_MAX,
            "pattern": "^([^@\\s]+@[^@\\s]+\\.[^@\\s]+|.*\\$\\{var:.*)$",
            "errorMessage": "expected an email address, such as news@example.com",
        }

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        issues = []
        for decl in decls:
            address = decl.resource.key
            if "@" not in address.strip("@") or " " in address:
                issues.append(decl.at(decl.key_line, decl.where, "not an email address"))
        return issues

    def match_key(self, key: str) -> str:
        return key.strip().lower()  # the API refuses an address it has in another case

    def unique_name(self, key: str) -> str:
        return self.match_key(key)

    def read(self, client: ApiLike) -> list[Live]:
        # Not paged: the answer is the array of the account's addresses.
        return self.parse(client.get(self.path), f"GET {self.path}")

    def record_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["email_id", "email_address"],
            "properties": {
                "email_id": {"type": "integer", "minimum": 1},
                "email_address": {"type": "string", "minLength": 1},
                "confirm_status": {"type": ["string", "null"]},
            },
        }

    def current(self, live: Live) -> dict[str, Any]:
        return {"email_address": live.key}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return {"email_address": resource.key}

    def same(self, field_name: str, want: Any, have: Any) -> bool:
        return bool(self.match_key(str(want)) == self.match_key(str(have)))

    def status_note(self, live: Live) -> str | None:
        status = str(live.record.get("confirm_status") or "")
        if status.upper() in ("CONFIRMED", "C"):
            return None
        return "waiting for its owner to confirm it (Constant Contact emailed a link)"

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        answer = client.request("POST", self.path, json={"email_address": want["email_address"]})
        return self.created(answer, f"POST {self.path}", fallback=want)

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        return live  # an address has nothing to change: only its case could differ

    def to_manifest(self, live: Live, names: Namer) -> str:
        return live.key
