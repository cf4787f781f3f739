"""Hostile inputs beside the manifest: saved plan files (`show`, `apply --plan`), flags and
environment. Each is exit 1 with a one-line error naming the file or the setting, no
traceback, and no write.

A saved plan is a CI artifact that travels between jobs: it can arrive truncated, edited or
from another version, so it is read as untrusted input like a manifest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from e2e.helpers import writes

from .conftest import bounded

MANIFEST = "version: 1\ntags:\n  - name: VIP\n  - name: Gold\n    renamed_from: [Old]\n"


@pytest.fixture
def saved(sb, ctct, tmp_path: Path) -> dict:
    """A real plan (a create and a rename), saved and loaded as a JSON document."""
    sb.seed({"tags": [{"name": "Old"}]})
    (tmp_path / "ctctform.yaml").write_text(MANIFEST)
    res = ctct(["plan", "ctctform.yaml", "--out", "good.json"])
    assert res.code == 0, res
    doc = json.loads((tmp_path / "good.json").read_text())
    assert len(doc["changes"]) == 2
    sb.reset_log()
    return doc


def _change(doc: dict, **over) -> dict:
    return doc | {"changes": [doc["changes"][0] | over]}


PLANS = {
    "empty-file": lambda d: "",
    "not-json": lambda d: "{changes: [",
    "a-json-list": lambda d: "[]",
    "json-100000-deep": lambda d: "[" * 100_000 + "]" * 100_000,
    "a-manifest-instead": lambda d: MANIFEST,
    "non-utf8": lambda d: b"\xff\xfe{}",
    "no-changes-key": lambda d: {k: v for k, v in d.items() if k != "changes"},
    "changes-a-string": lambda d: d | {"changes": "all"},
    "format-9": lambda d: d | {"format_version": 9},
    "change-an-int": lambda d: d | {"changes": [1]},
    "change-empty": lambda d: d | {"changes": [{}]},
    "change-without-kind": lambda d: (
        d | {"changes": [{k: v for k, v in d["changes"][0].items() if k != "kind"}]}
    ),
    "change-unknown-action": lambda d: _change(d, action="explode"),
    "change-unknown-kind": lambda d: _change(d, kind="contacts"),
    "change-fields-not-a-mapping": lambda d: _change(d, fields={"name": 1}),
    "change-resource-a-string": lambda d: _change(d, resource="VIP"),
}
# Parts only `apply --plan` reads (`show` renders the changes alone).
APPLY_ONLY = {
    "fingerprint-an-object": lambda d: d | {"fingerprint": {"sha256": 1}},
    "kinds-unknown": lambda d: d | {"kinds": ["contacts"]},
    "kinds-a-string": lambda d: d | {"kinds": "tags"},
    "detailed-malformed": lambda d: d | {"detailed": [["segments"]]},
    "detailed-unknown-kind": lambda d: d | {"detailed": [["contacts", "1"]]},
}


def _write_plan(tmp_path: Path, content) -> Path:
    path = tmp_path / "bad-plan.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize("case", list(PLANS) + list(APPLY_ONLY))
def test_malformed_plan_file(sb, ctct, saved, tmp_path, case):
    path = _write_plan(tmp_path, {**PLANS, **APPLY_ONLY}[case](saved))
    commands = [["apply", "--plan", path.name, "--auto-approve"]]
    if case in PLANS:
        commands.insert(0, ["show", path.name])
    with bounded():
        for args in commands:
            res = ctct(args)
            assert res.code == 1, res
            assert "Traceback" not in res.output, res
            lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
            assert lines and all(ln.startswith("Error: ") for ln in lines), res
            assert "bad-plan.json" in res.stderr, res
    assert writes(sb) == []
    assert sorted(t.name for t in sb.store().tags.values()) == ["Old"]


def test_plan_file_from_dev_zero(sb, bounded_proc):
    with bounded():
        for args in (["show", "/dev/zero"], ["apply", "--plan", "/dev/zero", "--auto-approve"]):
            res = bounded_proc(args)
            assert res.code == 1, res
            assert "Traceback" not in res.output, res
            assert "/dev/zero" in res.stderr, res
    assert writes(sb) == []


def test_plan_file_that_is_a_fifo(sb, bounded_proc, tmp_path):
    os.mkfifo(tmp_path / "plan.json")
    with bounded():
        res = bounded_proc(["show", "plan.json"], timeout=5)
    assert res.code == 1, res
    assert "plan.json" in res.stderr and "Traceback" not in res.output, res


def test_plan_file_over_the_size_cap(sb, ctct, tmp_path):
    with (tmp_path / "huge.json").open("wb") as fh:
        fh.write(b'{"changes": [')
        fh.truncate(300 * 2**20)  # sparse
    for args in (["show", "huge.json"], ["apply", "--plan", "huge.json", "--auto-approve"]):
        res = ctct(args)
        assert res.code == 1 and "huge.json" in res.stderr, res
    assert writes(sb) == []


# -- flags and environment ------------------------------------------------------------------

OPTIONS = {
    "var-without-value": (["plan", "ctctform.yaml", "--var", "novalue"], {}, "--var"),
    "var-without-name": (["plan", "ctctform.yaml", "--var", "=x"], {}, "--var"),
    "target-unknown-kind": (["plan", "ctctform.yaml", "--target", "contacts"], {}, "contacts"),
    "target-empty-name": (["plan", "ctctform.yaml", "--target", "tags:"], {}, "tags:"),
    "parallelism-zero": (
        ["apply", "ctctform.yaml", "--auto-approve", "--parallelism", "0"],
        {},
        "parallelism",
    ),
    "activity-timeout-nan": (
        ["apply", "ctctform.yaml", "--auto-approve", "--activity-timeout", "nan"],
        {},
        "activity",
    ),
    "timeout-a-word": (["plan", "ctctform.yaml"], {"CTCT_TIMEOUT": "soon"}, "CTCT_TIMEOUT"),
    "rate-limit-zero": (["plan", "ctctform.yaml"], {"CTCT_RATE_LIMIT": "0"}, "CTCT_RATE_LIMIT"),
    "rate-limit-nan": (["plan", "ctctform.yaml"], {"CTCT_RATE_LIMIT": "nan"}, "rate"),
    "api-url-not-a-url": (["plan", "ctctform.yaml"], {"CTCT_API_URL": "api.cc.email"}, "api_url"),
    "api-url-ftp": (["plan", "ctctform.yaml"], {"CTCT_API_URL": "ftp://127.0.0.1/v3"}, "api_url"),
    "out-into-a-missing-directory": (
        ["plan", "ctctform.yaml", "--out", "nowhere/p.json"],
        {},
        "nowhere",
    ),
    "out-to-a-full-device": (["plan", "ctctform.yaml", "--out", "/dev/full"], {}, "/dev/full"),
    "markdown-into-a-missing-directory": (
        ["plan", "ctctform.yaml", "--markdown", "nowhere/p.md"],
        {},
        "nowhere",
    ),
}


@pytest.mark.parametrize("case", list(OPTIONS))
def test_bad_option_or_setting(sb, ctct, tmp_path, case):
    args, env, word = OPTIONS[case]
    (tmp_path / "ctctform.yaml").write_text(MANIFEST)
    with bounded():
        res = ctct(args, env_extra=env)
    assert res.code == 1, res
    assert "Traceback" not in res.output, res
    assert word in res.stderr, res
    assert writes(sb) == []


def test_a_report_or_credential_store_that_is_not_a_regular_file_is_never_replaced(
    sb, ctct, tmp_path
):
    """Both are rewritten atomically (a temporary file renamed over them): renamed over a
    device such as /dev/null, that would put a file in the device's place. A FIFO stands in
    for the device here, so a regression cannot damage the machine running the tests."""
    (tmp_path / "fleet.yaml").write_text("version: 1\nselect: {account_type: managed}\n")
    os.mkfifo(tmp_path / "report.json")
    res = ctct(["plan", "--fleet", "fleet.yaml", "--report", "report.json"])
    assert res.code == 1 and "not a regular file" in res.stderr, res
    assert sb.requests == [] and not (tmp_path / "report.json").is_file()

    os.mkfifo(tmp_path / "store.json")
    env = {
        "CTCT_ACCESS_TOKEN": None,
        "CTCT_CLIENT_ID": "sandbox",
        "CTCT_CLIENT_SECRET": "sandbox",
        "CTCT_REFRESH_TOKEN": "sandbox",
        "CTCT_TOKEN_URL": sb.token_url,
        "CTCT_CREDENTIALS_FILE": str(tmp_path / "store.json"),
    }
    with bounded():
        res = ctct(["whoami"], env_extra=env)
    assert res.code == 1 and "not a regular file" in res.stderr, res
    assert not (tmp_path / "store.json").is_file()
    assert not any(r.path.endswith("/token") for r in sb.requests)  # no refresh token spent


def _resource(doc: dict, spec: dict) -> dict:
    change = doc["changes"][0]
    return _change(doc, resource={**change["resource"], "spec": spec})


# Plans edited and their digest recomputed (it is a checksum, not a signature): each passes
# the schema, and each is still refused before any request, by what the plan says.
RESIGNED = {
    "create-without-a-resource": lambda d: _change(d, resource=None),
    "delete-of-the-account": lambda d: _change(d, kind="account", action="delete"),
    "waits-for-no-reference": lambda d: _change(d, known_after_apply=["nonsense"]),
    "spec-with-an-unknown-field": lambda d: _resource(d, {"colour": "red"}),
    "spec-with-a-wrong-type": lambda d: _resource(
        _change(d, kind="lists"), {"description": ["not", "text"]}
    ),
    "spec-over-a-limit": lambda d: _resource(_change(d, kind="lists"), {"description": "x" * 300}),
}


@pytest.mark.parametrize("case", list(RESIGNED))
def test_a_resigned_plan_that_makes_no_sense_is_refused_before_any_write(
    sb, ctct, saved, tmp_path, case
):
    from ctctform.planfile.document import digest

    doc = RESIGNED[case](saved)
    doc["digest"] = digest(doc)
    path = _write_plan(tmp_path, doc)
    for args in (["show", path.name], ["apply", "--plan", path.name]):
        with bounded():
            res = ctct(args)
        assert res.code == 1, res
        assert "bad-plan.json: not a" in res.stderr and "Traceback" not in res.output, res
    assert sb.requests == []
