"""References: ${kind:name}, ${var:..}, the $${ escape, and who un-escapes what."""

from __future__ import annotations

import json

import pytest

from ctctform.manifest import Ref
from ctctform.manifest.refs import REF_RE, find_refs, substitute
from ctctform.workflow import load_manifest

from .conftest import Write, errors_of

IDS = {("tag", "VIP"): "t-1", ("list", "News letter"): "l-1", ("segment", "S"): "s-1"}


def resolve(kind: str, name: str) -> str:
    return IDS[(kind, name)]


def test_find_refs_walks_nested_values_in_order_and_skips_escapes() -> None:
    value = {
        "a": "${tag:VIP} and ${list:News letter}",
        "b": [{"c": "$${tag:Escaped}"}, 5, None, "${custom_field:Favorite Color}"],
        "${tag:KeyIsNotSearched}": "x",
    }
    assert find_refs(value) == [
        Ref("tag", "VIP"),
        Ref("list", "News letter"),
        Ref("custom_field", "Favorite Color"),
    ]


def test_substitute_resolves_and_unescapes_without_touching_the_input() -> None:
    value = {"g": ["${tag:VIP}", "id=${list:News letter};", "cost $${x}", 3], "k": True}
    out = substitute(value, resolve)
    assert out == {"g": ["t-1", "id=l-1;", "cost ${x}", 3], "k": True}
    assert value["g"][0] == "${tag:VIP}"  # a new structure is returned


def test_substitute_leaves_stray_dollar_brace_alone() -> None:
    assert substitute("a ${ b", resolve) == "a ${ b"
    assert substitute("$$${tag:VIP}", resolve) == "$${tag:VIP}"


def test_ref_re_names_may_hold_spaces_and_punctuation_but_not_braces() -> None:
    match = REF_RE.search("x ${tag:Gold card member (2024) / ü:ok} y")
    assert match is not None
    assert (match.group("kind"), match.group("name")) == ("tag", "Gold card member (2024) / ü:ok")


# A valid criteria document around the values these tests are about.
SHELL = {"criteria": {"type": "and", "group": []}}


def test_segment_criteria_keep_refs_and_escapes_for_the_planner(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        tags: [{name: VIP}]
        segments:
          - name: S
            criteria:
              criteria: {type: and, group: []}
              group:
                - {const_value: "${tag:VIP}", note: "literal $${tag:VIP}"}
        """,
    )
    (seg,) = load_manifest(path).resources["segments"]
    group = seg.spec["criteria"]["group"]
    assert group == [{"const_value": "${tag:VIP}", "note": "literal $${tag:VIP}"}]
    assert seg.refs == [Ref("tag", "VIP")]
    assert substitute(seg.spec["criteria"], resolve)["group"] == [
        {"const_value": "t-1", "note": "literal ${tag:VIP}"}
    ]


def test_escape_outside_criteria_is_final_text(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        lists:
          - name: "Costs $${amount}"
            description: "$${var:x} stays"
        """,
    )
    (res,) = load_manifest(path).resources["lists"]
    assert (res.key, res.spec["description"]) == ("Costs ${amount}", "${var:x} stays")


def test_var_values_are_literal_text(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {odd: "${tag:VIP}"}
        lists: [{name: "L ${var:odd}"}]
        segments: [{name: S, criteria: {criteria: {type: and, group: []}, v: "${var:odd}"}}]
        """,
    )
    m = load_manifest(path)
    assert m.resources["lists"][0].key == "L ${tag:VIP}"
    (seg,) = m.resources["segments"]
    assert seg.refs == []
    assert substitute(seg.spec["criteria"], resolve) == {**SHELL, "v": "${tag:VIP}"}


def test_var_inside_a_reference_name(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {vip: VIP}
        segments: [{name: S, criteria: {criteria: {type: and, group: []}, v: "${tag:${var:vip}}"}}]
        """,
    )
    (seg,) = load_manifest(path).resources["segments"]
    assert seg.spec["criteria"] == {**SHELL, "v": "${tag:VIP}"}
    assert seg.refs == [Ref("tag", "VIP")]


def test_var_precedence_overrides_then_files(write: Write) -> None:
    path = write("m.yaml", "version: 1\nvars: {b: file}\nlists: [{name: '${var:b}'}]\n")
    assert load_manifest(path).resources["lists"][0].key == "file"
    assert load_manifest(path, {"b": "flag"}).resources["lists"][0].key == "flag"


def test_unset_var_is_an_error_at_its_use(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        lists:
          - name: ok
            description: "${var:nope} and ${var:nope}"
        segments:
          - name: S
            criteria_json: '{"criteria": {"type": "and", "group": []}, "a": "${var:gone}"}'
        """,
    )
    assert errors_of(path) == [
        "m.yaml:4: lists[0].description: ${var:nope} has no value (set it under vars: or pass --var nope=...)",
        "m.yaml:7: segments[0].criteria_json: ${var:gone} has no value (set it under vars: or pass --var gone=...)",
    ]
    assert load_manifest(path, {"nope": "x", "gone": "y"}).resources["lists"][0].spec == {
        "description": "x and x"
    }


def test_reference_syntax_errors(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        lists:
          - name: "${tag:VIP}"
        segments:
          - name: S
            criteria:
              criteria: {type: and, group: []}
              a: "${foo:bar}"
              b: "${tag:unterminated"
              c: "${nokind}"
              d: "${tag:}"
        """,
    )
    assert errors_of(path) == [
        "m.yaml:3: lists[0].name: ${tag:VIP}: only ${var:NAME} may be used here; references to "
        "resources work only in segment criteria (write $${ for a literal ${)",
        "m.yaml:8: segments[0].criteria.a: unknown reference kind 'foo' in ${foo:bar} "
        "(expected custom_field, list, tag, segment or var)",
        "m.yaml:9: segments[0].criteria.b: unterminated '${' (write $${ for a literal ${)",
        "m.yaml:10: segments[0].criteria.c: malformed reference '${nokind}': expected ${kind:name} "
        "(write $${ for a literal ${)",
        "m.yaml:11: segments[0].criteria.d: ${tag:} has no name",
    ]


def test_criteria_json_must_be_a_json_object_after_vars(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {n: "5", q: 'say "hi"'}
        segments:
          - name: Good
            criteria_json: '{"criteria": {"type": "and", "group": []}, "param": ${var:n}, "tag": "${tag:VIP}"}'
          - name: Broken
            criteria_json: '{"version": "1.0.0",'
          - name: Quote
            criteria_json: '{"criteria": {"type": "and", "group": []}, "x": "${var:q}"}'
          - name: List
            criteria_json: '[1]'
        """,
    )
    assert errors_of(path) == [
        "m.yaml:7: segments[1].criteria_json: not valid JSON: Expecting property name enclosed "
        "in double quotes at line 1 column 21",
        "m.yaml:9: segments[2].criteria_json: not valid JSON: Expecting ',' delimiter at line 1 "
        "column 55 (after substituting vars)",
        "m.yaml:11: segments[3].criteria_json: must be a JSON object ({...})",
    ]


def test_criteria_json_with_vars_and_refs(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {n: "5"}
        segments:
          - name: Good
            criteria_json: '{"criteria": {"type": "and", "group": []}, "param": ${var:n}, "tag": "${tag:VIP}", "lit": "$${x}"}'
        """,
    )
    m = load_manifest(path)
    (seg,) = m.resources["segments"]
    assert seg.spec["criteria"] == {**SHELL, "param": 5, "tag": "${tag:VIP}", "lit": "$${x}"}
    assert seg.refs == [Ref("tag", "VIP")]
    assert m.warnings == [
        "m.yaml:5: segments[0].criteria_json.tag: ${tag:VIP} is not declared here; it must exist in the account"
    ]


def test_undeclared_references_are_warnings_declared_ones_are_not(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        lists: [{name: News letter}]
        custom_fields: [{label: Color, type: string}]
        segments:
          - name: S
            criteria:
              criteria: {type: and, group: []}
              group:
                - {const_value: "${list:News letter}"}
                - {const_value: "${tag:Gold}"}
                - {const_value: "${custom_field:Color}", other: "${segment:Elsewhere}"}
        """,
    )
    m = load_manifest(path)
    assert m.warnings == [
        "m.yaml:10: segments[0].criteria.group[1].const_value: ${tag:Gold} is not declared here; "
        "it must exist in the account",
        "m.yaml:11: segments[0].criteria.group[2].other: ${segment:Elsewhere} is not declared here; "
        "it must exist in the account",
    ]
    assert [str(r) for r in m.resources["segments"][0].refs] == [
        "${list:News letter}",
        "${tag:Gold}",
        "${custom_field:Color}",
        "${segment:Elsewhere}",
    ]


def test_reference_to_a_renamed_away_name_is_an_error(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        tags: [{name: Gold card member, renamed_from: Gold member}]
        segments: [{name: S, criteria: {criteria: {type: and, group: []}, v: "${tag:Gold member}"}}]
        """,
    )
    assert errors_of(path) == [
        "m.yaml:3: segments[0].criteria.v: ${tag:Gold member} names the old name of tag "
        "'Gold card member' (renamed_from); use 'Gold card member'"
    ]


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        ([("A", ["A"])], "A -> A"),
        ([("A", ["B"]), ("B", ["C"]), ("C", ["A"])], "A -> B -> C -> A"),
    ],
)
def test_segment_reference_cycles(write: Write, segments, expected: str) -> None:
    docs = [
        {"name": name, "criteria": {**SHELL, "g": [f"${{segment:{t}}}" for t in targets]}}
        for name, targets in segments
    ]
    path = write("m.yaml", json.dumps({"version": 1, "segments": docs}))
    (error,) = errors_of(path)
    assert error.endswith(f"segment references form a cycle: {expected}")
    assert error.startswith("m.yaml:1: segments[0].criteria.g[0]: ")


def test_segments_may_reference_each_other_without_a_cycle(write: Write) -> None:
    docs = [
        {"name": "A", "criteria": {**SHELL, "g": "${segment:B}"}},
        {"name": "B", "criteria": {**SHELL, "g": "x"}},
    ]
    path = write("m.yaml", json.dumps({"version": 1, "segments": docs}))
    assert load_manifest(path).resources["segments"][0].refs == [Ref("segment", "B")]


def test_criteria_json_may_name_a_reference_through_a_var_but_a_value_never_makes_one(
    write: Write,
) -> None:
    """`${tag:${var:vip}}` is a reference the JSON writes (its name from a var); a var whose
    value decodes to `${tag:VIP}` (through a JSON escape) is refused."""
    rule = '{"source":"tags","field":"tag_id","op":"contains-any","const_value":"%s"}'
    criteria = '{"version":"1.0.0","criteria":{"type":"and","group":[{"type":"or","group":[%s]}]}}'
    named = criteria % (rule % "${tag:${var:vip}}")
    path = write(
        "m.yaml",
        "version: 1\ntags: [{name: VIP}]\nvars: {vip: VIP}\n"
        f"segments:\n  - name: S\n    criteria_json: '{named}'\n",
    )
    manifest = load_manifest(path)
    assert manifest.resources["segments"][0].refs == [Ref("tag", "VIP")]
    made = criteria % (rule % "${var:x}")
    bad = write(
        "bad.yaml",
        "version: 1\ntags: [{name: VIP}]\nvars: {x: '\\u0024{tag:VIP}'}\n"
        f"segments:\n  - name: S\n    criteria_json: '{made}'\n",
    )
    (error,) = errors_of(bad)
    assert "${tag:VIP} must be written in the JSON itself" in error
