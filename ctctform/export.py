"""`ctctform export`: the live account as a manifest, so an existing account can be adopted.

Ids inside segment criteria become references (`${list:Newsletter}`), so the exported manifest
applies cleanly to another account as well as to this one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ctctform.kinds import REGISTRY, Live
from ctctform.live import LiveReader, LiveState

DEFAULT_KINDS = ("custom_fields", "lists", "tags", "segments")  # webhooks need partner keys


def export(client: Any, kinds: list[str], parallelism: int = 8) -> dict[str, list[dict[str, Any]]]:
    reader = LiveReader(client, parallelism)
    live = reader.read(kinds)
    if "segments" in live.kinds:
        reader.details(live, "segments", live.get("segments").items)
    return {name: [to_manifest(name, lv, live) for lv in live.get(name).items] for name in kinds}


def to_manifest(kind: str, live: Live, state: LiveState) -> dict[str, Any]:
    rec = live.record
    if kind == "lists":
        out = {"name": rec["name"]}
        if rec.get("description"):
            out["description"] = rec["description"]
        out["favorite"] = bool(rec.get("favorite"))
        return out
    if kind == "tags":
        return {"name": rec["name"]}
    if kind == "custom_fields":
        cur = REGISTRY[kind].current(live)
        out = {"label": cur["label"], "type": cur["type"]}
        if cur["metadata"]:
            out["metadata"] = cur["metadata"]
        if cur["choices"]:
            out["choices"] = cur["choices"]
        return out
    if kind == "segments":
        text = with_references(rec.get("segment_criteria") or "{}", state)
        return {"name": rec["name"], "criteria": json.loads(text)}
    return {"topic_id": int(live.id), "hook_uri": rec.get("hook_uri")}


def with_references(text: str, state: LiveState) -> str:
    """Replace the ids of known resources inside criteria text by `${kind:name}`."""
    names: dict[str, str] = {}
    for name, st in state.kinds.items():
        if name in ("custom_fields", "lists", "tags"):
            for lv in st.items:
                names[lv.id] = f"${{{st.kind.ref}:{lv.key}}}"
    escaped = text.replace("${", "$${")  # literal `${` in criteria must stay literal
    if not names:
        return escaped
    pattern = re.compile("|".join(re.escape(i) for i in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda m: names[m.group(0)], escaped)


def write(doc: dict[str, list[dict[str, Any]]], out: Path | None) -> str | None:
    """One file per kind into `out`, or one document returned for stdout."""
    header = "# Exported by ctctform from the live account.\n"
    if out is None:
        return header + yaml.safe_dump({"version": 1, **doc}, sort_keys=False, allow_unicode=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "00-version.yaml").write_text(header + "version: 1\n")
    for kind, items in doc.items():
        text = yaml.safe_dump({kind: items}, sort_keys=False, allow_unicode=True)
        (out / f"{kind}.yaml").write_text(text)
    return None
