"""The command group, exit codes, and the one place output is written (always redacted)."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ctctform import __version__
from ctctform.api.redact import redact
from ctctform.api.transport import interrupt_all
from ctctform.errors import CtctformError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])
FALSE_WORDS = ("", "0", "false", "no", "off")


def out(message: str = "", *, nl: bool = True, err: bool = False) -> None:
    """Every line ctctform prints goes through here: secrets are masked, whatever their form."""
    click.echo(redact(message), nl=nl, err=err)


def error(message: str) -> None:
    for line in redact(message).splitlines() or ["failed"]:
        click.echo(click.style("Error: ", fg="red") + line, err=True)


def fail(message: str) -> NoReturn:
    error(message)
    sys.exit(EXIT_ERROR)


def writable(path: str | None, option: str, replaced: bool = False) -> None:
    """Fail before reading the account, not after, when an output file cannot be written.
    `replaced`: the file is rewritten atomically (a temporary file renamed over it), which
    would put a file in the place of a device such as /dev/null: only regular files."""
    if path and not os.access(Path(path).resolve().parent, os.W_OK):
        fail(f"{option} {path}: the directory does not exist or is not writable")
    if path and replaced and Path(path).exists() and not Path(path).is_file():
        fail(f"{option} {path}: not a regular file (the report is replaced as it is written)")


def write_file(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


def in_ci() -> bool:
    """`CI` set to anything but an empty, zero or false word (`CI=false` is not CI)."""
    return os.environ.get("CI", "").strip().lower() not in FALSE_WORDS


def color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def guarded(fn: F) -> F:
    """Every known failure becomes one line on stderr and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CtctformError as exc:
            error(str(exc))
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            error(
                "interrupted; nothing more was started. Run plan to see where the account stands."
            )
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def signals_stop_requests() -> Iterator[None]:
    """Ctrl-C and SIGTERM (a cancelled CI job) stop every client from starting requests
    before the interruption unwinds the run: worker threads would otherwise go on through
    everything already queued while the main thread waits for them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        interrupt_all()
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Main(click.Group):
    """Usage errors exit 1, not click's 2: exit 2 means "plan has changes" here."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            with signals_stop_requests():
                code = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            # One line, like every other bad input: the error, then where help is.
            ctx = exc.ctx
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            error(f"{redact(exc.format_message())}{hint}")
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.message = redact(exc.message)  # type: ignore[misc]  # masked before shown
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.Abort:
            error("aborted; nothing was changed")
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctctform")
def main() -> None:
    """Infrastructure-as-code for Constant Contact accounts.

    Shell completion: eval "$(_CTCTFORM_COMPLETE=bash_source ctctform)" (zsh: zsh_source,
    fish: fish_source).
    """
