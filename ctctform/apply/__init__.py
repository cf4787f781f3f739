"""Applying a plan: stage by stage in dependency order, requests within a stage overlapping.

A resource-specific failure (the API refused one request) skips only what depends on it and
the rest goes on, as Terraform does; a systemic one (credentials, the daily quota, a server
that keeps failing or answers garbage) stops new work at once, even requests already waiting
for a rate slot. The result lists done, failed, skipped and not started exactly, and a
re-run converges.
"""

from ctctform.apply.applier import Applier, Reporter
from ctctform.apply.result import ApplyResult

__all__ = ["Applier", "ApplyResult", "Reporter"]
