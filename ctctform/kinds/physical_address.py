"""The account's physical address (`physical_address:`), shown in the footer of every email:
a singleton, created when the account has none (POST), otherwise replaced (PUT: "excluding
a non-read only field from the request body removes it", so undeclared fields are sent back
as read). Never deleted: the API has no delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ctctform.api.errors import AnswerError, ApiError
from ctctform.kinds.base import ApiLike, FieldChange, Kind, Live, Namer, Resolver
from ctctform.kinds.schema import spec_properties, spec_required
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape

DEFINITION = "AccountPhysicalAddress"
FIELDS = tuple(spec_properties(DEFINITION))
KEY = "physical_address"
STATE_COUNTRIES = ("US", "CA")  # state_code and postal_code for these, state_name elsewhere
COUNTRY_FIELDS = ("state_code", "state_name", "postal_code")  # belong to one country


class PhysicalAddress(Kind):
    name = "physical_address"
    noun = "physical address"
    title = (
        "The account's physical address (AccountPhysicalAddress), shown in every email's "
        "footer; created when the account has none."
    )
    shape = Shape.SINGLETON
    identity = ""
    renames = False
    prunable = False
    can_delete = False
    path = "/account/summary/physical_address"
    id_field = ""
    key_field = ""
    stat_prefixes = ("/account/summary/physical_address",)

    def item_schema(self) -> dict[str, Any]:
        return {
            "description": "The physical address. `${var:NAME}` may be used.",
            "type": "object",
            "additionalProperties": False,
            "required": spec_required(DEFINITION),
            "properties": spec_properties(DEFINITION),
        }

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        """The country rules of the endpoint's description, before the API refuses them."""
        issues = []
        for decl in decls:
            spec = decl.resource.spec
            country = str(spec.get("country_code") or "").upper()
            line = decl.field_lines.get("country_code", decl.key_line)
            if country in STATE_COUNTRIES:
                for needed in ("state_code", "postal_code"):
                    if not spec.get(needed):
                        reason = f"{needed} is required for an address in {country}"
                        issues.append(decl.at(line, decl.where, reason))
                if "state_name" in spec:
                    reason = (
                        "state_name is only for countries other than US and CA (use state_code)"
                    )
                    issues.append(decl.at(decl.field_lines["state_name"], decl.where, reason))
            elif "state_code" in spec and country:
                reason = (
                    f"state_code is only for US and CA addresses (use state_name for {country})"
                )
                issues.append(decl.at(decl.field_lines["state_code"], decl.where, reason))
        return issues

    def read(self, client: ApiLike) -> list[Live]:
        try:
            record = client.get(self.path)
        except ApiError as exc:
            if exc.status == 404:
                return []  # the sandbox's answer for an account with no address yet
            raise
        # The spec documents no 404 for this GET, so an account without an address may as
        # well answer 200 with an empty object: that is "none yet" too, and it is created.
        if isinstance(record, dict) and record.get("address_line1") in (None, ""):
            return []
        return [self._live(record, f"GET {self.path}")]

    def _live(self, record: Any, where: str) -> Live:
        if not isinstance(record, dict) or not isinstance(record.get("address_line1"), str):
            raise AnswerError(f"{where}: the answer is not a physical address")
        return Live(self.name, KEY, KEY, record)

    def current(self, live: Live) -> dict[str, Any]:
        return {k: live.record.get(k) for k in FIELDS}

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        return dict(resource.spec)

    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        return self._live(client.request("POST", self.path, json=want), f"POST {self.path}")

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        body = {k: v for k, v in replacement(self.current(live), want).items() if v is not None}
        return self._live(client.request("PUT", self.path, json=body), f"PUT {self.path}")

    def find(self, client: ApiLike, key: str) -> Live | None:
        found = self.read(client)
        return found[0] if found else None

    def to_manifest(self, live: Live, names: Namer) -> dict[str, Any]:
        return {k: v for k, v in self.current(live).items() if v not in (None, "")}


def replacement(current: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """The PUT body. The PUT replaces the address ("excluding a non-read only field from the
    request body removes it"), so undeclared fields go back as the account holds them; but
    when the country changes, the old country's state and postal code are not the new
    address's (undeclared, they are left out), and whatever the fields, the state field the
    country does not take is left out (account_address_put.html: state_code "only used if
    the country_code is US or CA. If not, exclude this property"; state_name the other way)."""
    old = str(current.get("country_code") or "").upper()
    new = str(want.get("country_code") or old).upper()
    body = {**current, **want}
    if new != old:
        for field in COUNTRY_FIELDS:
            if field not in want:
                body.pop(field, None)
    body.pop("state_name" if new in STATE_COUNTRIES else "state_code", None)
    return body
