"""YAML loading that remembers the line of every node.

libyaml (through PyYAML's CSafeLoader) composes the node tree; we turn nodes into `LDict` /
`LList` (plain dict/list subclasses, so jsonschema and ordinary code accept them) that record
the 1-based line of every key, value and item. Building values from nodes ourselves, with a
resolver that skips PyYAML's unused path-resolver machinery, keeps a 5,000-resource manifest
well under the time budget (see DESIGN §6).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ctctform.manifest.model import Issue

try:  # libyaml is the fast path; the pure-Python loader gives the same results, slower.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
STR_TAG, MAP_TAG, SEQ_TAG = _TAG + "str", _TAG + "map", _TAG + "seq"
MERGE_TAG = _TAG + "merge"
BOOL_TAG = _TAG + "bool"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers

Path_ = tuple[str | int, ...]

# Nesting deeper than this is not a manifest (criteria need a handful of levels); deeper
# input would only exhaust the stack.
MAX_DEPTH = 64
# Nodes built again through aliases. A manifest may reuse a block with `*anchor`; an "alias
# bomb" (each level nine aliases to the one before) would build hundreds of millions.
MAX_ALIAS_NODES = 100_000
MAX_NODES = 600_000


class LDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key and value."""

    __slots__ = ("line", "key_lines", "value_lines")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}


class LList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    __slots__ = ("line", "item_lines")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class _Loader(_BaseLoader):  # type: ignore[misc]
    """CSafeLoader with a lean resolver: no path resolvers, so no per-node bookkeeping."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        if tag == BOOL_TAG and not _BOOL.match(value):
                            return STR_TAG  # YAML 1.2: `on`, `yes`, `no` are words
                        return str(tag)
            return STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG


class YamlFileError(Exception):
    """The file could not be read or parsed at all."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def read_yaml(data: bytes, display: str) -> tuple[Any, list[Issue]]:
    """Load one YAML file's bytes into LDict/LList/scalars.

    Returns the data (None for an empty file) and non-fatal problems (duplicate keys, unsupported
    tags); raises YamlFileError when the file is not UTF-8 or not YAML, or when it nests or
    expands (aliases) beyond what a manifest ever needs.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlFileError(Issue(display, line, "", "file is not valid UTF-8")) from exc
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> tuple[Any, list[Issue]]:
    """Parse YAML text; see read_yaml."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise YamlFileError(_syntax_issue(exc, display, text)) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a NUL byte)
        line = text.count("\n", 0, max(0, exc.position)) + 1
        reason = f"invalid YAML: the character {exc.character!r} is not allowed in YAML"
        raise YamlFileError(Issue(display, line, "", reason)) from exc
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise YamlFileError(Issue(display, 1, "", f"invalid YAML: {first}")) from exc
    finally:
        loader.dispose()
    if node is None:
        return None, []
    builder = _Builder(display)
    try:
        return builder.build(node), builder.issues
    except _TooBig as exc:
        raise YamlFileError(Issue(display, exc.line, "", exc.reason)) from None


class _TooBig(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _syntax_issue(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> Issue:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    reason = " ".join(part for part in (exc.context, exc.problem) if part)
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        reason += " (a tab: YAML indents with spaces only)"
    start = exc.context_mark
    if start is not None and start.line + 1 != line:
        # e.g. an unclosed quote is found at the end of the file; say where it began
        reason += f" (see line {start.line + 1})"
    return Issue(display, line, "", f"invalid YAML: {reason}")


# Booleans as YAML 1.2 (and JSON) spell them. YAML 1.1 also read yes/no/on/off as booleans,
# so a var named `on` or a tag named `No` would silently become True or False.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")


class _Builder:
    """Turns a composed node tree into LDict/LList/scalars, collecting problems.

    Plain strings are by far the most common node, so the loops handle them inline.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        self.issues: list[Issue] = []
        self._active: set[int] = set()  # containers being built, to catch recursive aliases
        self._built: set[int] = set()  # containers built once: building again is an alias
        self._repeats = 0
        self._nodes = 0
        self._constructor = SafeConstructor()

    def build(self, node: Node) -> Any:
        if node.__class__ is ScalarNode:
            return node.value if node.tag == STR_TAG else self._scalar(node)
        if id(node) in self._active:
            self._issue(node, "recursive YAML alias is not supported")
            return None
        if len(self._active) >= MAX_DEPTH:
            reason = f"nested more than {MAX_DEPTH} levels deep"
            raise _TooBig(node.start_mark.line + 1, reason)
        if id(node) in self._built:
            self._repeats += len(node.value) + 1
            if self._repeats > MAX_ALIAS_NODES:
                reason = (
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes; "
                    "write the data out instead of nesting aliases"
                )
                raise _TooBig(node.start_mark.line + 1, reason)
        self._built.add(id(node))
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node)
            assert isinstance(node, SequenceNode)
            return self._sequence(node)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: MappingNode) -> LDict:
        if node.tag != MAP_TAG:
            self._issue(node, f"unsupported YAML tag {node.tag!r}")
        out = LDict(node.start_mark.line + 1)
        key_lines, value_lines = out.key_lines, out.value_lines
        merged = 0  # leading pairs that came from `<<` merge keys: explicit keys override them
        merge_line = 0  # where the `<<` is: merged keys are declared there, not at the anchor
        if any(key_node.tag == MERGE_TAG for key_node, _ in node.value):
            explicit = sum(1 for key_node, _ in node.value if key_node.tag != MERGE_TAG)
            merge_line = next(k for k, _ in node.value if k.tag == MERGE_TAG).start_mark.line + 1
            self._flatten(node)
            merged = len(node.value) - explicit
        self._count(len(node.value), node)
        for index, (key_node, value_node) in enumerate(node.value):
            if key_node.__class__ is ScalarNode and key_node.tag == STR_TAG:
                key = key_node.value
            else:
                key = self.build(key_node)
            line = key_node.start_mark.line + 1 if index >= merged else merge_line
            if not isinstance(key, Hashable):
                self.issues.append(Issue(self.display, line, "", "a key must be a plain value"))
                continue
            if not isinstance(key, str):
                # Everything ctctform sends is JSON, whose keys are strings: `5: x` would
                # go out as "5" and never compare equal to what comes back.
                reason = f"a key must be a string: quote {key!r} (write '{key}')"
                self.issues.append(Issue(self.display, line, "", reason))
                continue
            if key in out and index >= merged and key_lines[key] >= 0:
                reason = f"duplicate key {key!r} (first at line {key_lines[key]})"
                self.issues.append(Issue(self.display, line, "", reason))
                continue
            if value_node.__class__ is ScalarNode and value_node.tag == STR_TAG:
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node)
            # A merged key gets a negative mark so one explicit override is not a duplicate.
            key_lines[key] = line if index >= merged else -line
            value_lines[key] = value_node.start_mark.line + 1 if index >= merged else merge_line
        if merged:
            for key, line in key_lines.items():
                key_lines[key] = abs(line)
        return out

    def _count(self, more: int, node: Node) -> None:
        """Bound the work: a manifest of 5,000 resources builds about 150,000 nodes."""
        self._nodes += more
        if self._nodes > MAX_NODES:
            reason = f"more than {MAX_NODES:,} YAML values in one file; split it"
            raise _TooBig(node.start_mark.line + 1, reason)

    def _flatten(self, node: MappingNode) -> None:
        try:
            self._constructor.flatten_mapping(node)  # resolves `<<` merge keys in place
        except yaml.MarkedYAMLError as exc:
            self.issues.append(_syntax_issue(exc, self.display))

    def _sequence(self, node: SequenceNode) -> LList:
        if node.tag != SEQ_TAG:
            self._issue(node, f"unsupported YAML tag {node.tag!r}")
        out = LList(node.start_mark.line + 1)
        self._count(len(node.value), node)
        lines = out.item_lines
        for item in node.value:
            if item.__class__ is ScalarNode and item.tag == STR_TAG:
                out.append(item.value)
            else:
                out.append(self.build(item))
            lines.append(item.start_mark.line + 1)
        return out

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return bool(_TRUE.match(node.value))
        if tag == _TAG + "int":
            try:
                return self._constructor.construct_yaml_int(node)
            except ValueError:  # Python refuses integers of more than 4,300 digits
                self._issue(node, "an integer too long to be a number (quote it if it is text)")
                return node.value
        if tag == _TAG + "float":
            number = self._constructor.construct_yaml_float(node)
            if not math.isfinite(number):
                # No field takes one, and a NaN compares false with everything: a NaN
                # threshold would turn a safety gate off.
                self._issue(node, f"{node.value} is not a finite number")
                return node.value
            return number
        if tag in (_TAG + "timestamp", _TAG + "value", MERGE_TAG):
            # No manifest field is a date; keep `2024-01-31` (or a lone `=`) as written.
            return node.value
        self._issue(node, f"unsupported YAML tag {tag!r}")
        return node.value

    def _issue(self, node: Node, reason: str) -> None:
        self.issues.append(Issue(self.display, node.start_mark.line + 1, "", reason))


def format_path(path: Path_) -> str:
    """`("lists", 3, "favorite")` -> `lists[3].favorite`; odd keys are quoted."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(str(part)):
            out.append(f".{part}" if out else str(part))
        else:
            out.append(f"[{str(part)!r}]")
    return "".join(out)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def line_of(root: Any, path: Path_) -> int:
    """The line of the node at `path` (of the deepest existing ancestor if it is missing)."""
    node, line = root, getattr(root, "line", 1) or 1
    for part in path:
        if isinstance(node, LDict) and part in node:
            line, node = node.value_lines[part], node[part]
        elif isinstance(node, LList) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node.item_lines[part], node[part]
        else:
            break
    return line


def to_plain(value: Any) -> Any:
    """A deep copy with plain dict/list, for data handed outside the manifest package."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
