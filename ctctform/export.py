"""`ctctform export`: the live account as a manifest, so an existing account can be adopted.

Each kind writes its own manifest items (`Kind.to_manifest`); ids inside segment criteria
become references (`${list:Newsletter}`), so the exported manifest applies cleanly to
another account as well as to this one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ctctform.kinds import REGISTRY
from ctctform.kinds.base import ApiLike
from ctctform.live import LiveReader, LiveState
from ctctform.manifest import Shape

# Webhooks need partner credentials, so they are exported only when asked for.
DEFAULT_KINDS = tuple(k.name for k in REGISTRY.values() if not k.partner_level)


def export(client: ApiLike, kinds: list[str], parallelism: int = 8) -> dict[str, Any]:
    reader = LiveReader(client, parallelism)
    live = reader.read(kinds)
    reader.details(live, {n: s.items for n, s in live.kinds.items() if s.kind.has_details})
    names = _namer(live)
    doc: dict[str, Any] = {}
    for name in kinds:
        kind = REGISTRY[name]
        items = [_literal(kind.to_manifest(lv, names), name) for lv in live.get(name).items]
        if kind.shape is Shape.SINGLETON:
            if items:
                doc[name] = items[0]
        else:
            doc[name] = items
    return doc


def _literal(value: Any, kind: str, key: str = "") -> Any:
    """Live text as manifest text: a `${` the account holds is written `$${`, so the
    manifest reads back the same text instead of a reference or a variable. Segment criteria
    are already written by `_namer` (their references are meant)."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, list):
        return [_literal(v, kind, key) for v in value]
    if isinstance(value, dict):
        return {
            k: v if (kind == "segments" and k == "criteria") else _literal(v, kind, k)
            for k, v in value.items()
        }
    return value


class _Dumper(yaml.SafeDumper):
    """Text with characters YAML would read back as something else (U+0085 NEL and the
    Unicode line and paragraph separators are line breaks to a YAML reader; control
    characters) is written double-quoted, where they are escapes."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    odd = any(
        (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"
        for c in text
    )
    style = '"' if odd else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def _namer(state: LiveState) -> Any:
    """Replace the ids of known resources inside criteria text by `${kind:name}`."""
    names: dict[str, str] = {}
    for name, st in state.kinds.items():
        if st.kind.ref and name in REGISTRY["segments"].depends_on:
            for lv in st.items:
                # Put into the criteria's JSON text: a tab or a quote in a name is escaped.
                names[lv.id] = json.dumps(f"${{{st.kind.ref}:{lv.key}}}", ensure_ascii=False)[1:-1]
    pattern = (
        re.compile("|".join(re.escape(i) for i in sorted(names, key=len, reverse=True)))
        if names
        else None
    )

    def rename(text: str) -> str:
        escaped = text.replace("${", "$${")  # literal `${` in criteria must stay literal
        if pattern is None:
            return escaped
        return pattern.sub(lambda m: names[m.group(0)], escaped)

    return rename


def write(doc: dict[str, Any], out: Path | None) -> str | None:
    """One file per kind into `out`, or one document returned for stdout."""
    header = "# Exported by ctctform from the live account.\n"
    if out is None:
        return header + _dump({"version": 1, **doc})
    out.mkdir(parents=True, exist_ok=True)
    (out / "00-version.yaml").write_text(header + "version: 1\n")
    for kind, items in doc.items():
        text = _dump({kind: items})
        (out / f"{kind}.yaml").write_text(text)
    return None
