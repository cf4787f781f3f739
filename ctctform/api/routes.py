"""What the client knows about endpoints, handed to it by the kinds (`kinds.api_routes()`).

The client itself knows only what is not about a kind: activities, the account summary and
the partner endpoints. Path templates matter to the partner proxy, which sends the v3 path
*template* and its parameter values apart; buckets name the kind a request counts under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

# Endpoints of the API itself, not of a kind.
API_TEMPLATES = ("/activities/{activity_id}",)
API_BUCKETS = (
    ("/activities", "activities"),
    ("/partner/accounts", "accounts"),
    ("/account", "account"),
)


@dataclass(frozen=True)
class Routes:
    templates: tuple[str, ...] = ()  # "/contact_lists/{list_id}"
    # Fixed paths that would otherwise look like `{activity_id}` values.
    literal_paths: frozenset[str] = frozenset()
    buckets: tuple[tuple[str, str], ...] = ()  # (path prefix, bucket name)
    _parsed: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        every = (*self.templates, *API_TEMPLATES)
        parsed = tuple(tuple(t.strip("/").split("/")) for t in every)
        object.__setattr__(self, "_parsed", parsed)

    def template(self, path: str) -> tuple[str, list[dict[str, str]]]:
        """`/segments/7/name` -> (`/segments/{segment_id}/name`, [{segment_id: 7}]).

        Paths that match no known template are sent literally with no path parameters,
        which the endpoint also accepts (a URL with nothing to substitute).
        """
        if path in self.literal_paths:
            return path, []
        parts = tuple(path.strip("/").split("/"))
        for template in self._parsed:
            if len(template) != len(parts):
                continue
            if all(t.startswith("{") or t == s for t, s in zip(template, parts, strict=True)):
                values = [
                    {"path_param_key": t[1:-1], "path_param_value": unquote(s)}
                    for t, s in zip(template, parts, strict=True)
                    if t.startswith("{")
                ]
                return "/" + "/".join(template), values
        return path, []

    def bucket(self, path: str) -> str:
        """The kind a request to `path` counts under in statistics ("other" if none)."""
        clean = "/" + path.split("?", 1)[0].strip("/")
        if clean.startswith("/v3/"):
            clean = clean[3:]
        # The longest prefix wins: /account/summary/physical_address is not /account/summary.
        for prefix, name in sorted((*self.buckets, *API_BUCKETS), key=lambda b: -len(b[0])):
            if clean == prefix or clean.startswith(prefix + "/"):
                return name
        return "other"
