"""The README lists every command and every option that exists (hidden ones aside)."""

from __future__ import annotations

import click

from ctctform.cli import main

from .conftest import ROOT


def test_the_readme_names_every_command_and_option() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(main.commands) >= 12  # the registry of commands was read
    missing = [
        f"ctctform {name} {flag}".strip()
        for name, command in sorted(main.commands.items())
        for flag in [""]
        + [
            o
            for p in command.params
            if isinstance(p, click.Option) and not p.hidden
            for o in p.opts
            if o.startswith("--") and o != "--help"
        ]
        if (flag or f"ctctform {name}") not in readme
    ]
    assert missing == []
