"""Saved plans: the document (`document`) and its JSON Schema (`schema`), kept apart from the
planner the way a file format should be: a plan is written by one ctctform and may be read by
another, on another machine, after travelling as a CI artifact."""

from ctctform.planfile.document import (
    load_for_apply,
    offline_plan,
    plan_document,
    plan_json,
    read_document,
)
from ctctform.planfile.schema import PLAN_SCHEMA_PATH, plan_schema

__all__ = [
    "PLAN_SCHEMA_PATH",
    "load_for_apply",
    "offline_plan",
    "plan_document",
    "plan_json",
    "plan_schema",
    "read_document",
]
