"""Malformed manifests: every one is exit 1, a one-line `FILE:LINE: reason`, and not a
single request to the API, from `validate` and from `plan` alike (DESIGN §1, §6).

Each case is a distinct way to be wrong. `where` is the `FILE:LINE:` the error must start
with; `words` must appear in that error line (case-insensitive). The pathological inputs
that need a memory bound (alias bombs, /dev/zero, huge files) are in test_pathological.py;
the file-system cases (symlinks, FIFOs, directories) in test_manifest_files.py.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import assert_located, bounded


@dataclass(frozen=True)
class Bad:
    where: str
    words: tuple[str, ...] = ()
    text: str | bytes = ""  # bad.yaml
    files: dict[str, str | bytes] = field(default_factory=dict)  # m/NAME, the path is m/


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def seg(criteria: str, name: str = "S", extra: str = "") -> str:
    """A manifest whose segment (line 3) has `criteria` on line 4 (one line, flow style)."""
    return f"version: 1\nsegments:\n  - name: {name}\n    {criteria}\n{extra}"


def crit(inner: str) -> str:
    return f'criteria: {{version: "1.0.0", criteria: {inner}}}'


def cj(inner_json: str) -> str:
    return f'criteria_json: \'{{"version":"1.0.0","criteria":{inner_json}}}\''


def many(kind: str, n: int, key: str = "name") -> str:
    return f"version: 1\n{kind}:\n" + "".join(f"  - {{{key}: N{i}}}\n" for i in range(n))


def cf(label: str, extra: str) -> str:
    return f"version: 1\ncustom_fields:\n  - label: {label}\n    {extra}\n"


def hook(uri: str) -> str:
    return f"version: 1\nwebhooks:\n  - topic: billing_tier_upgrade\n    hook_uri: '{uri}'\n"


NESTED_500 = "[" * 500 + "]" * 500
DEEP_GROUPS = '{type: and, group: [{source: contact, field: x, op: eq, const_value: "1"}]}'
for _ in range(250):
    DEEP_GROUPS = "{type: and, group: [" + DEEP_GROUPS + "]}"
DEEP_JSON = '{"type":"and","group":[]}'
for _ in range(250):
    DEEP_JSON = '{"type":"and","group":[' + DEEP_JSON + "]}"
TRACK = "{{source: tracking, field: x, op: eq, const_value: {value}, param: '{param}'}}"
TAG_IN_OR = '{type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}]}'

CASES: dict[str, Bad] = {
    # -- YAML itself ------------------------------------------------------------------------
    "yaml-nan-threshold": Bad(
        "bad.yaml:2:",
        ("not a finite number",),
        "version: 1\nsettings: {max_delete_percent: .nan}\n",
    ),
    "yaml-integer-of-5000-digits": Bad(
        "bad.yaml:3:",
        ("integer too long",),
        "version: 1\nlists:\n  - {name: A, description: " + "9" * 5000 + "}\n",
    ),
    "yaml-integer-key-in-criteria": Bad(
        "bad.yaml:",
        ("a key must be a string",),
        y("""
        version: 1
        segments:
          - name: S
            criteria: {version: "1.0.0", criteria: {type: and, group: [], 5: x}}
        """),
    ),
    "criteria-json-reference-made-by-a-var-escape": Bad(
        "bad.yaml:6:",
        ("must be written in the json itself",),
        "version: 1\ntags: [{name: VIP}]\nvars: {city: '\\u0024{tag:VIP}'}\nsegments:\n"
        "  - name: S\n"
        '    criteria_json: \'{"version":"1.0.0","criteria":{"type":"and","group":[{"type":"or",'
        '"group":[{"source":"contact","field":"city","op":"eq","const_value":"${var:city}"}]}]}}\'\n',
    ),
    "yaml-unclosed-flow": Bad(
        "bad.yaml:5:",
        ("invalid YAML", "line 4"),
        y("""
        version: 1
        lists:
          - name: Newsletter
            description: [unclosed
          - name: Other
        """),
    ),
    "yaml-unclosed-quote": Bad(
        "bad.yaml:5:",
        (
            "invalid YAML",
            "line 3",
        ),
        'version: 1\ntags:\n  - name: "VIP\n  - name: Gold\n',
    ),
    "yaml-tab-indent": Bad("bad.yaml:3:", ("invalid YAML",), "version: 1\nlists:\n\t- name: X\n"),
    "yaml-mapping-in-scalar": Bad(
        "bad.yaml:4:",
        ("invalid YAML",),
        "version: 1\nlists:\n  - name: A\n   description: x\n",
    ),
    "yaml-two-documents": Bad(
        "bad.yaml:2:", ("document",), "version: 1\n---\ntags: [{name: VIP}]\n"
    ),
    "yaml-nul-byte": Bad("bad.yaml:3:", (), "version: 1\ntags:\n  - name: V\x00IP\n"),
    "yaml-python-tag": Bad(
        "bad.yaml:3:",
        ("tag",),
        "version: 1\ntags:\n  - name: !!python/object/apply:os.system [echo hi]\n",
    ),
    "yaml-custom-tag": Bad("bad.yaml:3:", ("tag",), "version: 1\ntags:\n  - name: !secret VIP\n"),
    "yaml-duplicate-key": Bad(
        "bad.yaml:4:", ("duplicate key",), "version: 1\nlists:\n  - name: A\n    name: B\n"
    ),
    "yaml-list-as-key": Bad("bad.yaml:2:", ("key",), "version: 1\n? [a, b]\n: 1\n"),
    "yaml-top-level-list": Bad("bad.yaml:1:", ("mapping",), "- version: 1\n- lists: []\n"),
    "yaml-top-level-scalar": Bad("bad.yaml:1:", ("mapping",), "just some words\n"),
    "yaml-recursive-alias-vars": Bad(
        "bad.yaml:2:", ("recursive",), "version: 1\nvars: &v\n  self: *v\n"
    ),
    "yaml-recursive-alias-list": Bad(
        "bad.yaml:2:", ("recursive",), "version: 1\ntags: &t\n  - *t\n"
    ),
    "yaml-undefined-alias": Bad("bad.yaml:3:", ("invalid YAML",), "version: 1\ntags:\n  - *nope\n"),
    "yaml-merge-scalar": Bad(
        "bad.yaml:3:",
        (
            "merging",
            "line 5",
        ),
        y("""
        version: 1
        vars:
          brand: &b Acme
        lists:
          - <<: *b
            name: X
        """),
    ),
    "yaml-merge-list-of-scalars": Bad(
        "bad.yaml:4:",
        ("merg",),
        y("""
        version: 1
        lists:
          - &a {name: A}
          - <<: [*a, 3]
            name: B
        """),
    ),
    "yaml-merge-brings-unknown-key": Bad(
        "bad.yaml:3:",
        ("colour",),
        y("""
        version: 1
        lists:
          - &base {name: A, colour: red}
          - <<: *base
            name: B
        """),
    ),
    "yaml-merge-duplicates-identity": Bad(
        "bad.yaml:4:",
        ("duplicate",),
        y("""
        version: 1
        tags:
          - &t {name: VIP}
          - <<: *t
        """),
    ),
    "yaml-nested-500": Bad(
        "bad.yaml:3:", ("nested",), f"version: 1\nvars:\n  deep: {NESTED_500}\n"
    ),
    "yaml-nested-500-in-criteria": Bad(
        "bad.yaml:4:", ("nested",), seg(f'criteria: {{version: "1.0.0", criteria: {DEEP_GROUPS}}}')
    ),
    "utf16-with-bom": Bad("bad.yaml:1:", ("UTF-8",), "version: 1\n".encode("utf-16")),
    "latin1-bytes": Bad(
        "bad.yaml:3:", ("UTF-8",), "version: 1\ntags:\n  - name: Caf\xe9\n".encode("latin-1")
    ),
    "binary-junk": Bad("bad.yaml:2:", ("UTF-8",), bytes(range(256)) * 8),
    "gzip-bytes": Bad("bad.yaml:1:", (), b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(64)),
    # -- version and top-level keys ---------------------------------------------------------
    "version-missing": Bad("bad.yaml:1:", ("version",), "tags:\n  - name: VIP\n"),
    "version-2": Bad("bad.yaml:1:", ("version",), "version: 2\ntags:\n  - name: VIP\n"),
    "version-word": Bad("bad.yaml:1:", ("version",), "version: one\n"),
    "empty-file-no-version": Bad("bad.yaml:1:", ("version",), "# nothing here\n"),
    "unknown-top-level-key": Bad(
        "bad.yaml:2:", ("unknown key 'list'", "lists"), "version: 1\nlist:\n  - name: A\n"
    ),
    "lists-is-a-string": Bad(
        "bad.yaml:2:", ("expected a list",), "version: 1\nlists: Newsletter\n"
    ),
    "lists-of-ints": Bad("bad.yaml:2:", ("expected a mapping",), "version: 1\nlists: [1, 2]\n"),
    "tags-is-a-mapping": Bad(
        "bad.yaml:2:", ("expected a list",), "version: 1\ntags: {name: VIP}\n"
    ),
    "list-item-is-a-string": Bad(
        "bad.yaml:3:", ("expected a mapping",), "version: 1\nlists:\n  - Newsletter\n"
    ),
    "vars-value-is-a-list": Bad("bad.yaml:3:", (), "version: 1\nvars:\n  brand: [a, b]\n"),
    "vars-is-a-list": Bad("bad.yaml:2:", ("expected a mapping",), "version: 1\nvars: [a]\n"),
    # -- identities ---------------------------------------------------------------------------
    "name-integer": Bad(
        "bad.yaml:3:", ("expected a string",), "version: 1\nlists:\n  - name: 42\n"
    ),
    "name-float": Bad("bad.yaml:3:", ("expected a string",), "version: 1\ntags:\n  - name: 1.5\n"),
    "name-boolean": Bad(
        "bad.yaml:3:", ("expected a string",), "version: 1\ntags:\n  - name: true\n"
    ),
    "name-null": Bad("bad.yaml:3:", (), "version: 1\ntags:\n  - name:\n"),
    "name-empty": Bad("bad.yaml:3:", ("empty",), "version: 1\nlists:\n  - name: ''\n"),
    "name-blank": Bad("bad.yaml:3:", ("blank",), "version: 1\nlists:\n  - name: '   '\n"),
    "name-missing": Bad(
        "bad.yaml:3:", ("missing required key 'name'",), "version: 1\nlists:\n  - description: x\n"
    ),
    "name-empty-after-var": Bad(
        "bad.yaml:5:",
        ("empty",),
        "version: 1\nvars:\n  nothing: ''\ntags:\n  - name: '${var:nothing}'\n",
    ),
    "tag-name-256": Bad(
        "bad.yaml:3:", ("255",), "version: 1\ntags:\n  - name: " + "t" * 256 + "\n"
    ),
    "duplicate-tag": Bad(
        "bad.yaml:4:",
        ("duplicate", "bad.yaml:3"),
        "version: 1\ntags:\n  - name: VIP\n  - name: VIP\n",
    ),
    "duplicate-after-var": Bad(
        "bad.yaml:6:",
        ("duplicate", "bad.yaml:5"),
        "version: 1\nvars:\n  x: VIP\ntags:\n  - name: VIP\n  - name: '${var:x}'\n",
    ),
    "duplicate-across-files": Bad(
        "m/b.yaml:2:",
        ("duplicate", "m/a.yaml:3"),
        files={
            "a.yaml": "version: 1\nlists:\n  - name: Newsletter\n",
            "b.yaml": "lists:\n  - name: Newsletter\n",
        },
    ),
    "duplicate-webhook-topic-and-topic-id": Bad(
        "bad.yaml:5:",
        ("duplicate",),
        y("""
        version: 1
        webhooks:
          - {topic: billing_tier_upgrade, hook_uri: "https://a.example.com/x"}
          - hook_uri: https://b.example.com/y
            topic_id: 1
        """),
    ),
    "vars-declared-in-two-files": Bad(
        "m/b.yaml:2:",
        ("brand", "m/a.yaml:3"),
        files={"a.yaml": "version: 1\nvars:\n  brand: A\n", "b.yaml": "vars:\n  brand: B\n"},
    ),
    "prune-set-in-two-files": Bad(
        "m/b.yaml:2:",
        ("m/a.yaml:3",),
        files={"a.yaml": "version: 1\nprune:\n  tags: true\n", "b.yaml": "prune:\n  tags: false\n"},
    ),
    "renamed-from-ints": Bad(
        "bad.yaml:4:",
        ("expected a string",),
        "version: 1\ntags:\n  - name: A\n    renamed_from: [1, 2]\n",
    ),
    "renamed-from-own-name": Bad(
        "bad.yaml:4:", ("own name",), "version: 1\ntags:\n  - name: A\n    renamed_from: A\n"
    ),
    "renamed-from-a-declared-name": Bad(
        "bad.yaml:4:",
        ("declared",),
        "version: 1\ntags:\n  - name: A\n    renamed_from: [B]\n  - name: B\n",
    ),
    "renamed-from-claimed-twice": Bad(
        "bad.yaml:6:",
        ("renamed_from", "bad.yaml:4"),
        "version: 1\ntags:\n  - name: A\n    renamed_from: [Old]\n  - name: B\n    renamed_from: [Old]\n",
    ),
    # -- fields -------------------------------------------------------------------------------
    "unknown-key-in-list": Bad(
        "bad.yaml:4:",
        ("unknown key 'colour'",),
        "version: 1\nlists:\n  - name: A\n    colour: red\n",
    ),
    "favorite-quoted": Bad(
        "bad.yaml:4:", ("boolean",), "version: 1\nlists:\n  - name: A\n    favorite: 'yes'\n"
    ),
    "favorite-from-var": Bad(
        "bad.yaml:6:",
        ("boolean",),
        "version: 1\nvars:\n  fav: 'true'\nlists:\n  - name: A\n    favorite: '${var:fav}'\n",
    ),
    "protect-quoted": Bad(
        "bad.yaml:4:", ("boolean",), "version: 1\ntags:\n  - name: A\n    protect: 'true'\n"
    ),
    "description-a-list": Bad(
        "bad.yaml:4:",
        ("expected a string",),
        "version: 1\nlists:\n  - name: A\n    description: [x]\n",
    ),
    "description-256-after-vars": Bad(
        "bad.yaml:6:",
        ("255",),
        "version: 1\nvars:\n  long: " + "d" * 200 + "\nlists:\n  - name: A\n"
        "    description: '${var:long} ${var:long}'\n",
    ),
    "label-51-after-vars": Bad(
        "bad.yaml:5:",
        ("50",),
        "version: 1\nvars:\n  brand: " + "b" * 30 + "\ncustom_fields:\n"
        "  - label: '${var:brand} ${var:brand}'\n    type: string\n",
    ),
    "var-undefined": Bad(
        "bad.yaml:3:", ("${var:nope}",), "version: 1\ntags:\n  - name: 'A ${var:nope}'\n"
    ),
    # -- references -----------------------------------------------------------------------------
    "ref-unknown-kind": Bad(
        "bad.yaml:4:",
        ("contact",),
        seg(
            crit(
                '{type: and, group: [{source: contact, field: x, op: eq, const_value: "${contact:X}"}]}'
            )
        ),
    ),
    "ref-unterminated": Bad(
        "bad.yaml:4:",
        ("unterminated",),
        seg(
            crit(
                '{type: and, group: [{type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP"}]}]}'
            )
        ),
    ),
    "ref-without-kind": Bad(
        "bad.yaml:3:", ("malformed",), "version: 1\ntags:\n  - name: 'A ${VIP}'\n"
    ),
    "ref-empty-name": Bad(
        "bad.yaml:4:",
        ("no name",),
        seg(
            crit(
                '{type: and, group: [{type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:}"}]}]}'
            )
        ),
    ),
    "ref-outside-criteria": Bad(
        "bad.yaml:5:",
        ("segment criteria",),
        "version: 1\nlists:\n  - name: Other\n  - name: A\n    description: 'see ${list:Other}'\n",
    ),
    "ref-to-a-renamed-away-name": Bad(
        "bad.yaml:4:",
        ("old name",),
        seg(
            crit(
                '{type: and, group: [{type: or, group: [{source: tags, field: tag_id, op: contains-any, const_value: "${tag:Gold member}"}]}]}'
            ),
            extra="tags:\n  - name: Gold card member\n    renamed_from: [Gold member]\n",
        ),
    ),
    "ref-cycle-between-segments": Bad(
        "bad.yaml:4:",
        ("cycle",),
        seg(
            crit(
                '{type: and, group: [{source: contact, field: x, op: eq, const_value: "${segment:T}"}]}'
            )
        )
        + "  - name: T\n    "
        + crit(
            '{type: and, group: [{source: contact, field: x, op: eq, const_value: "${segment:S}"}]}'
        )
        + "\n",
    ),
    # -- segment criteria -----------------------------------------------------------------------
    "criteria-and-criteria-json": Bad(
        "bad.yaml:3:",
        (),
        seg(crit("{type: and, group: []}"))
        + '    criteria_json: \'{"version":"1.0.0","criteria":{"type":"and","group":[]}}\'\n',
    ),
    "criteria-neither": Bad("bad.yaml:3:", (), "version: 1\nsegments:\n  - name: S\n"),
    "criteria-a-string": Bad("bad.yaml:4:", ("expected a mapping",), seg("criteria: everyone")),
    "criteria-without-inner-group": Bad(
        "bad.yaml:4:", ("criteria",), seg('criteria: {version: "1.0.0"}')
    ),
    "criteria-json-without-inner-group": Bad(
        "bad.yaml:4:", ("criteria",), seg('criteria_json: \'{"version":"1.0.0"}\'')
    ),
    "criteria-top-level-or": Bad("bad.yaml:4:", ("and",), seg(crit("{type: or, group: []}"))),
    "criteria-group-type-xor": Bad(
        "bad.yaml:4:", ("type",), seg(crit("{type: and, group: [{type: xor, group: []}]}"))
    ),
    "criteria-group-not-a-list": Bad(
        "bad.yaml:4:", ("group",), seg(crit("{type: and, group: everyone}"))
    ),
    "criteria-tags-outside-or": Bad(
        "bad.yaml:4:",
        ("or",),
        seg(
            crit(
                "{type: and, group: [{source: tags, field: tag_id, op: contains-any, const_value: x}]}"
            )
        ),
    ),
    "criteria-list-membership-in-nested-and": Bad(
        "bad.yaml:4:",
        ("or",),
        seg(
            crit(
                "{type: and, group: [{type: and, group: [{source: list_membership, field: list_id, op: contains-any, const_value: x}]}]}"
            )
        ),
    ),
    "criteria-nan": Bad(
        "bad.yaml:4:",
        ("nan",),
        seg(
            crit("{type: and, group: [{source: contact, field: score, op: gt, const_value: .nan}]}")
        ),
    ),
    "criteria-infinity": Bad(
        "bad.yaml:4:",
        ("inf",),
        seg(
            crit(
                "{type: and, group: [{source: contact, field: score, op: gt, const_value: -.inf}]}"
            )
        ),
    ),
    "criteria-json-nan": Bad(
        "bad.yaml:4:",
        ("nan",),
        seg(
            cj(
                '{"type":"and","group":[{"source":"contact","field":"s","op":"gt","const_value":NaN}]}'
            )
        ),
    ),
    "criteria-json-infinity": Bad(
        "bad.yaml:4:",
        ("infinity",),
        seg(
            cj(
                '{"type":"and","group":[{"source":"contact","field":"s","op":"gt","const_value":Infinity}]}'
            )
        ),
    ),
    "criteria-json-not-json": Bad("bad.yaml:4:", ("JSON",), seg("criteria_json: '{\"version\": '")),
    "criteria-json-an-array": Bad("bad.yaml:4:", ("object",), seg("criteria_json: '[1, 2]'")),
    "criteria-json-broken-by-a-var": Bad(
        "bad.yaml:4:",
        ("JSON",),
        seg(
            cj(
                '{"type":"and","group":[{"source":"contact","field":"s","op":"eq","const_value":"${var:q}"}]}'
            ),
            extra="vars:\n  q: 'say \"hi\"'\n",
        ),
    ),
    "criteria-json-nested-500": Bad("bad.yaml:4:", ("nested",), seg(cj(DEEP_JSON))),
    "criteria-over-20000-characters": Bad(
        "bad.yaml:4:",
        ("20",),
        seg(
            crit(
                "{type: and, group: [{source: contact, field: x, op: eq, const_value: "
                + "v" * 20_001
                + "}]}"
            )
        ),
    ),
    "criteria-over-20000-once-references-are-ids": Bad(
        "bad.yaml:4:",
        ("20",),
        seg(
            crit(
                "{type: and, group: [{type: or, group: ["
                + ", ".join(
                    '{source: tags, field: tag_id, op: contains-any, const_value: "${tag:T}"}'
                    for _ in range(300)
                )
                + "]}]}"
            ),
            extra="tags:\n  - name: T\n",
        ),
    ),
    "criteria-501-campaigns": Bad(
        "bad.yaml:4:",
        ("500",),
        seg(
            crit(
                "{type: and, group: [" + TRACK.format(value="last-n-campaigns", param="501") + "]}"
            )
        ),
    ),
    "criteria-1826-days": Bad(
        "bad.yaml:4:",
        ("1825",),
        seg(crit("{type: and, group: [" + TRACK.format(value="last-n-days", param="1826") + "]}")),
    ),
    "criteria-version-a-number": Bad(
        "bad.yaml:4:",
        ("string",),
        seg("criteria: {version: 1.0, criteria: {type: and, group: []}}"),
    ),
    # -- custom fields ---------------------------------------------------------------------
    "custom-fields-101": Bad(
        "bad.yaml:103:",
        ("100",),
        many("custom_fields", 101, "label").replace("}", ", type: string}"),
    ),
    "custom-field-radio-21-choices": Bad(
        "bad.yaml:6:",
        ("20",),
        cf(
            "Color",
            "type: single_select\n    metadata: {display_type: radio}\n    choices: ["
            + ", ".join(f"c{i}" for i in range(21))
            + "]",
        ),
    ),
    "custom-field-dropdown-101-choices": Bad(
        "bad.yaml:6:",
        ("100",),
        cf(
            "Color",
            "type: single_select\n    metadata: {display_type: dropdown}\n    choices: ["
            + ", ".join(f"c{i}" for i in range(101))
            + "]",
        ),
    ),
    "custom-field-choice-256": Bad(
        "bad.yaml:5:",
        ("255",),
        cf("Color", "type: single_select\n    choices: [" + "c" * 256 + "]"),
    ),
    "custom-field-choice-empty": Bad(
        "bad.yaml:5:", ("empty",), cf("Color", "type: single_select\n    choices: ['']")
    ),
    "custom-field-duplicate-choices": Bad(
        "bad.yaml:5:", ("Red",), cf("Color", "type: single_select\n    choices: [Red, Red]")
    ),
    "custom-field-choices-on-a-string": Bad(
        "bad.yaml:5:", ("choices",), cf("Color", "type: string\n    choices: [Red]")
    ),
    "custom-field-labels-differ-by-case": Bad(
        "bad.yaml:5:",
        ("hobby", "bad.yaml:3"),
        "version: 1\ncustom_fields:\n  - {label: Hobby, type: string}\n  - {label: Golf, type: string}\n  - {label: hobby, type: string}\n",
    ),
    "custom-field-labels-differ-by-space": Bad(
        "bad.yaml:4:",
        ("favorite_color", "bad.yaml:3"),
        "version: 1\ncustom_fields:\n  - {label: Favorite Color, type: string}\n  - {label: favorite_color, type: string}\n",
    ),
    "custom-field-type-unknown": Bad("bad.yaml:4:", ("one of",), cf("Color", "type: colour")),
    "custom-field-type-missing": Bad(
        "bad.yaml:3:", ("type",), "version: 1\ncustom_fields:\n  - label: Color\n"
    ),
    "custom-field-decimal-places-5": Bad(
        "bad.yaml:6:", ("4",), cf("Price", "type: currency\n    metadata:\n      decimal_places: 5")
    ),
    "custom-field-currency-lowercase": Bad(
        "bad.yaml:6:",
        ("currency_code",),
        cf("Price", "type: currency\n    metadata:\n      currency_code: usd"),
    ),
    "custom-field-metadata-unknown-key": Bad(
        "bad.yaml:6:", ("colour",), cf("Price", "type: number\n    metadata:\n      colour: red")
    ),
    # -- counts -----------------------------------------------------------------------------
    "lists-1001": Bad("bad.yaml:1003:", ("1000",), many("lists", 1001)),
    "tags-501": Bad("bad.yaml:503:", ("500",), many("tags", 501)),
    # -- webhooks ---------------------------------------------------------------------------
    "hook-uri-scheme-only": Bad("bad.yaml:4:", ("host",), hook("https://")),
    "hook-uri-no-host": Bad("bad.yaml:4:", ("host",), hook("https:///ctct/billing")),
    "hook-uri-513": Bad("bad.yaml:4:", ("512",), hook("https://hooks.example.com/" + "p" * 487)),
    "hook-uri-credentials": Bad(
        "bad.yaml:4:", ("credentials",), hook("https://user:pw@hooks.example.com/x")
    ),
    "hook-uri-bad-port": Bad("bad.yaml:4:", (), hook("https://hooks.example.com:99999/x")),
    "hook-uri-space-in-host": Bad("bad.yaml:4:", ("host",), hook("https://hooks example.com/x")),
    "hook-uri-http-through-a-var": Bad(
        "bad.yaml:6:",
        ("https://",),
        "version: 1\nvars:\n  h: http://hooks.example.com/x\nwebhooks:\n  - topic: account_cancelled\n    hook_uri: '${var:h}'\n",
    ),
    "webhook-topic-and-topic-id": Bad(
        "bad.yaml:3:",
        (),
        "version: 1\nwebhooks:\n  - {topic: billing_tier_upgrade, topic_id: 1, hook_uri: 'https://h.example.com/x'}\n",
    ),
    "webhook-topic-id-5": Bad(
        "bad.yaml:3:",
        (),
        "version: 1\nwebhooks:\n  - {topic_id: 5, hook_uri: 'https://h.example.com/x'}\n",
    ),
    "webhook-without-hook-uri": Bad(
        "bad.yaml:3:", ("hook_uri",), "version: 1\nwebhooks:\n  - topic: account_disabled\n"
    ),
    # -- account settings ----------------------------------------------------------------------
    "sender-email-not-an-address": Bad(
        "bad.yaml:3:", ("email",), "version: 1\nsender_emails:\n  - not-an-email\n"
    ),
    "sender-emails-differ-by-case": Bad(
        "bad.yaml:4:",
        ("a@b.example",),
        "version: 1\nsender_emails:\n  - a@b.example\n  - A@B.example\n",
    ),
    "physical-address-us-without-state": Bad(
        "bad.yaml:6:",
        ("state_code",),
        "version: 1\nphysical_address:\n  address_line1: 1 Main St\n  city: Boston\n"
        "  postal_code: '02451'\n  country_code: US\n",
    ),
    "account-pin-a-number": Bad(
        "bad.yaml:3:", ("expected a string",), "version: 1\naccount:\n  encoded_account_id: 5\n"
    ),
    # -- prune and settings -----------------------------------------------------------------
    "prune-a-boolean": Bad("bad.yaml:2:", ("expected a mapping",), "version: 1\nprune: true\n"),
    "prune-unknown-kind": Bad(
        "bad.yaml:3:", ("contacts",), "version: 1\nprune:\n  contacts: true\n"
    ),
    "prune-quoted-boolean": Bad("bad.yaml:3:", ("boolean",), "version: 1\nprune:\n  tags: 'yes'\n"),
    "settings-unknown-key": Bad(
        "bad.yaml:3:", ("unknown key",), "version: 1\nsettings:\n  max_delete: 5\n"
    ),
    "settings-selector-unknown-kind": Bad(
        "bad.yaml:3:", ("KIND",), "version: 1\nsettings:\n  allow_delete: ['contacts:Bob']\n"
    ),
    "settings-selector-a-string": Bad(
        "bad.yaml:3:", ("expected a list",), "version: 1\nsettings:\n  allow_delete: tags\n"
    ),
    "settings-negative-max-deletes": Bad(
        "bad.yaml:3:", ("0",), "version: 1\nsettings:\n  max_deletes: -1\n"
    ),
    "settings-percent-over-100": Bad(
        "bad.yaml:3:", ("100",), "version: 1\nsettings:\n  max_delete_percent: 250\n"
    ),
}


def _write(tmp_path: Path, case: Bad) -> str:
    if case.files:
        folder = tmp_path / "m"
        folder.mkdir()
        for name, content in case.files.items():
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            (folder / name).write_bytes(data)
        return "m"
    data = case.text if isinstance(case.text, bytes) else case.text.encode("utf-8")
    (tmp_path / "bad.yaml").write_bytes(data)
    return "bad.yaml"


@pytest.mark.parametrize("case", list(CASES))
def test_bad_manifest(sb, ctct, tmp_path, case):
    bad = CASES[case]
    path = _write(tmp_path, bad)
    with bounded(10):
        for command in ("validate", "plan"):
            res = ctct([command, path])
            assert_located(res, bad.where, *bad.words)
            assert sb.requests == [], f"{command} touched the network: {sb.requests}"
