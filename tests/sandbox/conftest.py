"""Helpers for the sandbox tests: HTTP clients and the official spec's definitions."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from ctctform.sandbox import Sandbox

from .helpers import AUTH, PARTNER_AUTH

# The official spec (3.0.172), kept in the repository so these checks run wherever the tests do.
SPEC = Path(__file__).resolve().parents[2] / "reference" / "ctct-v3-swagger.yaml"


@pytest.fixture(scope="session")
def spec_definitions() -> dict[str, Any]:
    """The full `definitions` of the official spec, made strict for checking responses.

    Every object schema that lists properties gets `additionalProperties: false`, so a
    response field the spec does not define fails the check (the sandbox must not invent).
    """
    assert SPEC.is_file(), f"the official spec is missing: {SPEC}"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open(encoding="utf-8") as handle:
        definitions = yaml.load(handle, Loader=loader)["definitions"]
    return _strict(copy.deepcopy(definitions))


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for item in node:
            _strict(item)
    return node


@pytest.fixture
def conforms(spec_definitions: dict[str, Any]) -> Any:
    """`conforms(body, "ContactList")` raises if body breaks that spec definition."""

    def check(body: Any, definition: str) -> None:
        schema = {"$ref": f"#/definitions/{definition}", "definitions": spec_definitions}
        jsonschema.Draft4Validator(schema).validate(body)

    return check


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the sandbox's /v3 base URL with the default bearer token."""
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, verify=False, timeout=10) as client:
        yield client


@pytest.fixture
def partner_api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox.base_url, headers=PARTNER_AUTH, verify=False, timeout=10
    ) as client:
        yield client
