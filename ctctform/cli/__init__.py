"""The command line: parse, call, render, exit code. Each module holds commands only.

Exit codes: 0 success (plan: no changes), 1 error, 2 plan has changes (--detailed-exitcode).
"""

from ctctform.cli import auth, misc, plan_apply  # noqa: F401 - registers the commands
from ctctform.cli.app import main
from ctctform.sandbox.cli import sandbox_command

main.add_command(sandbox_command, "sandbox")

__all__ = ["main"]
