"""The error types every layer raises; the CLI turns any of them into one line and exit 1."""

from __future__ import annotations


class CtctformError(Exception):
    """A failure the user can act on; its str() is the one-line message shown."""


class ConfigError(CtctformError):
    """Missing or contradictory configuration (flags, environment)."""
