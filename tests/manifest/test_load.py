"""Loading and merging valid manifests: what the planner receives."""

from __future__ import annotations

from ctctform.kinds import REGISTRY
from ctctform.manifest import Location, Manifest, Resource
from ctctform.workflow import load_manifest

from .conftest import Write

KINDS = tuple(REGISTRY)

DESIGN_EXAMPLE = """
version: 1

lists:
  - name: Newsletter                 # identity: the name (unique in an account)
    description: Monthly news and offers
    favorite: true
  - name: Customers
    renamed_from: [Buyers]           # rename in place: keeps list_id and all memberships
    protect: true                    # never deleted or replaced by ctctform

tags:
  - name: VIP
  - name: Gold card member
    renamed_from: [Gold member]

custom_fields:
  - label: Favorite Color            # identity: the label (the API derives `name` from it)
    type: single_select              # type cannot change in place (see "replace")
    metadata: {display_type: dropdown}
    choices: [Red, Green, Blue]      # display order is the list order
  - label: Signup Date
    type: date

segments:
  - name: Engaged VIPs
    criteria:                        # segment_criteria as YAML; sent as escaped JSON
      version: "1.0.0"
      criteria:
        type: and
        group:
          - type: or                     # tags and list conditions sit in `or` groups
            group:
              - source: tags
                field: tag_id
                op: contains-any
                const_value: "${tag:VIP}"          # reference, resolved to the tag_id
          - type: or
            group:
              - source: list_membership
                field: list_id
                op: contains-any
                const_value: "${list:Newsletter}"
  - name: Raw criteria example
    criteria_json: '{"version":"1.0.0","criteria":{"type":"and","group":[]}}'

webhooks:                            # partner-level subscriptions (need partner credentials)
  - topic: billing_tier_upgrade      # or topic_id: 1  (1 upgrade, 2 downgrade, 3 cancelled, 4 disabled)
    hook_uri: https://hooks.example.com/ctct/billing

prune:                               # delete live resources that the manifest does not declare
  lists: false                       # default false for every kind
  tags: true
  custom_fields: false
  segments: true
  webhooks: true

vars:                                # defaults for ${var:NAME}; overridden per account / --var
  brand: Acme
"""


def test_design_example_loads_into_the_documented_resources(write: Write) -> None:
    path = write("ctctform.yaml", DESIGN_EXAMPLE)
    m = load_manifest(path)
    assert isinstance(m, Manifest)
    assert m.files == ["ctctform.yaml"]
    assert list(m.resources) == list(KINDS)
    assert m.prune == {
        "custom_fields": False,
        "lists": False,
        "tags": True,
        "segments": True,
        "webhooks": True,
    }
    assert m.vars == {"brand": "Acme"}
    assert m.warnings == []
    assert m.resources["lists"] == [
        Resource(
            "lists",
            "Newsletter",
            {"description": "Monthly news and offers", "favorite": True},
            location=Location("ctctform.yaml", 4),
        ),
        Resource("lists", "Customers", {}, ["Buyers"], True, Location("ctctform.yaml", 7)),
    ]
    assert [(t.key, t.renamed_from, t.spec) for t in m.resources["tags"]] == [
        ("VIP", [], {}),
        ("Gold card member", ["Gold member"], {}),
    ]
    assert [(f.key, f.spec) for f in m.resources["custom_fields"]] == [
        (
            "Favorite Color",
            {
                "type": "single_select",
                "metadata": {"display_type": "dropdown"},
                "choices": ["Red", "Green", "Blue"],
            },
        ),
        ("Signup Date", {"type": "date"}),
    ]
    engaged, raw = m.resources["segments"]
    group = engaged.spec["criteria"]["criteria"]["group"]
    assert [g["group"][0]["const_value"] for g in group] == ["${tag:VIP}", "${list:Newsletter}"]
    assert [str(r) for r in engaged.refs] == ["${tag:VIP}", "${list:Newsletter}"]
    assert raw.spec == {"criteria": {"version": "1.0.0", "criteria": {"type": "and", "group": []}}}
    (hook,) = m.resources["webhooks"]
    assert hook.key == "billing_tier_upgrade"
    assert hook.spec == {"topic_id": 1, "hook_uri": "https://hooks.example.com/ctct/billing"}
    assert hook.location == Location("ctctform.yaml", 47)


def test_spec_is_plain_data_without_identity_or_meta_keys(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        lists: [{name: A, description: d, renamed_from: Old, protect: false}]
        """,
    )
    (res,) = load_manifest(path).resources["lists"]
    assert res.spec == {"description": "d"}
    assert type(res.spec) is dict
    assert res.renamed_from == ["Old"]  # a single string is a one-item list
    assert res.protect is False


def test_directory_merges_yaml_files_in_name_order(write: Write) -> None:
    write("m/b.yml", "lists: [{name: B1}]\ntags: [{name: T}]\n")
    write("m/a.yaml", "version: 1\nlists: [{name: A1}, {name: A2}]\n")
    write("m/c.txt", "not: [yaml")
    write("m/.hidden.yaml", "lists: [{name: Hidden}]\n")
    write("m/sub/d.yaml", "lists: [{name: Nested}]\n")
    write("m/empty.yaml", "# only a comment\n")
    m = load_manifest("m")
    assert m.files == ["m/a.yaml", "m/b.yml", "m/empty.yaml"]
    assert [r.key for r in m.resources["lists"]] == ["A1", "A2", "B1"]
    assert [r.location for r in m.resources["lists"]] == [
        Location("m/a.yaml", 2),
        Location("m/a.yaml", 2),
        Location("m/b.yml", 1),
    ]
    assert [r.key for r in m.all_resources()] == ["A1", "A2", "B1", "T"]


def test_all_resources_follows_kind_dependency_order(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        webhooks: [{topic_id: 2, hook_uri: "https://h"}]
        segments: [{name: S, criteria_json: '{"criteria": {"type": "and", "group": []}}'}]
        tags: [{name: T}]
        lists: [{name: L}]
        custom_fields: [{label: F, type: string}]
        """,
    )
    kinds = [r.kind for r in load_manifest(path).all_resources()]
    assert kinds == ["custom_fields", "lists", "tags", "segments", "webhooks"]


def test_webhook_topic_name_and_id_give_the_same_resource(write: Write) -> None:
    by_name = write(
        "a.yaml", "version: 1\nwebhooks: [{topic: account_cancelled, hook_uri: https://x}]"
    )
    by_id = write("b.yaml", "version: 1\nwebhooks: [{topic_id: 3, hook_uri: https://x}]")
    (a,) = load_manifest(by_name).resources["webhooks"]
    (b,) = load_manifest(by_id).resources["webhooks"]
    assert (
        (a.key, a.spec)
        == (b.key, b.spec)
        == ("account_cancelled", {"hook_uri": "https://x", "topic_id": 3})
    )


def test_every_topic_id_maps_to_its_name(write: Write) -> None:
    path = write(
        "m.yaml",
        "version: 1\nwebhooks:\n"
        + "".join(f"  - {{topic_id: {i}, hook_uri: 'https://h/{i}'}}\n" for i in (4, 3, 2, 1)),
    )
    hooks = load_manifest(path).resources["webhooks"]
    assert [(h.key, h.spec["topic_id"]) for h in hooks] == [
        ("account_disabled", 4),
        ("account_cancelled", 3),
        ("billing_tier_downgrade", 2),
        ("billing_tier_upgrade", 1),
    ]


def test_criteria_and_criteria_json_normalise_to_the_same_object(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        segments:
          - name: A
            criteria: {version: "1.0.0", criteria: {type: and, group: [{source: contact, param: 5}]}}
          - name: B
            criteria_json: |
              {"version": "1.0.0",
               "criteria": {"type": "and", "group": [{"source": "contact", "param": 5}]}}
        """,
    )
    a, b = load_manifest(path).resources["segments"]
    assert a.spec == b.spec
    assert b.spec["criteria"]["criteria"]["group"][0]["param"] == 5


def test_prune_defaults_to_false_and_merges_across_files(write: Write) -> None:
    write("m/a.yaml", "version: 1\nprune: {tags: true}\n")
    write("m/b.yaml", "prune: {segments: true}\n")
    assert load_manifest("m").prune == {
        "custom_fields": False,
        "lists": False,
        "tags": True,
        "segments": True,
        "webhooks": False,
    }


def test_vars_substitute_and_overrides_win(write: Write) -> None:
    write(
        "m/a.yaml",
        """
        version: 1
        vars: {brand: Acme, flag: true, n: 2}
        lists:
          - name: "${var:brand} News"
            description: "${var:region}/${var:flag}/${var:n}"
        """,
    )
    write("m/b.yaml", "vars: {region: EU}\n")
    m = load_manifest("m")
    assert m.vars == {"brand": "Acme", "flag": "true", "n": "2", "region": "EU"}
    assert (m.resources["lists"][0].key, m.resources["lists"][0].spec) == (
        "Acme News",
        {"description": "EU/true/2"},
    )
    m = load_manifest("m", {"brand": "Zeno", "extra": "x"})
    assert m.resources["lists"][0].key == "Zeno News"
    assert m.vars["brand"] == "Zeno" and m.vars["extra"] == "x"


def test_yaml_details_dates_stay_text_and_merge_keys_work(write: Write) -> None:
    path = write(
        "m.yaml",
        """
        version: 1
        x-defaults: &defaults {favorite: true}
        lists:
          - <<: *defaults
            name: 2024-01-31
            description: 2024-01-31
        """,
    )
    # `x-defaults` is an unknown top-level key: anchors must live inside a known structure.
    assert "unknown key 'x-defaults'" in str(_error(path))
    path = write(
        "n.yaml",
        """
        version: 1
        lists:
          - &first {name: One, favorite: true}
          - <<: *first
            name: 2024-01-31
            description: "yes"
        """,
    )
    one, dated = load_manifest(path).resources["lists"]
    assert dated.key == "2024-01-31"
    assert dated.spec == {"favorite": True, "description": "yes"}


def test_tag_source_is_kept_for_create(write: Write) -> None:
    path = write("m.yaml", "version: 1\ntags: [{name: T, tag_source: ESTY}]\n")
    assert load_manifest(path).resources["tags"][0].spec == {"tag_source": "ESTY"}


def test_absolute_path_is_shown_as_given(tmp_path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\n")
    m = load_manifest(str(path))
    assert m.files == [str(path)]
    assert m.all_resources() == []


def _error(path):
    from ctctform.manifest import ManifestError

    try:
        load_manifest(path)
    except ManifestError as exc:
        return exc
    raise AssertionError("expected a ManifestError")


def test_yaml_1_1_boolean_words_are_plain_words(write: Write) -> None:
    """`on`, `yes`, `No` are strings (YAML 1.2, like JSON); only true/false are booleans."""
    path = write(
        "ctctform.yaml",
        "version: 1\nvars: {on: Acme}\ntags:\n  - name: ${var:on}\n  - name: No\n  - name: yes\n"
        "lists:\n  - name: L\n    favorite: True\n",
    )
    manifest = load_manifest(path)
    assert [t.key for t in manifest.resources["tags"]] == ["Acme", "No", "yes"]
    assert manifest.resources["lists"][0].spec["favorite"] is True
