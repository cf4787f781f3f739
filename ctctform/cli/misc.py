"""`validate`, `export`, `show`, `schema` and `demo`: the commands around plan and apply."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ctctform.cli.app import color, fail, guarded, main, out
from ctctform.cli.options import Session, connection_options, load
from ctctform.export import DEFAULT_KINDS
from ctctform.kinds import REGISTRY


@main.command()
@click.argument("path", required=False)
@click.option("--var", "vars_", multiple=True, metavar="NAME=VALUE", help="Set ${var:NAME}.")
@click.option(
    "--fleet",
    type=click.Path(dir_okay=False, exists=True),
    help="Check this fleet file and every manifest it names.",
)
@guarded
def validate(path: str | None, vars_: tuple[str, ...], fleet: str | None) -> None:
    """Check a manifest offline: schema, references, duplicates, the API's limits."""
    if fleet:
        if path:
            fail("give a manifest PATH or --fleet FILE, not both")
        from ctctform.cli.fleet import validate_fleet

        validate_fleet(fleet, vars_)
        return
    manifest = load(path, vars_)
    for w in manifest.warnings:
        out(f"Warning: {w}")
    n = sum(len(v) for v in manifest.resources.values())
    files = len(manifest.files)
    out(
        f"The manifest is valid: {n} resource{'' if n == 1 else 's'} in {files} "
        f"file{'' if files == 1 else 's'}."
    )


@main.command()
@click.option(
    "--kinds",
    default=",".join(DEFAULT_KINDS),
    show_default=True,
    help="Comma-separated kinds to export (webhooks needs partner credentials).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write one YAML file per kind into this directory (default: stdout).",
)
@connection_options
@guarded
def export(kinds: str, out_dir: str | None, **kw: Any) -> None:
    """Write the live account as a manifest, to adopt an existing account."""
    from ctctform.export import export as read_account
    from ctctform.export import write

    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in REGISTRY]
    if unknown:
        fail(f"--kinds: unknown kind(s) {', '.join(unknown)} (one of: {', '.join(REGISTRY)})")
    session = Session(kw)
    try:
        doc = read_account(session.client, [k for k in REGISTRY if k in wanted], kw["parallelism"])
    finally:
        session.close()
    text = write(doc, Path(out_dir) if out_dir else None)
    if text is not None:
        out(text, nl=False)
    else:
        count = sum(len(v) if isinstance(v, list) else 1 for v in doc.values())
        out(f"Wrote {count} resources to {out_dir}/", err=True)
    out(session.requests_line(), err=True)


@main.command()
@click.argument("plan_file", type=click.Path(dir_okay=False, exists=True))
@click.option("--json", "json_out", is_flag=True, help="Print the saved plan's JSON document.")
@guarded
def show(plan_file: str, json_out: bool) -> None:
    """Render a saved plan (plan --out) without touching the network."""
    import json

    from ctctform.planfile import offline_plan, read_document
    from ctctform.render import render_plan
    from ctctform.render.progress import render_account

    doc = read_document(Path(plan_file))
    if json_out:
        out(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    summary = {
        "encoded_account_id": doc.get("account"),
        "organization_name": doc.get("organization"),
    }
    out(render_account(summary if doc.get("account") else {}, None))
    out(f"Saved plan {plan_file}, made {doc.get('created_at', 'at an unknown time')}\n")
    out(render_plan(offline_plan(doc), color()))


SCHEMAS = ("manifest", "fleet", "fleet-report", "plan")


@main.command()
@click.option(
    "--for",
    "document",
    type=click.Choice(SCHEMAS),
    default="manifest",
    show_default=True,
    help="Which document: a manifest, a fleet file, a fleet report, or a saved plan.",
)
@guarded
def schema(document: str) -> None:
    """Print a JSON Schema (the manifest's by default: for editors, YAML language server)."""
    import json

    from ctctform.fleet.schema import fleet_schema, report_schema
    from ctctform.manifest import schema_text
    from ctctform.planfile import plan_schema

    if document == "manifest":
        out(schema_text(list(REGISTRY.values())), nl=False)
        return
    built = {"fleet": fleet_schema, "fleet-report": report_schema, "plan": plan_schema}
    out(json.dumps(built[document](), indent=2, ensure_ascii=False))


@main.command()
@click.option("--fast", is_flag=True, hidden=True, help="No pacing (tests).")
@guarded
def demo(fast: bool) -> None:
    """Try ctctform offline: a sandbox account, a plan, an apply, and a clean second plan."""
    from ctctform.demo import run_demo

    sys.exit(run_demo(echo=out, color=color(), fast=fast))


@main.command()
@click.argument("directory", default="examples", required=False)
@guarded
def examples(directory: str) -> None:
    """Copy the packaged examples into DIRECTORY (./examples), to follow the docs from a wheel."""
    import shutil

    from ctctform.demo import examples_dir

    target = Path(directory)
    if os.path.lexists(target) and (not target.is_dir() or any(target.iterdir())):
        fail(f"{directory}: exists and is not an empty directory; nothing was written")
    try:
        shutil.copytree(
            examples_dir(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    except OSError as exc:
        fail(f"{directory}: cannot write the examples there ({exc.strerror or exc})")
    out(
        f"Wrote {directory}/: basic/ (every kind of resource), agency/ (a partner's baseline), "
        "agency-fleet.yaml (a fleet of it) and demo-seed.yaml (the demo's drifted account)."
    )
