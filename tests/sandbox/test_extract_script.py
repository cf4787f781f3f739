"""The committed ctct-definitions.json is exactly what the extraction script produces."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "extract_spec_definitions.py"
COMMITTED = REPO / "ctctform" / "schemas" / "ctct-definitions.json"
SPEC = REPO / "reference" / "ctct-v3-swagger.yaml"  # the official spec, 3.0.172


def test_script_reproduces_the_committed_file(tmp_path):
    out = tmp_path / "definitions.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(SPEC), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == COMMITTED.read_bytes()


def test_errata_are_applied_and_refs_resolve():
    document = json.loads(COMMITTED.read_text())
    definitions = document["definitions"]
    assert definitions["CustomFieldId100"]["properties"]["custom_field_ids"]["maxItems"] == 100
    assert "description" in definitions["ContactList"]["properties"]
    day = definitions["PlanTiersObject"]["properties"]["billing_day_of_month"]
    assert day["type"] == ["integer", "null"]
    text = COMMITTED.read_text()
    for name in {ref.split("/")[-1] for ref in _refs(document)}:
        assert name in definitions, name
    assert '"example"' not in text and '"x-' not in text


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
