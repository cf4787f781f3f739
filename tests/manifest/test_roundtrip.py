"""Property: any valid manifest, dumped as YAML (one file or one file per key), loads back
into exactly the resources it declares."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctctform.kinds import REGISTRY
from ctctform.workflow import load_manifest

from .strategies import Generated, manifests

KINDS = tuple(REGISTRY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.booleans(), st.booleans())
def test_generated_manifests_round_trip(gen: Generated, split: bool, flow: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        style = {"default_flow_style": flow, "allow_unicode": True, "sort_keys": False}
        if split:
            # One file per top-level key, named so that name order keeps the declared order.
            for i, (key, value) in enumerate(gen.document.items()):
                (root / f"{i:02d}-{key}.yaml").write_text(
                    yaml.safe_dump({key: value}, **style), encoding="utf-8"
                )
            manifest = load_manifest(root)
        else:
            path = root / "ctctform.yaml"
            path.write_text(yaml.safe_dump(gen.document, **style), encoding="utf-8")
            manifest = load_manifest(path)
    got = [(r.kind, r.key, r.spec, r.renamed_from, r.protect) for r in manifest.all_resources()]
    # all_resources() is in KINDS order, declared order within a kind.
    assert got == sorted(gen.expected, key=lambda r: KINDS.index(r[0]))
    assert manifest.prune == gen.prune
    assert manifest.vars == gen.vars
    assert manifest.warnings == []
