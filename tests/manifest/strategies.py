"""Hypothesis strategies: random valid manifests and the resources they must load into."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from ctctform.kinds import REGISTRY
from ctctform.kinds.custom_fields import custom_field_name
from ctctform.kinds.webhooks import TOPIC_IDS

FIELD_TYPES = ["string", "text_area", "number", "currency", "date", "datetime", "boolean"]
SELECT_TYPES = ["single_select", "multi_select"]

# Any text without `$` (which could start reference syntax): letters, digits, punctuation,
# spaces and symbols, including YAML-significant ones (`:`, `#`, `-`, quotes, braces).
TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="$"),
    min_size=1,
    max_size=30,
)
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)

KINDS = tuple(REGISTRY)
PRUNABLE = tuple(k.name for k in REGISTRY.values() if k.prunable)


@dataclass
class Generated:
    document: dict[str, Any]
    expected: list[tuple[str, str, dict[str, Any], list[str], bool]] = field(default_factory=list)
    prune: dict[str, bool] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)


def _names(max_len: int, max_size: int = 4, api_name: Any = None) -> st.SearchStrategy[list[str]]:
    """Valid identities: not blank, unique, and unique as the API derives its name."""
    names = TEXT.map(lambda s: s[:max_len]).filter(lambda s: s.strip())
    return st.lists(names, unique_by=api_name or (lambda s: s), max_size=max_size)


@st.composite
def _common(draw: st.DrawFn, item: dict[str, Any], max_len: int, old: str) -> tuple:
    """Optionally add renamed_from (a string or a list, names no identity uses) and protect."""
    renamed: list[str] = []
    if draw(st.booleans()):
        renamed = draw(st.lists(st.just(old), max_size=1))
        if renamed:
            item["renamed_from"] = draw(st.sampled_from([renamed[0], renamed]))
    protect = False
    if draw(st.booleans()):
        protect = draw(st.booleans())
        item["protect"] = protect
    return renamed, protect


@st.composite
def manifests(draw: st.DrawFn) -> Generated:
    gen = Generated(document={"version": 1})
    doc = gen.document

    def add(kind: str, item: dict[str, Any], key: str, spec: dict, renamed: list, protect: bool):
        doc.setdefault(kind, []).append(item)
        gen.expected.append((kind, key, spec, renamed, protect))

    # Old names live in their own namespace ("old-" prefix) so they never collide.
    for i, name in enumerate(draw(_names(255))):
        item: dict[str, Any] = {"name": name}
        spec: dict[str, Any] = {}
        if draw(st.booleans()):
            spec["description"] = item["description"] = draw(st.one_of(st.just(""), TEXT))
        if draw(st.booleans()):
            spec["favorite"] = item["favorite"] = draw(st.booleans())
        renamed, protect = draw(_common(item, 255, f"old-list-{i}"))
        add("lists", item, name, spec, renamed, protect)
    for i, name in enumerate(draw(_names(255))):
        item = {"name": name}
        spec = {}
        if draw(st.booleans()):
            spec["tag_source"] = item["tag_source"] = draw(TEXT)
        renamed, protect = draw(_common(item, 255, f"old-tag-{i}"))
        add("tags", item, name, spec, renamed, protect)
    for i, label in enumerate(draw(_names(50, api_name=custom_field_name))):
        field_type = draw(st.sampled_from(FIELD_TYPES + SELECT_TYPES))
        item = {"label": label, "type": field_type}
        spec = {"type": field_type}
        if field_type in SELECT_TYPES:
            display = draw(st.sampled_from(["dropdown", "radio", "checkbox"]))
            spec["metadata"] = item["metadata"] = {"display_type": display}
            spec["choices"] = item["choices"] = draw(st.lists(TEXT, unique=True, max_size=5))
        elif field_type == "currency" and draw(st.booleans()):
            spec["metadata"] = item["metadata"] = {"currency_code": "EUR", "decimal_places": 2}
        renamed, protect = draw(_common(item, 50, f"old-field-{i}"))
        add("custom_fields", item, label, spec, renamed, protect)
    for i, name in enumerate(draw(_names(200))):
        extra = draw(st.dictionaries(TEXT.filter(lambda k: k != "version"), JSONISH, max_size=3))
        criteria = {**extra, "criteria": {"type": "and", "group": []}}
        item = {"name": name}
        if draw(st.booleans()):
            item["criteria_json"] = json.dumps(criteria, ensure_ascii=draw(st.booleans()))
        else:
            item["criteria"] = criteria
        renamed, protect = draw(_common(item, 0, f"old-segment-{i}"))
        add("segments", item, name, {"criteria": criteria}, renamed, protect)
    for topic in draw(st.lists(st.sampled_from(list(TOPIC_IDS)), unique=True)):
        hook = "https://hooks.example.com/" + draw(TEXT)
        item = {"hook_uri": hook}
        if draw(st.booleans()):
            item["topic"] = topic
        else:
            item["topic_id"] = TOPIC_IDS[topic]
        if draw(st.booleans()):
            item["protect"] = True
        spec = {"hook_uri": hook, "topic_id": TOPIC_IDS[topic]}
        add("webhooks", item, topic, spec, [], item.get("protect", False))
    gen.prune = {kind: False for kind in PRUNABLE}
    if draw(st.booleans()):
        doc["prune"] = draw(st.dictionaries(st.sampled_from(PRUNABLE), st.booleans()))
        gen.prune.update(doc["prune"])
    raw_vars = draw(
        st.dictionaries(TEXT, st.one_of(TEXT, st.integers(0, 99), st.booleans()), max_size=3)
    )
    if raw_vars:
        doc["vars"] = raw_vars
        gen.vars = {
            k: ("true" if v else "false") if isinstance(v, bool) else str(v)
            for k, v in raw_vars.items()
        }
    return gen
