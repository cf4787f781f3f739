"""The fleet file's JSON Schema, and the report's.

The `provision` and `plan` properties are the spec's own `Provision` and `PlanInfo`
definitions (from ctct-definitions.json, extracted from the official spec), so a fleet file
is checked offline exactly as the API would check the bodies; secrets (the password) may only
be `${env:NAME}`. Both schemas are committed under ctctform/schemas/ and a test checks that
the committed copies equal what this module builds (`make schemas` rewrites them).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ctctform.fleet.model import RESULTS

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
FLEET_SCHEMA_PATH = SCHEMAS / "fleet.schema.json"
REPORT_SCHEMA_PATH = SCHEMAS / "fleet-report.schema.json"
ENV_REF = r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$"


def _definitions() -> dict[str, Any]:
    with (SCHEMAS / "ctct-definitions.json").open(encoding="utf-8") as fh:
        result: dict[str, Any] = json.load(fh)["definitions"]
        return result


def _provision() -> dict[str, Any]:
    spec = copy.deepcopy(_definitions()["Provision"])
    props = spec["properties"]
    props.pop("login_name", None)  # the entry's identity, given beside `provision`
    for prop in props.values():
        if prop.get("type") == "string":
            prop.pop("minLength", None)  # may be ${env:NAME}: checked by the API's own rules
            prop.pop("maxLength", None)
    props["password"] = {
        "description": "The client account's password: only from the environment, as "
        "${env:NAME}; never written in the file, never printed.",
        "type": "string",
        "pattern": ENV_REF,
        "errorMessage": "the password must come from the environment: write ${env:NAME}",
    }
    required = [r for r in spec.get("required", []) if r != "login_name"]
    return {
        "description": "The Provision body of POST /partner/accounts (without login_name). "
        "Strings may use ${env:NAME}.",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
    }


def _plan() -> dict[str, Any]:
    spec = copy.deepcopy(_definitions()["PlanInfo"])
    spec["additionalProperties"] = False
    spec["description"] = "The billing plan: PlanInfo of PUT /partner/accounts/{id}/plan."
    return dict(spec)


def _paths(what: str) -> dict[str, Any]:
    return {
        "description": f"{what} (paths relative to the fleet file: files or directories).",
        "type": "array",
        "items": {"type": "string", "minLength": 1},
    }


def fleet_schema() -> dict[str, Any]:
    entry_common = {
        "manifests": _paths("Manifests added for this account"),
        "vars": {
            "description": "Variables for this account's manifests (over the built-ins "
            "account_id and organization_name; --var wins).",
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
    }
    entry = {
        "description": "An existing client account (encoded_account_id) or one ctctform "
        "provisions when no client account has its login_name.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "encoded_account_id": {"type": "string", "minLength": 1},
            "login_name": {
                "description": "The client account's login (site_owner_name): its identity. "
                "ctctform creates the account when no client account has it.",
                "type": "string",
                "minLength": 6,
                "maxLength": 50,
                "pattern": "^[A-Za-z0-9@._+-]+$",
            },
            "provision": {"$ref": "#/definitions/provision"},
            "plan": {"$ref": "#/definitions/plan"},
            **entry_common,
        },
        "allOf": [
            {
                "oneOf": [{"required": ["encoded_account_id"]}, {"required": ["login_name"]}],
                "errorMessage": "give exactly one of 'encoded_account_id' or 'login_name'",
            }
        ],
        "dependencies": {"login_name": ["provision"], "provision": ["login_name"]},
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://raw.githubusercontent.com/ctctform/ctctform/main/ctctform/schemas/"
        "fleet.schema.json",
        "title": "ctctform fleet (version 1)",
        "description": "Which Constant Contact client accounts get which manifests, and which "
        "accounts ctctform provisions. See docs/partners.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {"type": "integer", "enum": [1]},
            "manifests": _paths("Baseline manifests, applied to every account"),
            "select": {
                "description": "Existing client accounts to include, from GET /partner/accounts.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "account_type": {"type": "string", "enum": ["managed", "all"]},
                    "include": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}},
                },
            },
            "vars": entry_common["vars"],
            "accounts": {
                "description": "Per-account additions; an entry with login_name provisions.",
                "type": "array",
                "items": entry,
            },
        },
        "definitions": {"provision": _provision(), "plan": _plan()},
    }


def report_schema() -> dict[str, Any]:

    counts = {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in ("add", "change", "destroy")},
    }
    account = {
        "type": "object",
        "required": ["key", "encoded_account_id", "result", "requests", "seconds"],
        "properties": {
            "key": {"type": "string"},
            "encoded_account_id": {"type": ["string", "null"]},
            "organization_name": {"type": ["string", "null"]},
            "login_name": {"type": ["string", "null"]},
            "result": {"enum": list(RESULTS)},
            "finished": {"type": "boolean"},
            "changes": counts,
            "requests": {"type": "integer"},
            "seconds": {"type": "number"},
            "summary": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "string"}},
            "plan": {"type": ["string", "null"], "description": "The text plan, as shown."},
            "billing_plan": {
                "type": ["string", "null"],
                "description": "The plan_type this run set (apply) or would set (plan).",
            },
            "resumed": {
                "type": "boolean",
                "description": "Carried over unchanged from the report given to --resume.",
            },
        },
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "ctctform fleet report",
        "type": "object",
        "required": ["format_version", "mode", "complete", "accounts", "totals"],
        "properties": {
            "format_version": {"const": 1},
            "mode": {"enum": ["plan", "apply"]},
            "fleet": {"type": "string"},
            "shard": {"type": ["string", "null"]},
            "started_at": {"type": "string"},
            "complete": {"type": "boolean", "description": "false while the run goes on."},
            "interrupted": {"type": "boolean", "description": "Stopped by Ctrl-C or SIGTERM."},
            "accounts": {"type": "array", "items": account},
            "totals": {"type": "object"},
        },
    }


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
