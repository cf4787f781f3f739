"""Invalid manifests: every problem reported at once, each as `file:line: where: reason`."""

from __future__ import annotations

import pytest

from ctctform.errors import CtctformError
from ctctform.manifest import ManifestError
from ctctform.workflow import load_manifest

from .conftest import Write, errors_of

BAD = """
version: 1
lists:
  - name: News
    favorite: maybe
    colour: red
  - description: no name
  - name: "%s"
tags:
  - name: ""
  - {name: VIP, renamed_from: [1]}
custom_fields:
  - label: A label that is definitely more than fifty characters long
    type: strnig
    metadata: {display_type: dropdown, colr: 1}
    choices: [a, a]
segments:
  - name: S
  - name: T
    criteria: {x: 1}
    criteria_json: "{}"
webhooks:
  - topic_id: 7
    hook_uri: http://x
  - topic: nope
    hook_uri: https://x
prune: {lists: 1, widgets: true}
vars: {a: [1]}
lsts: []
""" % ("x" * 256)


def test_all_schema_errors_at_once_with_lines_and_short_reasons(write: Write) -> None:
    path = write("bad.yaml", BAD)
    assert errors_of(path) == [
        "bad.yaml:4: lists[0].favorite: expected a boolean",
        "bad.yaml:5: lists[0]: unknown key 'colour'",
        "bad.yaml:6: lists[1]: missing required key 'name'",
        "bad.yaml:7: lists[2].name: must be at most 255 characters",
        "bad.yaml:9: tags[0].name: must not be empty",
        "bad.yaml:10: tags[1].renamed_from[0]: expected a string",
        "bad.yaml:12: custom_fields[0].label: must be at most 50 characters",
        "bad.yaml:13: custom_fields[0].type: must be one of: string, text_area, number, "
        "currency, date, datetime, boolean, single_select, multi_select",
        "bad.yaml:14: custom_fields[0].metadata: unknown key 'colr'",
        "bad.yaml:15: custom_fields[0].choices: 'a' appears more than once",
        "bad.yaml:17: segments[0]: give exactly one of 'criteria' or 'criteria_json'",
        "bad.yaml:18: segments[1]: give exactly one of 'criteria' or 'criteria_json'",
        "bad.yaml:19: segments[1].criteria.criteria: the inner `criteria` group "
        "({type: and, group: [...]}) is missing",
        "bad.yaml:22: webhooks[0].topic_id: must be one of: 1, 2, 3, 4",
        "bad.yaml:23: webhooks[0].hook_uri: hook_uri must start with https://",
        "bad.yaml:24: webhooks[1].topic: must be one of: billing_tier_upgrade, "
        "billing_tier_downgrade, account_cancelled, account_disabled",
        "bad.yaml:26: prune: unknown key 'widgets'",
        "bad.yaml:26: prune.lists: expected a boolean",
        "bad.yaml:27: vars.a: expected a string, a number or a boolean",
        "bad.yaml:28: unknown key 'lsts' (did you mean 'lists'?)",
    ]


def test_manifest_error_joins_lines_and_is_a_ctctform_error(write: Write) -> None:
    path = write("m.yaml", "version: 1\nlists: [{name: 1}, {}]\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert isinstance(info.value, CtctformError)
    assert str(info.value) == (
        "m.yaml:2: lists[0].name: expected a string\nm.yaml:2: lists[1]: missing required key 'name'"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 2\n", "m.yaml:1: version: must be 1"),
        ("version: '1'\n", "m.yaml:1: version: expected an integer"),
        (
            "lists: []\n",
            "m.yaml:1: missing required key 'version' (declare version: 1 in one file)",
        ),
        (
            "- version: 1\n",
            "m.yaml:1: expected a mapping of top-level keys (version, lists, tags, ...)",
        ),
        ("version: 1\nlists: {name: x}\n", "m.yaml:2: lists: expected a list"),
        (
            "version: 1\nlists:\n  - name: a\n    name: b\n",
            "m.yaml:4: duplicate key 'name' (first at line 3)",
        ),
        (
            "version: 1\nlists: [{name: !!binary aGk=}]\n",
            "m.yaml:2: unsupported YAML tag 'tag:yaml.org,2002:binary'",
        ),
        (
            "version: 1\nwebhooks: [{topic: account_disabled, topic_id: 4, hook_uri: 'https://x'}]\n",
            "m.yaml:2: webhooks[0]: give exactly one of 'topic' or 'topic_id'",
        ),
        (
            "version: 1\nwebhooks: [{topic_id: 1}]\n",
            "m.yaml:2: webhooks[0]: missing required key 'hook_uri'",
        ),
        (
            "version: 1\ncustom_fields: [{label: F}]\n",
            "m.yaml:2: custom_fields[0]: missing required key 'type'",
        ),
        (
            "version: 1\ncustom_fields: [{label: F, type: date, metadata: {decimal_places: 9}}]\n",
            "m.yaml:2: custom_fields[0].metadata.decimal_places: must be at most 4",
        ),
        (
            "version: 1\ncustom_fields: [{label: F, type: currency, metadata: {currency_code: usd}}]\n",
            "m.yaml:2: custom_fields[0].metadata.currency_code: currency_code must be three capital letters, such as USD",
        ),
        (
            "version: 1\nlists:\n  - name: a\n    favourite: true\n",
            "m.yaml:4: lists[0]: unknown key 'favourite' (did you mean 'favorite'?)",
        ),
    ],
)
def test_single_error_messages(write: Write, text: str, expected: str) -> None:
    assert errors_of(write("m.yaml", text)) == [expected]


def test_yaml_syntax_error_names_file_and_line(write: Write) -> None:
    path = write("m.yaml", "version: 1\nlists:\n  - name: [unclosed\n  - name: b\n")
    (error,) = errors_of(path)
    assert error.startswith("m.yaml:4: invalid YAML: ")


def test_tab_indentation_is_a_syntax_error_with_its_line(write: Write) -> None:
    path = write("m.yaml", "version: 1\nlists:\n\t- name: a\n")
    (error,) = errors_of(path)
    assert error.startswith("m.yaml:3: invalid YAML:")
    assert error.endswith("(a tab: YAML indents with spaces only)")


def test_an_unknown_kind_in_a_settings_selector_lists_the_kinds(write: Write) -> None:
    path = write("m.yaml", "version: 1\nsettings: {allow_delete: [tag]}\n")
    (error,) = errors_of(path)
    assert error.startswith("m.yaml:2: settings.allow_delete[0]: expected KIND or KIND:NAME")
    assert "(KIND: custom_fields, lists, tags," in error


def test_missing_path_and_empty_directory(write: Write) -> None:
    assert errors_of("nope.yaml") == ["nope.yaml:1: no such file or directory"]
    write("empty/readme.txt", "hi")
    assert errors_of("empty") == ["empty:1: no *.yaml or *.yml files in this directory"]


def test_invalid_utf8_is_reported_with_its_line(write: Write) -> None:
    path = write("m.yaml", "version: 1\n")
    path.write_bytes(b"version: 1\nlists: [{name: \xff}]\n")
    assert errors_of(path) == ["m.yaml:2: file is not valid UTF-8"]


def test_errors_from_several_files_sorted_by_file_then_line(write: Write) -> None:
    write("m/b.yaml", "tags:\n  - {name: 1}\n  - {nme: x}\n")
    write("m/a.yaml", "version: 1\nlists:\n  - {name: ok}\n  - {favorite: 2}\n")
    assert errors_of("m") == [
        "m/a.yaml:4: lists[1]: missing required key 'name'",
        "m/a.yaml:4: lists[1].favorite: expected a boolean",
        "m/b.yaml:2: tags[0].name: expected a string",
        "m/b.yaml:3: tags[1]: missing required key 'name'",
        "m/b.yaml:3: tags[1]: unknown key 'nme' (did you mean 'name'?)",
    ]


def test_a_syntax_error_in_one_file_does_not_hide_errors_in_others(write: Write) -> None:
    write("m/a.yaml", "version: 1\nlists: [{name: ok}, {name: 5}]\n")
    write("m/b.yaml", "tags: [\n")
    errors = errors_of("m")
    assert errors[0] == "m/a.yaml:2: lists[1].name: expected a string"
    assert errors[1].startswith("m/b.yaml:2: invalid YAML")
    assert len(errors) == 2


def test_duplicate_identity_across_files_names_both_places(write: Write) -> None:
    write("m/a.yaml", "version: 1\ntags:\n  - name: VIP\nlists:\n  - name: VIP\n")
    write("m/b.yaml", "# more tags\n\ntags:\n  - name: Other\n  - name: VIP\n")
    assert errors_of("m") == [
        "m/b.yaml:5: tags[1].name: duplicate tag 'VIP': also declared at m/a.yaml:3"
    ]


def test_duplicate_identity_found_after_var_substitution(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {b: Acme}
        lists:
          - name: Acme News
          - name: ${var:b} News
        """,
    )
    assert errors_of(path) == [
        "m.yaml:5: lists[1].name: duplicate list 'Acme News': also declared at m.yaml:4"
    ]


def test_duplicate_webhook_by_topic_and_topic_id(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        webhooks:
          - {topic: billing_tier_downgrade, hook_uri: "https://a"}
          - {topic_id: 2, hook_uri: "https://b"}
        """,
    )
    assert errors_of(path) == [
        "m.yaml:4: webhooks[1].topic_id: duplicate webhook subscription 'billing_tier_downgrade': also declared at m.yaml:3"
    ]


def test_renamed_from_collisions(write: Write) -> None:
    write(
        "m/a.yaml",
        """
        version: 1
        tags:
          - name: Old
          - name: New
            renamed_from: [Old]
          - name: Self
            renamed_from: Self
          - name: A
            renamed_from: [Shared]
        lists:
          - name: Old
            renamed_from: [Shared]
        """,
    )
    write("m/b.yaml", "tags:\n  - name: B\n    renamed_from: [x, Shared]\n")
    assert errors_of("m") == [
        "m/a.yaml:5: tags[1].renamed_from: tag 'Old' is declared at m/a.yaml:3; it cannot also be renamed",
        "m/a.yaml:7: tags[2].renamed_from: 'Self' is this tag's own name",
        "m/b.yaml:3: tags[0].renamed_from: 'Shared' is also in renamed_from of tag 'A' at m/a.yaml:9",
    ]


def test_duplicate_vars_and_prune_across_files(write: Write) -> None:
    write("m/a.yaml", "version: 1\nvars:\n  brand: A\nprune: {tags: true}\n")
    write("m/b.yaml", "vars: {brand: B}\nprune:\n  tags: true\n")
    assert errors_of("m") == [
        "m/b.yaml:1: vars.brand: var 'brand' is also declared at m/a.yaml:3",
        "m/b.yaml:3: prune.tags: prune.tags is also set at m/a.yaml:4",
    ]


def test_limits_rechecked_after_var_substitution(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        vars: {long: "%s", empty: "", host: "http://x"}
        custom_fields:
          - {label: "${var:long}", type: string}
        tags:
          - name: "${var:empty}"
        webhooks:
          - topic: account_disabled
            hook_uri: "${var:host}/hook"
        """
        % ("y" * 60),
    )
    assert errors_of(path) == [
        "m.yaml:4: custom_fields[0].label: must be at most 50 characters (is 60 after substituting vars)",
        "m.yaml:6: tags[0].name: must not be empty after substituting vars",
        "m.yaml:9: webhooks[0].hook_uri: hook_uri must start with https://",
    ]


def test_choices_rules(write: Write) -> None:
    many = ", ".join(f"c{i}" for i in range(21))
    path = write(
        "m.yaml",
        f"""
        version: 1
        custom_fields:
          - {{label: A, type: string, choices: [x]}}
          - {{label: B, type: single_select, metadata: {{display_type: radio}}, choices: [{many}]}}
          - {{label: C, type: multi_select, metadata: {{display_type: dropdown}}, choices: [{many}]}}
        """,
    )
    assert errors_of(path) == [
        "m.yaml:3: custom_fields[0].choices: choices are only allowed for single_select and multi_select, not string",
        "m.yaml:4: custom_fields[1].choices: a radio field has at most 20 choices (has 21)",
    ]


def test_recursive_alias_is_an_error_not_a_hang(write: Write) -> None:
    path = write("m.yaml", "version: 1\nvars: &v\n  self: *v\n")
    errors = errors_of(path)
    assert "m.yaml:2: recursive YAML alias is not supported" in errors


def test_unreadable_file_is_reported_with_its_name(write: Write, monkeypatch) -> None:
    path = write("m.yaml", "version: 1\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    import os

    real_open = os.open

    def refuse_manifest(name, *args, **kwargs):
        if str(name).endswith("m.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_manifest)
    assert errors_of(path) == ["m.yaml:1: cannot read file: Permission denied"]


def test_empty_var_name_is_reported(write: Write) -> None:
    path = write("m.yaml", "version: 1\nlists: [{name: 'a ${var:}'}]\n")
    assert errors_of(path) == ["m.yaml:2: lists[0].name: ${var:} has no name"]


def test_blank_names_and_colliding_custom_field_names_are_refused(tmp_path):
    """The API refuses blank names and keeps the derived custom field name (blanks become
    underscores) unique: both must fail validation, before any request."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "version: 1\n"
        "tags:\n"
        '  - name: "   "\n'
        "custom_fields:\n"
        "  - {label: a b, type: string}\n"
        "  - {label: a_b, type: string}\n"
    )
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert [e.split(": ", 1)[1] for e in info.value.errors] == [
        "tags[0].name: must not be blank",
        "custom_fields[1].label: label 'a_b' gives the API name 'a_b', like 'a b' at "
        f"{path}:5; names must be unique",
    ]
