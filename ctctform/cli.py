"""The command line: parse, call, render, exit code. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ctctform import __version__
from ctctform.errors import CtctformError
from ctctform.export import DEFAULT_KINDS
from ctctform.plan import Policy
from ctctform.selection import Selection

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def err(message: str) -> None:
    click.echo(click.style("Error: ", fg="red") + message, err=True)


def fail(message: str) -> None:
    err(message)
    sys.exit(EXIT_ERROR)


def default_path(path: str | None) -> Path:
    if path:
        return Path(path)
    for candidate in (Path("ctctform.yaml"), Path("ctctform")):
        if candidate.exists():
            return candidate
    fail("no manifest given, and neither ctctform.yaml nor ctctform/ is in the current directory")
    raise AssertionError  # unreachable


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--var {pair!r}: expected NAME=VALUE")
        out[key] = value
    return out


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Every known failure becomes one line on stderr and exit 1."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CtctformError as exc:
            for line in str(exc).splitlines() or ["failed"]:
                err(line)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            err("interrupted; nothing more was started. Run plan to see where the account stands.")
            sys.exit(EXIT_ERROR)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class Main(click.Group):
    """Usage errors exit 1, not click's 2: exit 2 means "plan has changes" here."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.Abort:
            err("aborted; nothing was changed")
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctctform")
def main() -> None:
    """Infrastructure-as-code for Constant Contact accounts."""


# -- shared options ---------------------------------------------------------------------
def selection_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(
        [
            click.option(
                "--var", "vars_", multiple=True, metavar="NAME=VALUE", help="Set ${var:NAME}."
            ),
            click.option(
                "--target",
                multiple=True,
                metavar="KIND[:NAME]",
                help="Only these resources and what they need.",
            ),
            click.option(
                "--exclude", multiple=True, metavar="KIND[:NAME]", help="Leave these resources out."
            ),
            click.option(
                "--account",
                metavar="ENCODED_ACCOUNT_ID",
                help="Partner: act on this client account.",
            ),
            click.option(
                "--all-accounts",
                is_flag=True,
                help="Partner: every client account, one after another, with a report.",
            ),
            click.option(
                "--account-vars",
                type=click.Path(dir_okay=False, exists=True),
                help="YAML: {encoded_account_id: {var: value}} for --all-accounts.",
            ),
            click.option(
                "--parallelism",
                type=click.IntRange(1, 32),
                default=8,
                show_default=True,
                help="Requests in flight (the rate limit still holds).",
            ),
            click.option(
                "--rate-limit",
                type=click.FloatRange(0, min_open=True),
                help="Requests per second [env CTCT_RATE_LIMIT].",
            ),
            click.option("--api-url", help="API base URL [env CTCT_API_URL]."),
            click.option(
                "--refresh-token-file",
                type=click.Path(dir_okay=False),
                help="Write a rotated refresh token here (mode 0600).",
            ),
            click.option(
                "--no-cache", is_flag=True, help="Do not use the local cache of segment details."
            ),
            click.option(
                "--allow-delete", is_flag=True, help="Accept deletes above the safety threshold."
            ),
            click.option(
                "--allow-replace",
                is_flag=True,
                help="Accept replacing resources (loses their contact data).",
            ),
            click.option(
                "--max-deletes",
                type=click.IntRange(0),
                default=10,
                show_default=True,
                help="Deletes allowed without --allow-delete.",
            ),
            click.option(
                "--max-delete-percent",
                type=click.FloatRange(0, 100),
                default=25.0,
                show_default=True,
                help="Share of a kind's resources deletable without --allow-delete.",
            ),
        ]
    ):
        fn = opt(fn)
    return fn


class Session:
    """What one command needs: the client, the options, and where to print."""

    def __init__(self, kw: dict[str, Any], json_out: bool = False) -> None:
        from ctctform.api import Client, ClientConfig

        token_file = kw.get("refresh_token_file")
        self.config = ClientConfig.from_env(
            os.environ,
            api_url=kw.get("api_url"),
            rate_limit=kw.get("rate_limit"),
            refresh_token_file=Path(token_file) if token_file else None,
        )
        self.root = Client(self.config, notice=lambda m: click.echo(m, err=True))
        self.account = kw.get("account")
        self.client = self.root.for_account(self.account) if self.account else self.root
        self.kw = kw
        self.options = self.options_for(self.account)
        self.json_out = json_out

    def options_for(self, account: str | None) -> Any:
        from ctctform.live import DetailCache
        from ctctform.workflow import Options

        kw = self.kw
        cache = (
            None if kw.get("no_cache") else DetailCache.default_path(self.config.api_url, account)
        )
        return Options(
            selection=Selection.parse(kw.get("target") or (), kw.get("exclude") or ()),
            policy=Policy(
                allow_delete=bool(kw.get("allow_delete")),
                allow_replace=bool(kw.get("allow_replace")),
                max_deletes=kw.get("max_deletes", 10),
                max_delete_percent=kw.get("max_delete_percent", 25.0),
            ),
            parallelism=kw.get("parallelism") or 8,
            cache_path=cache,
            account=account,
        )

    def requests_line(self) -> str:
        return f"API requests: {self.root.stats.summary()}"

    def close(self) -> None:
        self.root.close()


def load(path: str | None, vars_: tuple[str, ...]) -> Any:
    from ctctform.manifest import load_manifest

    return load_manifest(default_path(path), parse_vars(vars_))


def fleet(path: str | None, kw: dict[str, Any], apply: bool) -> int:
    """--all-accounts: 1 if any account failed, 2 if any has changes (plan), else 0."""
    from ctctform.fleet import load_account_vars, render_report, run_accounts, variables_for

    per_account = load_account_vars(kw.get("account_vars"))
    overrides = parse_vars(kw["vars_"])
    manifest_path = default_path(path)
    session = Session(kw)
    try:
        accounts = session.root.partner_accounts()
        runs = run_accounts(
            session.root,
            manifest_path,
            accounts,
            session.options_for,
            lambda account: variables_for(account, per_account, overrides),
            apply=apply,
            echo=click.echo,
            color=color(),
        )
    finally:
        session.close()
    click.echo(render_report(runs))
    click.echo(session.requests_line())
    if any(r.failed for r in runs):
        return EXIT_ERROR
    return EXIT_CHANGES if not apply and any(r.changed for r in runs) else EXIT_OK


def writable(path: str | None, option: str) -> None:
    """Fail before reading the account, not after, when an output file cannot be written."""
    if path and not os.access(Path(path).resolve().parent, os.W_OK):
        fail(f"{option} {path}: the directory does not exist or is not writable")


def write_file(path: str, text: str) -> None:
    try:
        Path(path).write_text(text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


def show_errors(errors: list[str]) -> None:
    for e in errors:
        err(e)
    sys.exit(EXIT_ERROR)


# Options that change what a plan is; a saved plan was made with its own.
PLAN_SHAPING = {
    "target": "--target",
    "exclude": "--exclude",
    "vars_": "--var",
    "allow_delete": "--allow-delete",
    "allow_replace": "--allow-replace",
}


def refuse_with_saved_plan(kw: dict[str, Any]) -> None:
    given = [flag for key, flag in PLAN_SHAPING.items() if kw.get(key)]
    ctx = click.get_current_context()
    given += [
        f"--{name.replace('_', '-')}"
        for name in ("max_deletes", "max_delete_percent")
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    ]
    if given:
        fail(
            f"{', '.join(given)} cannot be combined with --plan: a saved plan is applied "
            "exactly as it was made; make a new plan with those options instead"
        )


def color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


# -- commands ---------------------------------------------------------------------------
@main.command()
@click.argument("path", required=False)
@click.option("--var", "vars_", multiple=True, metavar="NAME=VALUE")
@guarded
def validate(path: str | None, vars_: tuple[str, ...]) -> None:
    """Check a manifest offline: schema, references, duplicates."""
    manifest = load(path, vars_)
    for w in manifest.warnings:
        click.echo(f"Warning: {w}")
    n = sum(len(v) for v in manifest.resources.values())
    click.echo(f"The manifest is valid: {n} resources in {len(manifest.files)} file(s).")


@main.command()
@click.argument("path", required=False)
@selection_options
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Save the plan (JSON) for apply --plan."
)
@click.option("--json", "json_out", is_flag=True, help="Print the plan as JSON.")
@click.option("--markdown", type=click.Path(dir_okay=False), help="Write a Markdown summary here.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option(
    "--refresh-only", is_flag=True, help="Read the account and report drift; never plan writes."
)
@guarded
def plan(path: str | None, **kw: Any) -> None:
    """Show the changes that would make the account match the manifest."""
    from ctctform.render import render_markdown, render_plan
    from ctctform.workflow import make_plan, plan_document

    if kw["refresh_only"] and kw["out"]:
        fail("--refresh-only reports drift and makes no plan to save; drop --out")
    for option in ("out", "markdown"):
        writable(kw[option], f"--{option}")
    if kw["all_accounts"]:
        for key, flag in (
            ("out", "--out"),
            ("json_out", "--json"),
            ("markdown", "--markdown"),
            ("account", "--account"),
        ):
            if kw[key]:
                fail(f"{flag} cannot be combined with --all-accounts")
        code = fleet(path, kw, apply=False)
        if code == EXIT_CHANGES and not kw["detailed_exitcode"]:
            code = EXIT_OK
        sys.exit(code)
    manifest = load(path, kw["vars_"])
    session = Session(kw, kw["json_out"])
    try:
        the_plan, _ = make_plan(session.client, manifest, session.options)
    finally:
        session.close()
    if kw["json_out"]:
        click.echo(plan_document(the_plan, session.root.stats.as_dict()), nl=False)
    else:
        if kw["refresh_only"] and the_plan.has_changes:
            click.echo("Drift: the account differs from the manifest as follows.\n")
        click.echo(render_plan(the_plan, color()))
        click.echo(session.requests_line())
    if kw["markdown"]:
        write_file(kw["markdown"], render_markdown(the_plan, session.root.stats.summary()))
    if the_plan.errors:
        show_errors(the_plan.errors)
    if kw["out"]:
        write_file(kw["out"], plan_document(the_plan, session.root.stats.as_dict()))
        click.echo(
            f"Saved the plan to {kw['out']}; apply it with: ctctform apply --plan {kw['out']}",
            err=kw["json_out"],
        )
    if kw["detailed_exitcode"] and the_plan.has_changes:
        sys.exit(EXIT_CHANGES)


@main.command()
@click.argument("path", required=False)
@selection_options
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Apply this saved plan exactly.",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@guarded
def apply(path: str | None, plan_file: str | None, auto_approve: bool, **kw: Any) -> None:
    """Make the account match the manifest (or apply a saved plan)."""
    from ctctform.render import render_plan
    from ctctform.render.progress import render_result, reporter
    from ctctform.workflow import load_saved_plan, make_plan, run_apply

    if plan_file and path:
        fail("give a manifest PATH or --plan FILE, not both")
    if plan_file:
        refuse_with_saved_plan(kw)
    if kw["all_accounts"]:
        if plan_file or kw["account"]:
            fail("--all-accounts cannot be combined with --plan or --account")
        if not auto_approve:
            fail(
                "apply --all-accounts changes many accounts without asking each: add --auto-approve"
            )
        sys.exit(fleet(path, kw, apply=True))
    manifest = None if plan_file else load(path, kw["vars_"])
    if not auto_approve and (os.environ.get("CI") or not sys.stdin.isatty()):
        fail(
            "apply needs confirmation and there is no terminal to ask on (or CI is set); "
            "review the plan and re-run with --auto-approve"
        )
    session = Session(kw)
    try:
        if plan_file:
            the_plan, live = load_saved_plan(session.client, Path(plan_file), session.options)
        else:
            the_plan, live = make_plan(session.client, manifest, session.options)
        click.echo(render_plan(the_plan, color()))
        if the_plan.errors:
            click.echo(session.requests_line())
            show_errors(the_plan.errors)
        if not the_plan.has_changes:
            click.echo(session.requests_line())
            return
        if not auto_approve:
            answer = click.prompt(
                "\nDo you want to perform these actions? Only 'yes' will be accepted",
                default="",
                show_default=False,
            )
            if answer.strip() != "yes":
                fail("apply cancelled; nothing was changed")
        click.echo("")
        report = reporter(the_plan, click.echo, color())
        result = run_apply(session.client, the_plan, live, session.options, report)
    finally:
        session.close()
    click.echo(render_result(result))
    click.echo(session.requests_line())
    if not result.ok:
        sys.exit(EXIT_ERROR)


@main.command()
@click.option(
    "--kinds",
    default=",".join(DEFAULT_KINDS),
    show_default=True,
    help="Comma-separated kinds to export (webhooks needs partner credentials).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Write one YAML file per kind into this directory (default: stdout).",
)
@click.option(
    "--account", metavar="ENCODED_ACCOUNT_ID", help="Partner: export this client account."
)
@click.option("--api-url", help="API base URL [env CTCT_API_URL].")
@click.option("--rate-limit", type=float, help="Requests per second [env CTCT_RATE_LIMIT].")
@guarded
def export(kinds: str, out: str | None, **kw: Any) -> None:
    """Write the live account as a manifest, to adopt an existing account."""
    from ctctform.export import export as read_account
    from ctctform.export import write
    from ctctform.kinds import REGISTRY

    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in REGISTRY]
    if unknown:
        fail(f"--kinds: unknown kind(s) {', '.join(unknown)} (one of: {', '.join(REGISTRY)})")
    session = Session(kw)
    try:
        doc = read_account(session.client, [k for k in REGISTRY if k in wanted])
    finally:
        session.close()
    text = write(doc, Path(out) if out else None)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"Wrote {sum(len(v) for v in doc.values())} resources to {out}/", err=True)
    click.echo(session.requests_line(), err=True)


@main.command()
@click.option("--fast", is_flag=True, hidden=True, help="No pacing (tests).")
@guarded
def demo(fast: bool) -> None:
    """Try ctctform offline: a sandbox account, a plan, an apply, and a clean second plan."""
    from ctctform.demo import run_demo

    sys.exit(run_demo(echo=click.echo, color=color(), fast=fast))


def _register_sandbox() -> None:
    from ctctform.sandbox.cli import sandbox_command

    main.add_command(sandbox_command, "sandbox")


_register_sandbox()
