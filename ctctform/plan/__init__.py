"""Plans: what the manifest wants against what the account holds, as checked changes.

planner = Planner(manifest, selection, policy)
live = reader.read(planner.kinds_to_read())      # the workflow reads; the planner is pure
plan = planner.plan(live)
"""

from ctctform.plan.model import (
    PLAN_FORMAT,
    Action,
    Change,
    Plan,
    PlanError,
    Policy,
    dependencies,
)
from ctctform.plan.order import order_changes, prerequisites, waves
from ctctform.plan.planner import Planner
from ctctform.plan.selection import Selection, parse_selector

__all__ = [
    "PLAN_FORMAT",
    "Action",
    "Change",
    "Plan",
    "PlanError",
    "Planner",
    "Policy",
    "Selection",
    "dependencies",
    "order_changes",
    "parse_selector",
    "prerequisites",
    "waves",
]
