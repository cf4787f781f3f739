"""`ctctform sandbox`: run the local v3 API server in the foreground until Ctrl-C."""

from __future__ import annotations

import shlex
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .device import DeviceSettings
from .faults import parse_faults
from .guard import is_loopback
from .seed_common import SeedError
from .server import Sandbox

POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)
CREDENTIAL_FLAGS = (
    ("--token", "Accepted bearer token."),
    ("--api-key", "Partner x-api-key."),
    ("--client-id", "Confidential client (HTTP Basic on the token endpoint)."),
    ("--client-secret", "Secret of the confidential --client-id."),
    ("--refresh-token", "Refresh token issued to --client-id."),
    ("--partner-client-id", "Partner client-credentials grant: client id."),
    ("--partner-client-secret", "Partner client-credentials grant: secret."),
)


# Every flag, in --help order; each maps to the Sandbox keyword of the same name, except
# the device_* flags (one DeviceSettings) and --seed/--faults (parsed first).
OPTIONS: list[Callable[..., Any]] = [
    click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on."),
    click.option(
        "--allow-remote",
        is_flag=True,
        help="Allow a --host beyond loopback (and any Host header).",
    ),
    click.option(
        "--port",
        default=8765,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port to listen on (0: any free one).",
    ),
    click.option(
        "--seed",
        "seed_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="YAML or JSON file of lists, tags, custom fields, segments, webhooks, "
        "accounts, fault rules.",
    ),
    click.option(
        "--latency-ms",
        default=0,
        show_default=True,
        type=NON_NEGATIVE,
        help="Delay before every answer, as a distant API would add.",
    ),
    click.option(
        "--rate-limit", type=POSITIVE, help="Account key: requests/s before 429 (unlimited)."
    ),
    click.option(
        "--partner-rate-limit",
        type=POSITIVE,
        help="Partner key: requests/s (default: as --rate-limit; 10 once raised).",
    ),
    click.option(
        "--daily-quota", type=POSITIVE, help="Account key: requests per UTC day (unlimited)."
    ),
    click.option(
        "--partner-daily-quota",
        type=POSITIVE,
        help="Partner key: requests per UTC day (default: as --daily-quota).",
    ),
    click.option(
        "--retry-after-header",
        is_flag=True,
        help="Send Retry-After with rate-limit 429s (the real API documents none).",
    ),
    click.option(
        "--faults",
        "faults_spec",
        metavar="SPEC",
        help="e.g. error_rate=0.1,drop_after_commit=2,burst_429=3,retry_after=1,seed=0",
    ),
    *[
        click.option(flag, default="sandbox", show_default=True, help=text)
        for flag, text in CREDENTIAL_FLAGS
    ],
    click.option(
        "--public-client-id",
        default="sandbox-public",
        show_default=True,
        help="Public client: no secret; device flow and form-body refresh.",
    ),
    click.option(
        "--rotate-refresh-tokens",
        is_flag=True,
        help="Issue a new refresh token on every refresh.",
    ),
    click.option(
        "--access-token-ttl",
        default=86400,
        show_default=True,
        type=POSITIVE,
        help="Seconds an issued access token lasts.",
    ),
    click.option(
        "--device-approve-after-polls",
        default=2,
        show_default=True,
        type=NON_NEGATIVE,
        help="Device flow: polls answered authorization_pending before approval.",
    ),
    click.option("--device-deny", is_flag=True, help="Device flow: the user denies."),
    click.option(
        "--device-interval",
        default=5,
        show_default=True,
        type=NON_NEGATIVE,
        help="Device flow: seconds between polls.",
    ),
    click.option(
        "--device-expires-in",
        default=600,
        show_default=True,
        type=POSITIVE,
        help="Device flow: seconds a device code lasts.",
    ),
    click.option(
        "--device-slow-down-polls",
        default=0,
        show_default=True,
        type=NON_NEGATIVE,
        help="Device flow: answer slow_down to the first N polls.",
    ),
    click.option(
        "--activity-polls",
        default=2,
        show_default=True,
        type=NON_NEGATIVE,
        help="Polls an activity answers 'processing' before 'completed'.",
    ),
    click.option(
        "--next-link-style",
        type=click.Choice(["v3", "contacts-service"]),
        default="v3",
        show_default=True,
        help="Shape of collection next links (contacts-service: as in the API guide's examples).",
    ),
    click.option(
        "--lenient-segment-criteria",
        is_flag=True,
        help="Accept list_membership/tags conditions outside `or` groups (the API does not).",
    ),
    click.option(
        "--verbose", "-v", is_flag=True, help="One line per request on stderr (no secrets)."
    ),
]


def _with_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(OPTIONS):
        command = option(command)
    return command


@click.command("sandbox")
@_with_options
def sandbox_command(**options: Any) -> None:
    """Run a local, in-memory Constant Contact v3 API server (Ctrl-C to stop)."""
    host, port = options["host"], options["port"]
    if not options["allow_remote"] and not is_loopback(host):
        raise click.UsageError(
            f"refusing to listen on {host}: it is not a loopback address, and the sandbox "
            "accepts well-known default credentials. Pass --allow-remote to serve it anyway."
        )
    try:
        sandbox = Sandbox(**_sandbox_options(options))
        sandbox.start()
    except SeedError as exc:
        raise click.ClickException(f"cannot load the seed: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    _serve(sandbox, remote=not is_loopback(host))


def _sandbox_options(options: dict[str, Any]) -> dict[str, Any]:
    """The flags as Sandbox keyword arguments."""
    try:
        faults = parse_faults(options.pop("faults_spec"))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    device = DeviceSettings(
        approve_after_polls=options.pop("device_approve_after_polls"),
        deny=options.pop("device_deny"),
        interval=options.pop("device_interval"),
        expires_in=options.pop("device_expires_in"),
        slow_down_polls=options.pop("device_slow_down_polls"),
    )
    seed = options.pop("seed_file")
    strict = not options.pop("lenient_segment_criteria")
    return {
        **options,
        "seed": seed,
        "faults": faults,
        "device": device,
        "strict_segment_criteria": strict,
    }


def _serve(sandbox: Sandbox, remote: bool) -> None:
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if remote:
        click.echo(
            f"WARNING: the sandbox is listening on {sandbox.listen_url}, beyond this machine. "
            "Anyone who can reach that address can use it with the credentials it accepts, "
            "and the defaults (`sandbox`) are well known.",
            err=True,
        )
    click.echo(f"Constant Contact v3 sandbox listening on {sandbox.listen_url}/v3")
    click.echo("Point ctctform at it with:\n")
    for name, value in sandbox.env().items():
        click.echo(f"  export {name}={shlex.quote(value)}")
    click.echo(
        f"\n# ctctform login (device flow) uses the public client instead:\n"
        f"#   export CTCT_CLIENT_ID={shlex.quote(sandbox.public_client_id)}; "
        "unset CTCT_CLIENT_SECRET"
    )
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
