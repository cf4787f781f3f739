"""The interface every resource kind implements, and the facts every kind declares.

A kind's facts live in its `Kind` subclass and nowhere else: the manifest loader, the
generated JSON Schema, the offline checks, the reader's answer checks, the planner, the
applier, export, request statistics and the partner proxy all read them from the registry
(`ctctform.kinds.REGISTRY`). Adding a kind means writing one module here (plus its sandbox
handler and tests); see docs/architecture.md, "Adding a kind".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from urllib.parse import quote

from ctctform.kinds.answers import AnswerError, check_records, record_id
from ctctform.manifest.declared import Declared
from ctctform.manifest.model import Issue, Resource, Shape

# resolve(ref_kind, name) -> the server id as text. At plan time a resource the apply will
# create has no id yet; the planner's resolver answers a `KnownAfterApply` marker for it.
Resolver = Callable[[str, str], str]


class ApiLike(Protocol):
    """What kinds need from the API client (the Client and its partner proxy both are one)."""

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Any = None,
        *,
        idempotent: bool | None = None,
    ) -> Any: ...

    def get(self, path: str, params: Any = None) -> Any: ...

    def paginate(
        self,
        path: str,
        item_key: str,
        limit: int | None = None,
        params: Any = None,
        *,
        max_pages: int | None = None,
    ) -> list[Any]: ...

    def run_activity(self, path: str, body: Any) -> dict[str, Any]: ...

    def halt(self, reason: str) -> None: ...


@dataclass
class Live:
    """One resource as the account holds it."""

    kind: str
    id: str
    key: str
    record: dict[str, Any]


@dataclass(frozen=True)
class FieldChange:
    before: Any
    after: Any


@dataclass(frozen=True)
class BulkDelete:
    """A bulk-delete activity endpoint and the most ids one request may carry."""

    path: str
    body_key: str
    batch_size: int


class Namer(Protocol):
    """Export: turns ids inside criteria back into `${kind:name}` references."""

    def __call__(self, text: str) -> str: ...


# Keys every collection item may carry besides its own fields.
RENAMED_FROM = "renamed_from"
PROTECT = "protect"


class Kind:
    """Base class: subclasses set the class attributes and override what differs.

    Kinds hold no state; one instance of each lives in the registry (kinds/__init__.py).
    """

    # -- identity in the manifest ---------------------------------------------------------
    name: ClassVar[str]  # manifest key: "lists"
    noun: ClassVar[str]  # for messages: "list"
    title: ClassVar[str]  # schema description: "Contact lists."
    shape: ClassVar[Shape] = Shape.COLLECTION
    identity: ClassVar[str] = "name"  # the manifest key holding the identity
    identity_max: ClassVar[int | None] = None  # longest identity the API accepts
    ref: ClassVar[str | None] = None  # reference prefix (${list:..}) if segments can name it
    renames: ClassVar[bool] = True  # whether `renamed_from` is offered
    prunable: ClassVar[bool] = True  # whether `prune.<kind>` is offered
    max_count: ClassVar[int | None] = None  # most resources of the kind an account holds
    # Spec fields holding segment criteria, where resource references are allowed, and
    # fields that carry the same value as JSON text (parsed at load time).
    reference_fields: ClassVar[tuple[str, ...]] = ()
    json_fields: ClassVar[Mapping[str, str]] = {}

    # -- the API --------------------------------------------------------------------------
    path: ClassVar[str]  # collection (or singleton) path
    item_key: ClassVar[str] = ""  # key of the items in a collection page
    id_field: ClassVar[str] = ""
    key_field: ClassVar[str] = ""  # the identity field in API records
    page_limit: ClassVar[int | None] = None
    # Pages of the collection the API can ever have (its documented maxima); a longer
    # chain of next links is a broken server, not a big account.
    max_pages: ClassVar[int] = 100
    read_params: ClassVar[Mapping[str, str]] = {}
    # Path templates with the spec's parameter names (the partner proxy sends the template
    # and the values apart), and the path prefixes counted under this kind in statistics.
    api_templates: ClassVar[tuple[str, ...]] = ()
    stat_prefixes: ClassVar[tuple[str, ...]] = ()
    depends_on: ClassVar[tuple[str, ...]] = ()
    bulk_delete: ClassVar[BulkDelete | None] = None
    # Fields whose change cannot be made in place: the resource is deleted and created again.
    replace_fields: ClassVar[tuple[str, ...]] = ()
    # Fields the API takes on create but cannot change later: sent, never compared.
    create_only: ClassVar[tuple[str, ...]] = ()
    # Kinds whose collection read leaves out managed fields (segments omit criteria) read
    # each managed resource's detail; the reader runs those reads in parallel and caches them.
    has_details: ClassVar[bool] = False
    # Kinds that can be updated but never created or deleted through the API (the account).
    can_create: ClassVar[bool] = True
    can_delete: ClassVar[bool] = True
    # Kinds read through the partner's own endpoints rather than a client account's.
    partner_level: ClassVar[bool] = False

    # -- schema and offline checks ---------------------------------------------------------
    def item_schema(self) -> dict[str, Any]:
        """The JSON Schema of one manifest item (without renamed_from/protect, added by the
        generator for collections)."""
        raise NotImplementedError

    def extra_definitions(self) -> dict[str, Any]:
        """Further schema definitions the item schema refers to (`#/definitions/NAME`)."""
        return {}

    def identity_of(self, item: Mapping[str, Any]) -> tuple[str, str] | None:
        """(identity, the manifest key it came from) of a collection item, or None when the
        schema has already reported it missing or mistyped."""
        value = item.get(self.identity)
        return (value, self.identity) if isinstance(value, str) else None

    def normalize_spec(self, resource: Resource) -> None:
        """Adjust a loaded resource's spec (e.g. webhooks derive topic_id from the topic)."""

    def check(self, decls: Sequence[Declared]) -> list[Issue]:
        """Offline checks beyond the schema: the API's documented limits."""
        return []

    def check_account(self, resources: Sequence[Resource], account: Mapping[str, Any]) -> list[str]:
        """Checks against the account's summary, before anything else is read (the pin)."""
        return []

    # -- reading ---------------------------------------------------------------------------
    def read(self, client: ApiLike) -> list[Live]:
        records = client.paginate(
            self.path,
            self.item_key,
            self.page_limit,
            dict(self.read_params) or None,
            max_pages=self.max_pages,
        )
        return self.parse(records, f"GET {self.path}")

    def parse(self, records: Any, where: str) -> list[Live]:
        """Checked records -> Live resources; AnswerError names the request and the item."""
        checked = check_records(
            records, self.record_schema(), where, self.id_field, self.key_field, self.unique_name
        )
        return [self.to_live(r) for r in checked]

    def record_schema(self) -> dict[str, Any]:
        """The shape of an API record that this kind relies on (checked at the boundary)."""
        return {
            "type": "object",
            "required": [self.id_field, self.key_field],
            "properties": {
                self.id_field: {"type": ["string", "integer"], "minLength": 1, "minimum": 1},
                self.key_field: {"type": "string"},
            },
        }

    def item_path(self, ident: str, *rest: str) -> str:
        """`/contact_tags/{id}`: the id was checked at the boundary (api.errors.SAFE_ID) and is
        quoted here as well, so no server-given id can point a write at another path."""
        return "/".join((self.path, quote(str(ident), safe=""), *rest))

    def to_live(self, record: dict[str, Any]) -> Live:
        return Live(self.name, record_id(record, self.id_field), record[self.key_field], record)

    def created(self, answer: Any, where: str, fallback: Mapping[str, Any] | None = None) -> Live:
        """The Live resource a create/update answered, checked like a read. `fallback`
        fills fields the answer leaves out (never the id)."""
        if not isinstance(answer, dict):
            raise AnswerError(f"{where}: the answer is not a JSON object")
        record = {**(fallback or {}), **answer}
        (live,) = self.parse([record], where)
        return live

    def detail_cache_key(self, live: Live) -> str | None:
        """A key that changes whenever the detail changes, or None when it cannot be cached."""
        return None

    def read_detail(self, client: ApiLike, live: Live) -> dict[str, Any]:
        raise NotImplementedError

    def valid_detail(self, detail: dict[str, Any]) -> bool:
        """Whether a cached detail has the shape read_detail returns (a damaged cache entry
        must not reach the planner)."""
        return True

    def merge_detail(self, live: Live, detail: dict[str, Any]) -> None:
        live.record.update(detail)

    # -- comparing -------------------------------------------------------------------------
    def current(self, live: Live) -> dict[str, Any]:
        """The managed fields of a live record, normalised like desired()."""
        raise NotImplementedError

    def desired(self, resource: Resource, resolve: Resolver) -> dict[str, Any]:
        """The declared fields of a resource, normalised; only what the user declared."""
        raise NotImplementedError

    def diff(self, want: dict[str, Any], have: dict[str, Any]) -> dict[str, FieldChange]:
        return {
            k: FieldChange(have.get(k), v)
            for k, v in want.items()
            if k not in self.create_only and not self.same(k, v, have.get(k))
        }

    def same(self, field_name: str, want: Any, have: Any) -> bool:
        return bool(want == have)

    def unique_name(self, key: str) -> str:
        """What the API keeps unique for this kind; by default the identity itself."""
        return key

    def match_key(self, key: str) -> str:
        """How a declared identity finds its live resource: exactly, by default (names are
        compared as the API compares them); email addresses ignore case."""
        return key

    def status_note(self, live: Live) -> str | None:
        """A word about a resource that is right but not finished (an unconfirmed email)."""
        return None

    # -- writing ---------------------------------------------------------------------------
    def create(self, client: ApiLike, want: dict[str, Any]) -> Live:
        raise NotImplementedError

    def update(
        self, client: ApiLike, live: Live, want: dict[str, Any], fields: dict[str, FieldChange]
    ) -> Live:
        raise NotImplementedError

    def delete_one(self, client: ApiLike, live: Live) -> None:
        raise NotImplementedError

    def delete_bodies(self, lives: Sequence[Live]) -> list[dict[str, list[str]]]:
        """Bulk-delete request bodies, as few as the batch limit allows."""
        assert self.bulk_delete is not None
        ids = [lv.id for lv in lives]
        size = self.bulk_delete.batch_size
        return [{self.bulk_delete.body_key: ids[i : i + size]} for i in range(0, len(ids), size)]

    def find(self, client: ApiLike, key: str) -> Live | None:
        """Read back one resource by identity (after a create whose answer was lost)."""
        wanted = self.unique_name(key)
        for live in self.read(client):
            if self.unique_name(live.key) == wanted:
                return live
        return None

    # -- export ----------------------------------------------------------------------------
    def to_manifest(self, live: Live, names: Namer) -> Any:
        """The manifest item that declares `live` as it is (for `ctctform export`)."""
        raise NotImplementedError
