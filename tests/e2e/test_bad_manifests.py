"""Bad manifests: a located one-line error, exit 1, and not a single request to the API."""

from __future__ import annotations

import pytest

CASES = {
    "unknown-key": (
        """
        version: 1
        lists:
          - name: Newsletter
            colour: red
        """,
        ["bad.yaml:4: lists[0]: unknown key 'colour'"],
    ),
    "duplicate": (
        """
        version: 1
        tags:
          - name: VIP
          - name: Gold
          - name: VIP
        """,
        ["bad.yaml:5: tags[2].name: duplicate tag 'VIP'", "also declared at", "bad.yaml:3"],
    ),
    "http-hook": (
        """
        version: 1
        webhooks:
          - topic: billing_tier_upgrade
            hook_uri: http://hooks.example.com/ctct
        """,
        ["bad.yaml:4: webhooks[0].hook_uri:", "https://"],
    ),
    "long-label": (
        """
        version: 1
        custom_fields:
          - label: This label is far longer than the fifty characters the API allows
            type: string
        """,
        ["bad.yaml:3: custom_fields[0].label: must be at most 50 characters"],
    ),
    "long-list-name": (
        "version: 1\nlists:\n  - name: " + "x" * 256 + "\n",
        ["bad.yaml:3: lists[0].name:", "255"],
    ),
    "wrong-type": (
        """
        version: 1
        lists:
          - name: Newsletter
            favorite: "very"
        """,
        ["bad.yaml:4: lists[0].favorite: expected a boolean"],
    ),
    "bad-enum": (
        """
        version: 1
        webhooks:
          - topic: billing_tier_sideways
            hook_uri: https://hooks.example.com/ctct
        """,
        ["bad.yaml:3: webhooks[0].topic: must be one of"],
    ),
    "yaml-syntax": (
        """
        version: 1
        lists:
          - name: Newsletter
            description: [unclosed
        tags:
          - name: VIP
        """,
        ["bad.yaml:5: invalid YAML:"],
    ),
}


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_manifest_is_a_located_error_with_no_requests(sb, ctct, manifest, case, command):
    text, expected = CASES[case]
    path = manifest(text, name="bad.yaml")
    args = [command, path] + (["--auto-approve"] if command == "apply" else [])
    res = ctct(args)
    assert res.code == 1, res
    assert res.stderr.startswith("Error: "), res
    for fragment in expected:
        assert fragment in res.stderr, res
    assert sb.requests == []


def test_duplicate_across_files_names_both_places(sb, ctct, manifest, tmp_path):
    manifest("version: 1\nlists:\n  - name: Newsletter\n", name="conf/a.yaml")
    manifest("lists:\n  - name: Other\n  - name: Newsletter\n", name="conf/b.yaml")
    res = ctct(["plan", tmp_path / "conf"])
    assert res.code == 1, res
    assert "b.yaml:3:" in res.stderr and "a.yaml:3" in res.stderr, res
    assert sb.requests == []


def test_validate_of_a_good_manifest_never_touches_the_network(sb, ctct):
    from .helpers import EXAMPLES

    # an API URL nothing listens on: validate must not need it
    res = ctct(
        ["validate", EXAMPLES / "basic"], env_extra={"CTCT_API_URL": "http://127.0.0.1:9/v3"}
    )
    assert res.code == 0, res
    assert "The manifest is valid: 16 resources in 1 file." in res.stdout
    res = ctct(["validate", EXAMPLES / "basic"])
    assert res.code == 0, res
    assert sb.requests == []


def test_missing_manifest_is_an_error(sb, ctct, tmp_path):
    res = ctct(["plan"])  # no PATH, and no ctctform.yaml in the working directory
    assert res.code == 1, res
    assert "no manifest given" in res.stderr
    assert sb.requests == []


def test_default_manifest_path_in_working_directory(sb, ctct, manifest):
    manifest("version: 1\ntags:\n  - name: VIP\n")  # tmp_path/ctctform.yaml, the cwd
    res = ctct(["plan", "--detailed-exitcode"])
    assert res.code == 2, res
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in res.stdout
