"""Hypothesis strategies for convergence tests: a live account (a sandbox seed) and a desired
manifest drawn against it, so that the two overlap, drift and collide.

Names come from small per-kind pools built from a tiny alphabet (with unicode, spaces and an
underscore, since the API derives a custom field's `name` by replacing blanks with
underscores), plus names at the length limits, so the seed and the manifest pick the same
names often: matches, drift, renames onto live names and prunes all happen in most examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from ctctform.kinds import REGISTRY
from ctctform.kinds.webhooks import TOPIC_IDS

KINDS = tuple(REGISTRY)

# Characters for names: ASCII, case, a space, an underscore, a hyphen, accented, CJK, emoji.
# No `$` or `}` (reference syntax) and never a name of only blanks.
ALPHABET = ["a", "b", "A", " ", "_", "-", "é", "日", "🙂"]
LIMITS = {"lists": 255, "tags": 255, "custom_fields": 50, "segments": 255}
# Every type the manifest schema allows (the sandbox accepts the same set).
FIELD_TYPES = ["string", "text_area", "number", "currency", "date", "datetime", "boolean"]
SELECT_TYPES = ["single_select", "multi_select"]
CHOICE_LABELS = ["Red", "Green", "Blue", "Über", "a b", "日本"]
DESCRIPTIONS = [
    "",
    "Monthly news",
    "Monthly news ",
    "Ünïcode — text",
    "x" * 255,
]  # 255: the API maximum
HOOKS = ["https://hooks.example.com/a", "https://hooks.example.com/b", "https://h.example/日"]
LITERAL = "$${not a reference}"  # the escape: `${not a reference}` once substituted


def short_name() -> st.SearchStrategy[str]:
    # Never only blanks (the API refuses a blank name; see README.md in this directory).
    return st.text(st.sampled_from(ALPHABET), min_size=1, max_size=3).map(
        lambda s: s if s.strip() else s + "b"
    )


def long_name(limit: int) -> st.SearchStrategy[str]:
    """Names at or one below the limit, differing only at the end (so they collide often)."""
    return st.builds(
        lambda n, c: ("N" * (limit - n)) + c,
        st.integers(1, 2),
        st.sampled_from(["a", "é", " b"]),
    ).map(lambda s: s[:limit])


def _variants(name: str, how: int) -> list[str]:
    """Near-collisions: blanks and underscores swapped (the same custom field `name`), a
    trailing space, or another case."""
    if how == 0:
        if " " in name or "_" in name:
            return [name.translate(str.maketrans({" ": "_", "_": " "}))]
        return [f"{name} z", f"{name}_z"]
    if how == 1:
        return [name + " "]
    return [name.swapcase()]


@st.composite
def name_pool(draw: st.DrawFn, limit: int) -> list[str]:
    base = draw(
        st.lists(
            st.one_of(short_name(), short_name(), short_name(), long_name(limit)),
            min_size=2,
            max_size=6,
            unique=True,
        )
    )
    pool = list(base)
    for name in draw(st.lists(st.sampled_from(base), max_size=2, unique=True)):
        for variant in _variants(name, draw(st.integers(0, 2))):
            variant = variant[-limit:]
            if variant.strip() and variant not in pool:
                pool.append(variant)
    return pool


def field_name(label: str) -> str:
    """The custom field `name` the API derives from a label (blanks to underscores, and
    lower-cased, as the API guide's facts say)."""
    return label.replace(" ", "_").lower()


@dataclass
class Scenario:
    """A live account and a manifest to converge it to."""

    seed: dict[str, Any]
    files: dict[str, dict[str, Any]]  # file name -> YAML document
    prune: dict[str, bool]

    @property
    def document(self) -> dict[str, Any]:
        """All files merged (the manifest as one document)."""
        merged: dict[str, Any] = {}
        for doc in self.files.values():
            for key, value in doc.items():
                if isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
                else:
                    merged[key] = value
        return merged

    def declared(self, kind: str) -> list[dict[str, Any]]:
        return list(self.document.get(kind) or [])


@dataclass
class _Names:
    """Per-kind name pools and the live names chosen from them."""

    pools: dict[str, list[str]] = field(default_factory=dict)
    live: dict[str, list[str]] = field(default_factory=dict)


# -- live account -------------------------------------------------------------------------


def _criteria(draw: st.DrawFn, lists: list[str], tags: list[str], extra: list[Any]) -> dict:
    """Segment criteria: a group of conditions on list membership and tags, plus extras."""
    group: list[dict[str, Any]] = []
    for name in draw(st.lists(st.sampled_from(lists), max_size=2, unique=True)) if lists else []:
        group.append(
            {
                "source": "list_membership",
                "field": "list_id",
                "op": draw(st.sampled_from(["contains-any", "contains-all"])),
                "const_value": f"${{list:{name}}}",
            }
        )
    for name in draw(st.lists(st.sampled_from(tags), max_size=2, unique=True)) if tags else []:
        group.append(
            {
                "source": "tags",
                "field": "tag_id",
                "op": "contains-any",
                "const_value": f"${{tag:{name}}}",
            }
        )
    group.extend(extra)
    if draw(st.booleans()):
        group.append(
            {
                "source": "contact",
                "field": "email_address",
                "op": "contains",
                "const_value": draw(st.sampled_from(["example", "日本", LITERAL, "a b"])),
            }
        )
    # The API takes tags and list conditions only in `or` groups, under a top-level `and`.
    inner = draw(st.sampled_from(["and", "or"]))
    membership = [g for g in group if g.get("source") in ("tags", "list_membership")]
    others = [g for g in group if g not in membership]
    if inner == "or":
        return {
            "version": "1.0.0",
            "criteria": {"type": "and", "group": [{"type": "or", "group": group}]},
        }
    nested = [{"type": "or", "group": [g]} for g in membership]
    return {"version": "1.0.0", "criteria": {"type": "and", "group": nested + others}}


def _custom_field_body(draw: st.DrawFn, label: str) -> dict[str, Any]:
    field_type = draw(st.sampled_from(FIELD_TYPES + SELECT_TYPES + SELECT_TYPES))
    body: dict[str, Any] = {"label": label, "type": field_type}
    if field_type in SELECT_TYPES:
        if draw(st.booleans()):
            body["metadata"] = {"display_type": draw(st.sampled_from(["dropdown", "radio"]))}
        if draw(st.integers(0, 3)):
            body["choices"] = draw(
                st.lists(st.sampled_from(CHOICE_LABELS), unique=True, max_size=4)
            )
    elif field_type == "number" and draw(st.booleans()):
        body["metadata"] = {"allow_negative": draw(st.booleans()), "decimal_places": 2}
    elif field_type == "currency" and draw(st.booleans()):
        body["metadata"] = {"currency_code": draw(st.sampled_from(["USD", "EUR"]))}
    return body


@st.composite
def live_seed(draw: st.DrawFn, names: _Names) -> dict[str, Any]:
    seed: dict[str, Any] = {}

    def pick(kind: str) -> list[str]:
        chosen = draw(st.lists(st.sampled_from(names.pools[kind]), unique=True, max_size=5))
        names.live[kind] = chosen
        return chosen

    lists = []
    for name in pick("lists"):
        item: dict[str, Any] = {"name": name}
        if draw(st.booleans()):
            item["description"] = draw(st.sampled_from(DESCRIPTIONS))
        if draw(st.booleans()):
            item["favorite"] = draw(st.booleans())
        lists.append(item)
    tags = []
    for name in pick("tags"):
        item = {"name": name}
        if draw(st.integers(0, 3)) == 0:
            item["tag_source"] = "Etsy"
        tags.append(item)
    fields = []
    taken: set[str] = set()
    for label in pick("custom_fields"):
        if field_name(label) in taken:  # the API would refuse it (409 on the derived name)
            names.live["custom_fields"].remove(label)
            continue
        taken.add(field_name(label))
        fields.append(_custom_field_body(draw, label))
    segments = []
    for name in pick("segments"):
        criteria = _criteria(draw, names.live["lists"], names.live["tags"], [])
        if draw(st.booleans()):
            segments.append({"name": name, "criteria": criteria})
        else:
            segments.append(
                {"name": name, "criteria_json": json.dumps(criteria, ensure_ascii=False)}
            )
    hooks = []
    for topic in draw(st.lists(st.sampled_from(sorted(TOPIC_IDS)), unique=True, max_size=3)):
        hooks.append({"topic": topic, "hook_uri": draw(st.sampled_from(HOOKS))})
    for key, value in (
        ("lists", lists),
        ("tags", tags),
        ("custom_fields", fields),
        ("segments", segments),
        ("webhooks", hooks),
    ):
        if value:
            seed[key] = value
    return seed


# -- desired manifest -----------------------------------------------------------------------


@st.composite
def _renames(draw: st.DrawFn, kind: str, declared: list[str], names: _Names, used: set[str]):
    """renamed_from entries: mostly live names nobody declares, sometimes unknown ones."""
    candidates = [n for n in names.live[kind] if n not in declared and n not in used]
    unknown = [n for n in names.pools[kind] if n not in declared and n not in used]
    out: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        source = candidates if candidates and draw(st.integers(0, 3)) else unknown
        source = [n for n in source if n not in out]
        if source:
            out.append(draw(st.sampled_from(source)))
    used.update(out)
    return out


def _declare(draw: st.DrawFn, kind: str, names: _Names) -> list[str]:
    """Declared names: a mix of live names (matches) and other pool names (creates).
    Custom field labels giving the same API name (`a b` / `a_b`) fail validation: one each."""
    unique_by = field_name if kind == "custom_fields" else None
    return draw(
        st.lists(
            st.sampled_from(names.pools[kind]),
            unique_by=unique_by,
            unique=unique_by is None,
            max_size=5,
        )
    )


@st.composite
def desired_manifest(
    draw: st.DrawFn, names: _Names, segment_refs: bool = True
) -> tuple[dict[str, list], dict[str, bool]]:
    """Resources by kind and prune flags. References only name resources that exist (declared,
    or live and not renamed away): a reference to nothing is a manifest/plan error, tested
    elsewhere; here every valid manifest must converge."""
    prune = {k.name: draw(st.booleans()) for k in REGISTRY.values() if k.prunable}
    out: dict[str, list] = {}
    renamed_away: dict[str, set[str]] = {}

    def common(item: dict[str, Any], kind: str, declared: list[str], used: set[str]) -> None:
        renamed = draw(_renames(kind, declared, names, used))
        if renamed:
            item["renamed_from"] = (
                renamed[0] if len(renamed) == 1 and draw(st.booleans()) else renamed
            )
        if draw(st.integers(0, 5)) == 0:
            item["protect"] = True

    lists: list[dict[str, Any]] = []
    declared = _declare(draw, "lists", names)
    used: set[str] = set()
    for name in declared:
        item: dict[str, Any] = {"name": name}
        if draw(st.booleans()):
            item["description"] = draw(st.sampled_from(DESCRIPTIONS))
        if draw(st.booleans()):
            item["favorite"] = draw(st.booleans())
        common(item, "lists", declared, used)
        lists.append(item)
    renamed_away["lists"] = used
    out["lists"] = lists

    tags: list[dict[str, Any]] = []
    declared = _declare(draw, "tags", names)
    used = set()
    for name in declared:
        item = {"name": name}
        if draw(st.integers(0, 3)) == 0:
            item["tag_source"] = draw(st.sampled_from(["Etsy", "Shopify"]))
        common(item, "tags", declared, used)
        tags.append(item)
    renamed_away["tags"] = used
    out["tags"] = tags

    fields: list[dict[str, Any]] = []
    declared = _declare(draw, "custom_fields", names)
    used = set()
    for label in declared:
        body = _custom_field_body(draw, label)
        item = dict(body)
        if "choices" in item and item["type"] not in SELECT_TYPES:
            del item["choices"]
        common(item, "custom_fields", declared, used)
        fields.append(item)
    renamed_away["custom_fields"] = used
    out["custom_fields"] = fields

    def referable(kind: str) -> list[str]:
        """Declared names, and live ones nobody renames away; live-only names of a pruned
        kind only now and then (the plan must refuse: it would delete what is referenced)."""
        declared_names = [r["name"] for r in out[kind]]
        live_names = [n for n in names.live[kind] if n not in renamed_away[kind]]
        if prune[kind] and draw(st.integers(0, 4)):
            live_names = [n for n in live_names if n in declared_names]
        return list(dict.fromkeys(declared_names + live_names))

    segments: list[dict[str, Any]] = []
    declared = _declare(draw, "segments", names)
    used = set()
    for index, name in enumerate(declared):
        extra: list[Any] = []
        if segment_refs and fields and draw(st.integers(0, 3)) == 0:
            label = draw(st.sampled_from([f["label"] for f in fields]))
            extra.append(
                {
                    "source": "custom_field",
                    "field": f"${{custom_field:{label}}}",
                    "op": "is-not-empty",
                }
            )
        if segment_refs and index and draw(st.integers(0, 2)) == 0:
            other = draw(st.sampled_from(declared[:index]))  # earlier ones only: no cycles
            extra.append(
                {"source": "segment", "field": "segment_id", "const_value": f"${{segment:{other}}}"}
            )
        criteria = _criteria(draw, referable("lists"), referable("tags"), extra)
        item = {"name": name}
        if draw(st.booleans()):
            item["criteria"] = criteria
        else:
            item["criteria_json"] = json.dumps(criteria, ensure_ascii=draw(st.booleans()))
        common(item, "segments", declared, used)
        segments.append(item)
    out["segments"] = segments

    hooks = []
    for topic in draw(st.lists(st.sampled_from(sorted(TOPIC_IDS)), unique=True, max_size=3)):
        item = {"hook_uri": draw(st.sampled_from(HOOKS))}
        if draw(st.booleans()):
            item["topic"] = topic
        else:
            item["topic_id"] = TOPIC_IDS[topic]
        hooks.append(item)
    out["webhooks"] = hooks
    return out, prune


@st.composite
def scenarios(draw: st.DrawFn, segment_refs: bool = True) -> Scenario:
    names = _Names(pools={kind: draw(name_pool(limit)) for kind, limit in LIMITS.items()})
    seed = draw(live_seed(names))
    resources, prune = draw(desired_manifest(names, segment_refs))
    # One file, or the kinds spread over several files (merged by the loader).
    n_files = draw(st.integers(1, 3))
    files: dict[str, dict[str, Any]] = {f"{i}-part.yaml": {} for i in range(n_files)}
    order = sorted(files)
    files[order[0]]["version"] = 1
    for kind, items in resources.items():
        for item in items:
            files[order[draw(st.integers(0, n_files - 1))]].setdefault(kind, []).append(item)
    if any(prune.values()) or draw(st.booleans()):
        files[order[-1]]["prune"] = prune
    return Scenario(seed=seed, files=files, prune=prune)
