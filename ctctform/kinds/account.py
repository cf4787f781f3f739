"""The account's own settings (`account:`): a singleton, updated in part, never created or
deleted. `encoded_account_id` in it is not a setting but the pin of DESIGN §7: a manifest
pinned to one account refuses to act on another before anything else is read.

GET /account/summary answers `Customer`; PUT /account/summary takes `CustomerPut` and is a
partial update ("only valid properties that you include in the request body are updated").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ctctform.api.errors import AnswerError
from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import spec_properties
from ctctform.manifest.checks import text_limit
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape

PIN = "encoded_account_id"
SETTINGS = tuple(spec_properties("CustomerPut"))
KEY = "account"


class Account(Kind):
    name = "account"
    noun = "account settings"
    title = (
        "The account's own settings (PUT /account/summary, a partial update: only the keys "
        "given are managed). `encoded_account_id` pins the manifest to one account."
    )
    shape = Shape.SINGLETON
    identity = ""
    renames = False
    prunable = False
    can_create = False
    can_delete = False
    path = "/account/summary"
    id_field = PIN
    key_field = ""
    stat_prefixes = ("/account/summary",)

    def item_schema(self) -> dict[str, Any]:
        props = spec_properties("CustomerPut")
        props[PIN] = {
            "description": "The pin: the encoded id of the one account this manifest is "
            "for. plan and apply refuse, before anything else, to act on any other.",
            "type": "string",
            "minLength": 1,
        }
        return {
            "description": "Account settings (CustomerPut). `${var:NAME}` may be used.",
            "type": "object",
            "additionalProperties": False,
            "properties": props,
        }

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        return [i for d in decls if (i := text_limit(d, "contact_phone", 25))]

    def check_account(self, resources: Sequence[Resource], account: Mapping[str, Any]) -> list[str]:
        errors = []
        for res in resources:
            pinned = res.spec.get(PIN)
            actual = account.get(PIN)
            if pinned is None or pinned == actual:
                continue
            if actual is None:
                errors.append(
                    f"{res.location}: this manifest is pinned to account {pinned}, and the "
                    "account these credentials open could not be read; nothing was changed"
                )
            else:
                name = account.get("organization_name") or "no organization name"
                errors.append(
                    f"{res.location}: this manifest is pinned to account {pinned}, but the "
                    f"credentials open {actual} ({name}); nothing was changed"
                )
        return errors

    def read(self, client: ApiLike) -> list[Live]:
        summary = client.get(self.path)
        return [self._live(summary, f"GET {self.path}")]

    def _live(self, record: Any, where: str) -> Live:
        if not isinstance(record, dict) or not isinstance(record.get(PIN), str):
            raise AnswerError(f"{where}: the answer is not an account summary")
        return Live(self.name, record[PIN], KEY, record)

    def current(self, live: Live) -> dict[str, Any]:
        return {k: live.record.get(k) for k in SETTINGS}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return {k: v for k, v in resource.spec.items() if k != PIN}

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        # Partial: only what changed is sent; every other setting stays as it is.
        body = {k: want[k] for k in fields}
        answer = client.request("PUT", self.path, json=body)
        merged = {**live.record, **(answer if isinstance(answer, dict) else {}), **body}
        return self._live({**merged, PIN: live.id}, f"PUT {self.path}")

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        return {k: v for k, v in self.current(live).items() if v not in (None, "")}
