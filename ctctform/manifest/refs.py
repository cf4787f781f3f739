"""`${kind:name}` references and the `$${` escape.

Two steps resolve references, and each string goes through each step once:

1. Loading (`load_manifest`) substitutes `${var:NAME}` everywhere. A var's value is literal text:
   any `${` inside it is escaped to `$${` as it is inserted, so it never becomes a reference.
   - In every string outside segment criteria (names, labels, descriptions, choices,
     hook_uri...) the loader then un-escapes `$${` to `${`: those values are final. Other
     reference kinds are errors there.
   - In segment criteria (`criteria`, or `criteria_json` after parsing) the loader leaves
     `${list:..}`, `${tag:..}`, `${custom_field:..}`, `${segment:..}` and every `$${` escape
     as text. Because vars are expanded first, `${tag:${var:vip_tag}}` works.
2. The planner calls `substitute(criteria, resolve)`: the single function that turns each
   remaining `${kind:name}` into `resolve(kind, name)` (an ID) and `$${` into `${`. It must
   run on criteria even when `find_refs` finds nothing, to un-escape.

Names may hold any character but `}`; kinds are lower-case words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ctctform.manifest.model import Ref

VAR = "var"

# One piece of reference syntax: the `$${` escape, a `${kind:name}` reference, or a stray `${`
# (unterminated, or with no `kind:`). Scanning left to right with this one pattern is what
# defines the syntax; every function below uses it.
REF_RE = re.compile(r"(?P<escape>\$\$\{)|\$\{(?P<kind>[^}:]*):(?P<name>[^}]*)\}|(?P<bad>\$\{)")
_VAR_RE = re.compile(r"\$\$\{|\$\{var:([^}]*)\}")


def find_refs(value: Any) -> list[Ref]:
    """Every well-formed `${kind:name}` in the strings of `value` (dicts, lists, str), in order.

    Escaped `$${...}` text is not a reference. Dict keys are not searched.
    """
    found: list[Ref] = []
    _walk_strings(value, lambda text: found.extend(_refs_in(text)))
    return found


def substitute(value: Any, resolve: Callable[[str, str], str]) -> Any:
    """A copy of `value` with each `${kind:name}` replaced by `resolve(kind, name)` and each
    `$${` by `${`. Walks dicts (values only), lists and strings; other values are kept.
    """
    if isinstance(value, str):
        return _substitute_text(value, resolve) if "${" in value else value
    if isinstance(value, dict):
        return {k: substitute(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, resolve) for v in value]
    return value


class Unresolved(str):
    """Text holding references whose ids are known only after apply (a resource the same
    apply creates). It reads as `(known after apply: tag VIP)` and remembers the references,
    so renderers and the applier can tell it from any other string."""

    refs: tuple[Ref, ...]

    def __new__(cls, text: str, refs: tuple[Ref, ...]) -> Unresolved:
        self = super().__new__(cls, text)
        self.refs = refs
        return self

    @classmethod
    def of(cls, kind: str, name: str) -> Unresolved:
        return cls(f"(known after apply: {kind} {name})", (Ref(kind, name),))


def _substitute_text(text: str, resolve: Callable[[str, str], str]) -> str:
    pending: list[Ref] = []

    def one(match: re.Match[str]) -> str:
        if match.group("escape"):
            return "${"
        if match.group("bad"):
            return match.group(0)
        value = resolve(match.group("kind"), match.group("name"))
        if isinstance(value, Unresolved):
            pending.extend(value.refs)
        return str(value)

    out = REF_RE.sub(one, text)
    if not pending:
        return out
    if len(pending) == 1 and out == Unresolved.of(pending[0].kind, pending[0].name):
        return Unresolved.of(pending[0].kind, pending[0].name)
    return Unresolved(out, tuple(pending))


def _refs_in(text: str) -> list[Ref]:
    if "${" not in text:
        return []
    return [
        Ref(m.group("kind"), m.group("name"))
        for m in REF_RE.finditer(text)
        if m.group("kind") is not None
    ]


def _walk_strings(value: Any, visit: Callable[[str], None]) -> None:
    if isinstance(value, str):
        visit(value)
    elif isinstance(value, dict):
        for v in value.values():
            _walk_strings(v, visit)
    elif isinstance(value, list):
        for v in value:
            _walk_strings(v, visit)


# --- Used by the loader -------------------------------------------------------------------


def expand_vars(text: str, variables: Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace `${var:NAME}` with its value, escaped so it stays literal; keep `$${` as is.

    Returns the text and the names of vars that have no value (left in place).
    """
    if "${" not in text:
        return text, []
    missing: list[str] = []

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name:  # the `$${` escape (kept for the next step), or `${var:}` (reported there)
            return match.group(0)
        if name not in variables:
            missing.append(name)
            return match.group(0)
        return variables[name].replace("${", "$${")

    return _VAR_RE.sub(one, text), missing


def check_text(
    text: str, in_criteria: bool, ref_kinds: Collection[str]
) -> tuple[list[Ref], list[str]]:
    """Scan var-expanded text: its resource references, and problems as reasons.

    Resource references (prefixes in `ref_kinds`, from the kinds) are allowed only in segment
    criteria (`in_criteria`).
    """
    refs: list[Ref] = []
    problems: list[str] = []
    if "${" not in text:
        return refs, problems
    for match in REF_RE.finditer(text):
        if match.group("escape"):
            continue
        if match.group("bad"):
            problems.append(_bad_reason(text, match.start()))
            continue
        ref = Ref(match.group("kind"), match.group("name"))
        if ref.kind != VAR and ref.kind not in ref_kinds:
            kinds = ", ".join(ref_kinds) + " or " + VAR
            problems.append(f"unknown reference kind {ref.kind!r} in {ref} (expected {kinds})")
        elif not ref.name:
            problems.append(f"{ref} has no name")
        elif ref.kind == VAR:
            continue  # a var left after expand_vars has no value: reported there
        elif not in_criteria:
            problems.append(_not_allowed_reason(ref))
        else:
            refs.append(ref)
    return refs, problems


def _bad_reason(text: str, start: int) -> str:
    end = text.find("}", start)
    if end < 0:
        return "unterminated '${' (write $${ for a literal ${)"
    snippet = text[start : end + 1]
    return (
        f"malformed reference {snippet!r}: expected ${{kind:name}} (write $${{ for a literal ${{)"
    )


def _not_allowed_reason(ref: Ref) -> str:
    return (
        f"{ref}: only ${{var:NAME}} may be used here; references to resources work only in "
        "segment criteria (write $${ for a literal ${)"
    )


def unescape(text: str) -> str:
    """`$${` -> `${`, for final text that holds no other reference syntax."""
    return text.replace("$${", "${") if "$${" in text else text
