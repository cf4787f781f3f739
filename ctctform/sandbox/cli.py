"""`ctctform sandbox`: run the local v3 API server in the foreground until Ctrl-C."""

from __future__ import annotations

import shlex
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import click

from .faults import parse_faults
from .seed import SeedError
from .server import Sandbox


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON file of lists, tags, custom fields, segments, webhooks, accounts.",
)
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(min=0))
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    default=None,
    help="Requests per second before 429 (default: unlimited).",
)
@click.option(
    "--faults",
    "faults_spec",
    metavar="SPEC",
    help="e.g. error_rate=0.1,drop_after_commit=2,burst_429=3,retry_after=1,seed=0",
)
@click.option("--token", default="sandbox", show_default=True, help="Accepted bearer token.")
@click.option("--api-key", default="sandbox", show_default=True, help="Partner x-api-key.")
@click.option("--client-id", default="sandbox", show_default=True)
@click.option("--client-secret", default="sandbox", show_default=True)
@click.option("--refresh-token", default="sandbox", show_default=True)
@click.option("--partner-client-id", default="sandbox", show_default=True)
@click.option("--partner-client-secret", default="sandbox", show_default=True)
@click.option(
    "--rotate-refresh-tokens", is_flag=True, help="Issue a new refresh token on every refresh."
)
@click.option(
    "--activity-polls",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Polls an activity answers 'processing' before 'completed'.",
)
@click.option(
    "--next-link-style",
    type=click.Choice(["v3", "contacts-service"]),
    default="v3",
    show_default=True,
    help="Shape of collection next links (contacts-service: as in the API guide's examples).",
)
@click.option(
    "--strict-segment-criteria",
    is_flag=True,
    help="Also require criteria.type and put list_membership/tags conditions in or groups.",
)
@click.option("--verbose", "-v", is_flag=True, help="Print one line per request to stderr.")
def sandbox_command(
    host: str,
    port: int,
    seed_file: Path | None,
    latency_ms: int,
    rate_limit: int | None,
    faults_spec: str | None,
    token: str,
    api_key: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    partner_client_id: str,
    partner_client_secret: str,
    rotate_refresh_tokens: bool,
    activity_polls: int,
    next_link_style: str,
    strict_segment_criteria: bool,
    verbose: bool,
) -> None:
    """Run a local, in-memory Constant Contact v3 API server (Ctrl-C to stop)."""
    try:
        faults = parse_faults(faults_spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        sandbox = Sandbox(
            port,
            latency_ms,
            rate_limit,
            seed_file,
            host=host,
            faults=faults,
            token=token,
            api_key=api_key,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            partner_client_id=partner_client_id,
            partner_client_secret=partner_client_secret,
            rotate_refresh_tokens=rotate_refresh_tokens,
            activity_polls=activity_polls,
            next_link_style=next_link_style,
            strict_segment_criteria=strict_segment_criteria,
            verbose=verbose,
        )
        sandbox.start()
    except SeedError as exc:
        raise click.ClickException(f"cannot load the seed: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    _serve(sandbox)


def _serve(sandbox: Sandbox) -> None:
    signal.signal(signal.SIGTERM, _exit_on_signal)
    click.echo(f"Constant Contact v3 sandbox listening on {sandbox.base_url}")
    click.echo("Point ctctform at it with:\n")
    for name, value in sandbox.env().items():
        click.echo(f"  export {name}={shlex.quote(value)}")
    click.echo("\nPress Ctrl-C to stop.")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        click.echo("\nSandbox stopped.")


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
