"""`ctctform export`: the live account as a manifest, so an existing account can be adopted.

Each kind writes its own manifest items (`Kind.to_manifest`); ids inside segment criteria
become references (`${list:Newsletter}`), so the exported manifest applies cleanly to
another account as well as to this one.
"""

from __future__ import annotations

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
        items = [kind.to_manifest(lv, names) for lv in live.get(name).items]
        if kind.shape is Shape.SINGLETON:
            if items:
                doc[name] = items[0]
        else:
            doc[name] = items
    return doc


def _namer(state: LiveState) -> Any:
    """Replace the ids of known resources inside criteria text by `${kind:name}`."""
    names: dict[str, str] = {}
    for name, st in state.kinds.items():
        if st.kind.ref and name in REGISTRY["segments"].depends_on:
            for lv in st.items:
                names[lv.id] = f"${{{st.kind.ref}:{lv.key}}}"
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
        return header + yaml.safe_dump({"version": 1, **doc}, sort_keys=False, allow_unicode=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "00-version.yaml").write_text(header + "version: 1\n")
    for kind, items in doc.items():
        text = yaml.safe_dump({kind: items}, sort_keys=False, allow_unicode=True)
        (out / f"{kind}.yaml").write_text(text)
    return None
