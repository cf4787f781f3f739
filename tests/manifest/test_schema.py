"""The published JSON Schema: valid, strict, documented, and in step with the loader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from ctctform.kinds import REGISTRY
from ctctform.manifest import SCHEMA_PATH, load_schema, schema_text
from ctctform.manifest.schema import checker_for
from ctctform.manifest.yamlload import parse_yaml
from ctctform.workflow import load_manifest

from .conftest import Write
from .strategies import manifests

REPO = Path(__file__).resolve().parents[2]
CHECKER = checker_for(schema_text(list(REGISTRY.values())))


def test_the_committed_schema_is_the_one_the_kinds_generate() -> None:
    # `make schemas` rewrites it; an editor and `ctctform validate` must agree.
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(list(REGISTRY.values()))


DOCS = REPO / "docs" / "manifest.md"


def test_schema_is_valid_draft7_and_published_under_schemas() -> None:
    schema = load_schema()
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert (REPO / "schemas" / "manifest.schema.json").resolve() == SCHEMA_PATH


def _objects(node: Any, path: str = "#"):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{path}/{i}")


def test_every_object_is_closed_and_described() -> None:
    open_ok = {"vars", "criteria"}  # a map of names; the API's own criteria format
    for path, node in _objects(load_schema()):
        name = path.rsplit("/", 1)[-1]
        assert "description" in node, path
        if name not in open_ok and not path.endswith("/criteria/properties/criteria"):
            assert node.get("additionalProperties") is False, path
        for prop, sub in node.get("properties", {}).items():
            assert "description" in sub or "$ref" in sub, f"{path}/{prop}"


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_docs_examples_validate(write: Write) -> None:
    blocks = _yaml_blocks(DOCS.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for block in blocks:
        doc, problems = parse_yaml(block, "docs")
        assert problems == []
        assert CHECKER.issues(doc, "docs") == [], block
        if not re.search(r"^version: 1$", block, flags=re.M):
            block = "version: 1\n" + block  # a fragment: check it as a whole manifest too
        load_manifest(write("example.yaml", block))  # raises on any error


def _jsonschema_valid(doc: Any) -> bool:
    from jsonschema import Draft7Validator

    return not any(Draft7Validator(CHECKER.schema).iter_errors(doc))


def _fast_valid(doc: Any) -> bool:
    import fastjsonschema

    try:
        CHECKER._fast(doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.just("x" * 256),
    st.just("http://no"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.sampled_from(["name", "colour", "type", "topic"]), st.integers(), max_size=2
    ),
)


def _mutate(doc: Any, choices: list[int], junk: Any) -> Any:
    """Replace one node (picked by `choices`) with junk, or add an unknown key."""
    if not choices or not isinstance(doc, dict | list) or not doc:
        return junk
    pick, rest = choices[0], choices[1:]
    if isinstance(doc, dict):
        keys = list(doc)
        key = keys[pick % len(keys)]
        if pick % 7 == 6:
            return {**doc, "colour": junk}
        if pick % 5 == 4:
            return {k: v for k, v in doc.items() if k != key}
        return {**doc, key: _mutate(doc[key], rest, junk)}
    index = pick % len(doc)
    return [*doc[:index], _mutate(doc[index], rest, junk), *doc[index + 1 :]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    manifests(),
    st.lists(st.integers(0, 1000), min_size=0, max_size=6),
    JUNK,
)
def test_fast_validator_agrees_with_jsonschema(generated, choices: list[int], junk: Any) -> None:
    # The fast path decides "valid?" alone, so it must never accept what jsonschema rejects.
    doc = _mutate(generated.document, choices, junk)
    assert _fast_valid(doc) == _jsonschema_valid(doc)


def test_type_enum_matches_the_loader_checks() -> None:
    from ctctform.kinds.custom_fields import FIELD_TYPES

    enum = load_schema()["definitions"]["custom_fields"]["properties"]["type"]["enum"]
    assert sorted(enum) == sorted(FIELD_TYPES)


@pytest.mark.parametrize("topic_id", [1, 2, 3, 4])
def test_topic_enum_matches_webhook_topics(topic_id: int) -> None:
    from ctctform.kinds.webhooks import TOPICS as WEBHOOK_TOPICS

    props = load_schema()["definitions"]["webhooks"]["properties"]
    assert WEBHOOK_TOPICS[topic_id] in props["topic"]["enum"]
    assert topic_id in props["topic_id"]["enum"]
    assert json.dumps(props["topic"]["enum"]) == json.dumps(list(WEBHOOK_TOPICS.values()))
