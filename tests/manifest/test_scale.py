"""5,000 resources across several files load and validate (DESIGN §6). Timing is measured
outside the suite; this checks the result at that size."""

from __future__ import annotations

from pathlib import Path

import yaml

from ctctform.workflow import load_manifest

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_large_manifest(root: Path) -> None:
    lists = [
        {"name": f"List {i}", "description": f"About {i}", "favorite": i % 2 == 0}
        for i in range(1000)  # the most an account holds
    ]
    tags = [{"name": f"Tag {i}"} for i in range(500)]  # the most an account holds
    fields = [
        {
            "label": f"Field {i}",
            "type": "single_select",
            "metadata": {"display_type": "dropdown"},
            "choices": ["Red", "Green", "Blue"],
        }
        for i in range(100)
    ]
    segments = [
        {
            "name": f"Segment {i}",
            "criteria": {
                "version": "1.0.0",
                "criteria": {
                    "type": "and",
                    "group": [
                        {
                            "type": "or",
                            "group": [
                                {
                                    "source": "tags",
                                    "op": "contains-any",
                                    "const_value": f"${{tag:Tag {i % 500}}}",
                                },
                                {
                                    "source": "list_membership",
                                    "const_value": f"${{list:List {i % 1000}}}",
                                },
                            ],
                        }
                    ],
                },
            },
        }
        for i in range(3396)  # 1,000 + 500 + 100 + 3,396 + 4 = 5,000 resources
    ]
    hooks = [
        {"topic_id": i, "hook_uri": "https://hooks.example.com/${var:brand}"} for i in range(1, 5)
    ]
    files = {
        "00-base.yaml": {"version": 1, "vars": {"brand": "acme"}, "webhooks": hooks},
        "10-lists.yaml": {"lists": lists},
        "20-tags.yaml": {"tags": tags},
        "30-fields.yml": {"custom_fields": fields},
        "40-segments.yaml": {"segments": segments},
    }
    for name, doc in files.items():
        text = yaml.dump(doc, Dumper=DUMPER, sort_keys=False)
        (root / name).write_text(text, encoding="utf-8")


def test_five_thousand_resources_load(tmp_path: Path) -> None:
    write_large_manifest(tmp_path)
    manifest = load_manifest(tmp_path)
    counts = {kind: len(items) for kind, items in manifest.resources.items() if items}
    assert counts == {
        "custom_fields": 100,
        "lists": 1000,
        "tags": 500,
        "segments": 3396,
        "webhooks": 4,
    }
    assert manifest.warnings == []  # every reference names a declared resource
    last = manifest.resources["segments"][-1]
    assert last.key == "Segment 3395"
    assert [str(r) for r in last.refs] == ["${tag:Tag 395}", "${list:List 395}"]
    assert manifest.resources["webhooks"][0].spec["hook_uri"] == "https://hooks.example.com/acme"
    assert manifest.resources["lists"][999].location.file.endswith("10-lists.yaml")
