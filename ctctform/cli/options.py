"""Options the commands share, and the session they open (configuration, client, policy)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ctctform.api import Client, ClientConfig
from ctctform.api.methods import ApiMethods
from ctctform.cli.app import fail, out
from ctctform.kinds import api_routes
from ctctform.live import DetailCache
from ctctform.manifest import Manifest
from ctctform.plan import Policy, Selection
from ctctform.workflow import Options, load_manifest

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class FinitePercent(click.FloatRange):
    """0-100, and a number: click's range lets `nan` through (every comparison with it is
    false), and a NaN threshold would let any number of deletes pass."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number from 0 to 100", param, ctx)
        return number


FINITE_PERCENT = FinitePercent(0, 100)


def _stack(options: list[Decorator]) -> Decorator:
    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed(options):
            fn = opt(fn)
        return fn

    return apply


connection_options = _stack(
    [
        click.option(
            "--account", metavar="ENCODED_ACCOUNT_ID", help="Partner: act on this client account."
        ),
        click.option("--api-url", help="API base URL [env CTCT_API_URL]."),
        click.option(
            "--rate-limit",
            type=click.FloatRange(0, min_open=True),
            help="Requests per second the key allows (default 4) [env CTCT_RATE_LIMIT].",
        ),
        click.option(
            "--parallelism",
            type=click.IntRange(1, 32),
            default=8,
            show_default=True,
            help="Requests in flight (the rate limit still holds).",
        ),
        click.option(
            "--activity-timeout",
            type=click.FloatRange(0, min_open=True),
            default=300.0,
            show_default=True,
            help="Seconds to wait for a bulk delete activity before reporting it unfinished.",
        ),
    ]
)

selection_options = _stack(
    [
        click.option(
            "--var", "vars_", multiple=True, metavar="NAME=VALUE", help="Set ${var:NAME}."
        ),
        click.option(
            "--target", multiple=True, metavar="KIND[:NAME]", help="Only these and what they need."
        ),
        click.option(
            "--exclude", multiple=True, metavar="KIND[:NAME]", help="Leave these resources out."
        ),
        click.option(
            "--no-cache", is_flag=True, help="Do not use the local cache of segment details."
        ),
        click.option(
            "--allow-delete", is_flag=True, help="Accept deletes above the safety threshold."
        ),
        click.option(
            "--allow-replace", is_flag=True, help="Accept replacing resources (loses their data)."
        ),
        click.option(
            "--max-deletes",
            type=click.IntRange(0),
            default=10,
            show_default=True,
            help="Deletes allowed without --allow-delete (settings.max_deletes in a manifest).",
        ),
        click.option(
            "--max-delete-percent",
            type=FINITE_PERCENT,
            default=25.0,
            show_default=True,
            help="Share of a kind's resources deletable without --allow-delete.",
        ),
    ]
)

# Options that change what a plan is; a saved plan was made with its own.
PLAN_SHAPING: tuple[str, ...] = ("target", "exclude", "vars_", "allow_delete", "allow_replace")
PLAN_SHAPING += ("max_deletes", "max_delete_percent")


def explicit(names: tuple[str, ...]) -> list[str]:
    """The options among `names` given on the command line (not left at their default)."""
    ctx = click.get_current_context()
    given = []
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is not None and source is not click.core.ParameterSource.DEFAULT:
            given.append(name)
    return given


def flag_of(name: str) -> str:
    return "--var" if name == "vars_" else "--" + name.replace("_", "-")


def default_path(path: str | None) -> Path:
    if path:
        return Path(path)
    for candidate in (Path("ctctform.yaml"), Path("ctctform")):
        if candidate.exists():
            return candidate
    fail("no manifest given, and neither ctctform.yaml nor ctctform/ is in the current directory")


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out_vars = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--var {pair!r}: expected NAME=VALUE")
        out_vars[key] = value
    return out_vars


def load(path: str | None, vars_: tuple[str, ...]) -> Manifest:
    return load_manifest(default_path(path), parse_vars(vars_))


def client_config(kw: dict[str, Any]) -> ClientConfig:
    return ClientConfig.from_env(
        os.environ,
        api_url=kw.get("api_url"),
        rate_limit=kw.get("rate_limit"),
        activity_timeout=kw.get("activity_timeout"),
    )


def open_client(config: ClientConfig) -> Client:
    return Client(config, notice=lambda message: out(message, err=True), routes=api_routes())


class Session:
    """What one command needs: the client (a partner proxy with --account) and the options."""

    def __init__(self, kw: dict[str, Any], config: ClientConfig | None = None) -> None:
        self.config = config or client_config(kw)
        self.root = open_client(self.config)
        self.account: str | None = kw.get("account")
        self.client: ApiMethods = self.root.for_account(self.account) if self.account else self.root
        self.kw = kw

    def options(self) -> Options:
        kw = self.kw
        cache = None
        if not kw.get("no_cache"):
            cache = DetailCache.default_path(self.config.api_url, self.account)
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
            refresh_only=bool(kw.get("refresh_only")),
            explicit=frozenset(explicit(("max_deletes", "max_delete_percent"))),
        )

    def requests_line(self) -> str:
        return f"API requests: {self.root.stats.summary()}"

    def close(self) -> None:
        self.root.close()
