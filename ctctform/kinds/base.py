"""The interface every resource kind implements; the planner and applier use nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ctctform.manifest import Resource

# resolve(ref_kind, name) -> the server id as text. At plan time a resource that the apply
# will create has no id yet; the planner's resolver answers a placeholder for it.
Resolver = Callable[[str, str], str]


class ApiLike(Protocol):
    def request(self, method: str, path: str, json: Any = None, params: Any = None) -> Any: ...
    def get(self, path: str, params: Any = None) -> Any: ...
    def paginate(self, path: str, item_key: str, limit: int | None = None) -> list[dict]: ...
    def run_activity(self, path: str, body: dict) -> dict: ...


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


class Kind:
    """Base class: subclasses set the class attributes and override what differs.

    Kinds hold no state; one instance of each lives in the registry (kinds/__init__.py).
    """

    name: ClassVar[str]  # manifest key: "lists"
    ref: ClassVar[str]  # reference prefix: ${list:..}
    noun: ClassVar[str]  # for messages: "list"
    path: ClassVar[str]  # collection path
    item_key: ClassVar[str]  # key of the items in a collection page
    id_field: ClassVar[str]
    key_field: ClassVar[str]  # the identity field in API records
    page_limit: ClassVar[int | None] = None
    depends_on: ClassVar[tuple[str, ...]] = ()
    bulk_delete: ClassVar[BulkDelete | None] = None
    # Fields whose change cannot be made in place: the resource is deleted and created again.
    replace_fields: ClassVar[tuple[str, ...]] = ()
    # Fields the API takes on create but cannot change later: sent, never compared.
    create_only: ClassVar[tuple[str, ...]] = ()

    # -- reading -----------------------------------------------------------------
    def read(self, client: ApiLike) -> list[Live]:
        records = client.paginate(self.path, self.item_key, self.page_limit)
        return [self.to_live(r) for r in records]

    def to_live(self, record: dict[str, Any]) -> Live:
        return Live(self.name, str(record[self.id_field]), record[self.key_field], record)

    # Kinds whose collection read leaves out managed fields (segments omit criteria) read
    # each managed resource's detail; the planner runs those reads in parallel and caches them.
    has_details: ClassVar[bool] = False

    def detail_cache_key(self, live: Live) -> str | None:
        """A key that changes whenever the detail changes, or None when it cannot be cached."""
        return None

    def read_detail(self, client: ApiLike, live: Live) -> dict[str, Any]:
        raise NotImplementedError

    def merge_detail(self, live: Live, detail: dict[str, Any]) -> None:
        live.record.update(detail)

    # -- comparing ---------------------------------------------------------------
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
        return want == have

    def unique_name(self, key: str) -> str:
        """What the API keeps unique for this kind; by default the identity itself."""
        return key

    def references(self, live: Live) -> str:
        """Text in which ids of other resources this one points at appear (segments)."""
        return ""

    # -- writing -----------------------------------------------------------------
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
        for live in self.read(client):
            if live.key == key:
                return live
        return None
