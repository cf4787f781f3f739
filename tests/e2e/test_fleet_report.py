"""The fleet's reports (DESIGN §8): the `--report` JSON against its committed schema, the
committed schemas against what ctctform builds, an interrupted run's file, and the `--html`
page: self-contained, escaped, complete, and free of secrets."""

from __future__ import annotations

import base64
import html
import json
import os
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import jsonschema
import pytest

from ctctform.fleet.schema import (
    FLEET_SCHEMA_PATH,
    REPORT_SCHEMA_PATH,
    fleet_schema,
    report_schema,
    schema_text,
)

from .helpers import CTCT_VARS, CTCTFORM_BIN

BASELINE = """
version: 1
lists:
  - name: ${var:organization_name} news
    description: For ${var:region}
tags:
  - name: VIP
vars:
  region: Anywhere
prune:
  tags: true
settings:
  allow_delete: [tags]
"""
XSS = "<script>alert(1)</script>"
PASSWORD = "Fleet-pa55word/+&=%"  # characters that URL-encoding and base64 would change
LOGIN = "hanks_fruit"
PROVISION = f"""
accounts:
  - login_name: {LOGIN}
    provision:
      contact_email: owner@hanksfruit.example
      country_code: US
      state_code: MA
      organization_name: Hanks Fresh Fruit
      password: ${{env:CLIENT_PASSWORD}}
    plan: {{plan_type: GOLD, billing_day_of_month: 15}}
    vars: {{region: Massachusetts}}
"""


def _schema(path: Path) -> jsonschema.Draft7Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _valid_report(path: Path) -> dict[str, Any]:
    """The report file, checked against the committed schema and for consistent totals."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(_schema(REPORT_SCHEMA_PATH).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    totals = doc["totals"]
    assert totals["accounts"] == len(doc["accounts"])
    assert sum(totals["by_result"].values()) == len(doc["accounts"])
    assert totals["failed"] == sum(a["result"] == "failed" for a in doc["accounts"])
    return doc


def _seed(sb) -> list[str]:
    """Managed accounts with drift (one named with HTML), one unmanaged, one cancelled."""
    sb.add_client_account("a08e1izvh8t9", organization_name="Zenomatic", tags=[{"name": "Old"}])
    sb.add_client_account("a09report01", organization_name=XSS)
    sb.add_client_account(
        "a09report02",
        organization_name="Beta & Sons",
        lists=[{"name": "Beta & Sons news", "description": "old"}],
    )
    sb.add_client_account("a09unmanaged", organization_name="Referred Co", managed=False)
    sb.add_client_account("a09cancelled", organization_name="Gone Co", billing_status="Canceled")
    return ["a08e1izvh8t9", "a09report01", "a09report02"]


def _fleet(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "baseline").mkdir(exist_ok=True)
    (tmp_path / "baseline" / "ctctform.yaml").write_text(BASELINE)
    path = tmp_path / "fleet.yaml"
    path.write_text("version: 1\nmanifests: [baseline/]\nselect: {account_type: all}\n" + extra)
    return path


def _secret_forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        json.dumps(secret)[1:-1],  # as a JSON string holds it
    ]


def _no_secret(*texts: str) -> None:
    for text in texts:
        for form in _secret_forms(PASSWORD):
            assert form not in text, f"the password ({form!r}) shows"


class _Page(HTMLParser):
    """What a browser would load or run: tags, their attributes, the table's rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self.styles: list[str] = []
        self._cell: list[str] | None = None
        self._in_tbody = False
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows.append([])
        elif tag == "td" and self._in_tbody and self.rows:
            self._cell = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            # Only the row's own cells: a cell's folded plan is in its <details>.
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_style:
            self.styles.append(data)


def _e(text: str) -> str:
    return html.escape(text)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _assert_self_contained(page: str) -> _Page:
    parsed = _parse(page)
    names = [tag for tag, _ in parsed.tags]
    assert "link" not in names and "iframe" not in names and "img" not in names
    for tag, attrs in parsed.tags:
        for attr in ("src", "href", "action", "srcset"):
            value = attrs.get(attr)
            assert value is None or value.startswith("#"), f"<{tag} {attr}={value!r}>"
    assert names.count("script") == 1  # the page's own filter script, inline
    style = "".join(parsed.styles)
    assert "url(" not in style and "@import" not in style
    assert "http://" not in page and "https://" not in page
    return parsed


def test_the_report_validates_for_plan_and_apply_runs(sb, ctct, tmp_path):
    ids = _seed(sb)
    fleet = _fleet(tmp_path, PROVISION)
    env = {"CLIENT_PASSWORD": PASSWORD}
    report = tmp_path / "plan.json"
    res = ctct(["plan", "--fleet", fleet, "--report", report, "--detailed-exitcode"], env)
    assert res.code == 2, res
    doc = _valid_report(report)
    assert doc["mode"] == "plan" and doc["complete"] is True and doc["shard"] is None
    results = {a["key"]: a for a in doc["accounts"]}
    assert {k: a["result"] for k, a in results.items()} == {
        "a08e1izvh8t9": "changes",
        "a09report01": "changes",
        "a09report02": "changes",
        "a09unmanaged": "skipped",
        "a09cancelled": "skipped",
        f"login:{LOGIN}": "changes",
    }
    assert results[f"login:{LOGIN}"]["encoded_account_id"] is None  # not created yet
    assert results["a08e1izvh8t9"]["changes"] == {"add": 2, "change": 0, "destroy": 1}
    assert "Plan: 2 to add, 0 to change, 1 to destroy." in results["a08e1izvh8t9"]["plan"]
    # A plan that was made is finished for a resumed plan; an apply cannot resume from it.
    assert all(a["finished"] for a in doc["accounts"] if a["result"] == "changes")
    sent = len(sb.requests)
    wrong = ctct(["apply", "--fleet", fleet, "--auto-approve", "--resume", report], env)
    assert wrong.code == 1, wrong
    assert "the report of a plan, and this is an apply" in wrong.stderr, wrong
    assert len(sb.requests) == sent  # refused before a single request

    report = tmp_path / "apply.json"
    res = ctct(["apply", "--fleet", fleet, "--auto-approve", "--report", report], env)
    assert res.code == 0, res
    doc = _valid_report(report)
    assert doc["mode"] == "apply" and doc["complete"] is True
    results = {a["key"]: a for a in doc["accounts"]}
    for ident in ids:
        assert results[ident]["result"] == "applied" and results[ident]["finished"] is True
    provisioned = results[f"login:{LOGIN}"]
    assert provisioned["result"] == "provisioned" and provisioned["login_name"] == LOGIN
    assert provisioned["encoded_account_id"] in sb.partner.accounts
    assert doc["totals"]["changed"] == 4 and doc["totals"]["failed"] == 0

    report = tmp_path / "again.json"
    res = ctct(["plan", "--fleet", fleet, "--report", report, "--detailed-exitcode"], env)
    assert res.code == 0, res
    doc = _valid_report(report)
    assert {a["result"] for a in doc["accounts"]} == {"no changes", "skipped"}
    _no_secret(res.output, *(p.read_text() for p in tmp_path.glob("*.json")))


def test_a_shard_and_a_failed_account_are_reported_within_the_schema(sb, ctct, tmp_path):
    _seed(sb)
    sb.faults.replace(
        "GET",
        "/v3/contact_tags",
        account="a09report02",
        status=400,
        body=[{"error_key": "contacts.api.bad.request", "error_message": "refused"}],
    )
    fleet = _fleet(tmp_path)
    keys: list[str] = []
    for shard in ("1/2", "2/2"):
        report = tmp_path / f"shard-{shard[0]}.json"
        res = ctct(["plan", "--fleet", fleet, "--shard", shard, "--report", report])
        doc = _valid_report(report)
        assert doc["shard"] == shard
        keys += [a["key"] for a in doc["accounts"]]
        failed = [a for a in doc["accounts"] if a["result"] == "failed"]
        assert res.code == (1 if failed else 0), res
        for account in failed:
            assert account["key"] == "a09report02" and account["errors"]
            assert account["summary"] == account["errors"][0]
    assert sorted(keys) == sorted(
        ["a08e1izvh8t9", "a09report01", "a09report02", "a09unmanaged", "a09cancelled"]
    )


def test_the_committed_schemas_are_what_ctctform_builds():
    assert FLEET_SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(fleet_schema())
    assert REPORT_SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(report_schema())
    for path in (FLEET_SCHEMA_PATH, REPORT_SCHEMA_PATH):
        jsonschema.Draft7Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_the_committed_fleet_schema_accepts_the_design_example_and_refuses_a_password():
    validator = _schema(FLEET_SCHEMA_PATH)
    example = {
        "version": 1,
        "manifests": ["baseline/"],
        "select": {"account_type": "managed", "include": ["*"], "exclude": ["Internal *"]},
        "accounts": [
            {
                "encoded_account_id": "a08e1izvh8t9",
                "manifests": ["overlays/zenomatic.yaml"],
                "vars": {"brand": "Zenomatic"},
            },
            {
                "login_name": "hanks_fruit",
                "provision": {
                    "contact_email": "owner@hanksfruit.example",
                    "country_code": "US",
                    "state_code": "MA",
                    "organization_name": "Hanks Fresh Fruit",
                    "password": "${env:HANKS_PASSWORD}",
                },
                "plan": {"plan_type": "GOLD", "billing_day_of_month": 15},
                "vars": {"brand": "Hanks"},
            },
        ],
    }
    assert list(validator.iter_errors(example)) == []
    example["accounts"][1]["provision"]["password"] = "hunter2hunter2"
    assert [e.path[-1] for e in validator.iter_errors(example)] == ["password"]


def test_an_interrupted_run_leaves_an_incomplete_report_that_validates(sb, env, tmp_path):
    ids = [f"a{i:03d}killed{i:02d}" for i in range(8)]
    for i, ident in enumerate(ids):
        sb.add_client_account(ident, organization_name=f"Client {i:02d}")
    sb.latency_ms = 80
    fleet = _fleet(tmp_path, PROVISION)
    report = tmp_path / "report.json"
    html_path = tmp_path / "report.html"
    args = [str(CTCTFORM_BIN), "apply", "--fleet", str(fleet), "--auto-approve"]
    args += ["--report", str(report), "--html", str(html_path), "--parallelism", "2"]
    outer = {k: v for k, v in os.environ.items() if k not in CTCT_VARS}
    proc = subprocess.Popen(
        args,
        env={**outer, **env, "CLIENT_PASSWORD": PASSWORD},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if report.exists() and len(json.loads(report.read_text() or "{}")["accounts"]) >= 2:
                break
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait(10)
    doc = _valid_report(report)
    assert doc["complete"] is False
    assert 2 <= len(doc["accounts"]) < len(ids) + 1, doc["accounts"]
    assert doc["mode"] == "apply"
    assert not html_path.exists()  # the page is written when the run ends
    assert not list(tmp_path.glob(".report.json.*.tmp"))  # no half-written file left
    _no_secret(report.read_text())


def test_the_html_page_is_self_contained_escaped_complete_and_secret_free(sb, ctct, tmp_path):
    _seed(sb)
    # A hostile API echoes the create's body (password included) in its error message.
    sb.faults.replace(
        "POST",
        "/v3/partner/accounts",
        status=400,
        respond=lambda request, real: [
            {"error_key": "partner.api.invalid", "error_message": request.body.decode()}
        ],
    )
    fleet = _fleet(tmp_path, PROVISION)
    report = tmp_path / "report.json"
    page_path = tmp_path / "report.html"
    args = ["apply", "--fleet", fleet, "--auto-approve", "--report", report, "--html", page_path]
    res = ctct(args, {"CLIENT_PASSWORD": PASSWORD})
    assert res.code == 1, res  # the provisioning failed; every other account went on
    doc = _valid_report(report)
    page = page_path.read_text(encoding="utf-8")
    failed = {a["key"]: a for a in doc["accounts"] if a["result"] == "failed"}
    assert list(failed) == [f"login:{LOGIN}"]
    assert "***" in failed[f"login:{LOGIN}"]["errors"][0]  # the echo, masked
    _no_secret(page, report.read_text(), res.output)

    parsed = _assert_self_contained(page)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # The organization named with HTML is text on the page, never markup.
    assert XSS not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Beta &amp; Sons" in page
    # Every account of the report has its row, with its result and organization, as text.
    rows = {cells[0]: cells for cells in parsed.rows}
    assert len(parsed.rows) == len(doc["accounts"])
    for account in doc["accounts"]:
        cells = rows[account["encoded_account_id"] or account["key"]]
        assert cells[1] == account["organization_name"]
        assert cells[2] == account["result"]
        assert cells[4] == str(account["requests"])
    assert rows["a09report01"][1] == XSS
    # One filter button per result shown, plus "all", each with its count.
    buttons = [a.get("data-result") for tag, a in parsed.tags if tag == "button"]
    results = sorted({a["result"] for a in doc["accounts"]})
    assert buttons == ["all", *results]
    assert f"all ({len(doc['accounts'])})" in page
    # Each account's plan (or errors, or why it was skipped) is folded under its row.
    folded = [a for tag, a in parsed.tags if tag == "details"]
    assert len(folded) == len(doc["accounts"])
    for account in doc["accounts"]:
        if account["plan"]:
            assert _e(account["plan"]) in page


@pytest.mark.parametrize("name", ["A & B <b>bold</b>", "\"quoted\" 'single'"])
def test_markup_in_a_name_never_becomes_markup(sb, ctct, tmp_path, name):
    sb.add_client_account("a09markup01", organization_name=name)
    fleet = _fleet(tmp_path)
    page_path = tmp_path / "page.html"
    res = ctct(["plan", "--fleet", fleet, "--html", page_path])
    assert res.code == 0, res
    page = page_path.read_text(encoding="utf-8")
    parsed = _assert_self_contained(page)
    assert name not in page
    assert [cells[1] for cells in parsed.rows] == [name]
    assert [tag for tag, _ in parsed.tags].count("b") == 0


def test_a_password_with_json_escapes_is_masked_in_an_echoed_error(sb, ctct, tmp_path):
    password = 'Fleet"pa55\\word'
    sb.faults.replace(
        "POST",
        "/v3/partner/accounts",
        status=400,
        respond=lambda request, real: [
            {"error_key": "partner.api.invalid", "error_message": request.body.decode()}
        ],
    )
    fleet = _fleet(tmp_path, PROVISION)
    report = tmp_path / "report.json"
    page_path = tmp_path / "report.html"
    args = ["apply", "--fleet", fleet, "--auto-approve", "--report", report, "--html", page_path]
    res = ctct(args, {"CLIENT_PASSWORD": password})
    assert res.code == 1, res
    escaped = json.dumps(password)[1:-1]  # Fleet\"pa55\\word, as the echoed JSON holds it
    for text in (res.output, report.read_text(), page_path.read_text(), json.dumps(res.output)):
        assert "pa55" not in text, "the password shows (JSON-escaped)"
    assert escaped not in json.loads(report.read_text())["accounts"][0]["summary"]
