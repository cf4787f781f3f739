"""The README's walkthrough ("Five minutes with it") works exactly as written.

The console block after the `<!-- walkthrough -->` comment in README.md is run command by
command, each in its own `bash` started in the repository's top directory, with the variables
the earlier commands exported (as one person's shell would have them). Each command must exit
0; the first plan must show changes and the last must say "No changes".

What the test changes, and why:

- The port: the walkthrough's sandbox listens on 8765; the test substitutes a free port for
  `8765` (only that) so it neither collides with a sandbox someone is running nor with a
  parallel test run.
- `make demo` runs only when make would do nothing but `ctctform demo`: when `.venv` is
  missing or older than pyproject.toml, make would (re)install into the virtualenv the test
  itself runs from, so that step is skipped (the test prints it: `pytest -s` shows it). Every
  other command, every ctctform command included, runs.
- A command ending in `&` (the sandbox) runs in the background like in a shell; the test
  waits until its port answers (a person waits for its banner) and stops it at the end.
- `ctctform apply` without `--auto-approve` asks for confirmation on a terminal: it gets a
  pseudo-terminal as standard input with `yes` typed into it. The other commands get no
  terminal (standard input is /dev/null), so a question nobody expected fails at once.
- The environment starts without any CTCT_* variable and without CI (which would make apply
  refuse to ask); HOME and the XDG directories are a temporary directory (tests/conftest.py).
"""

from __future__ import annotations

import os
import pty
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .helpers import ROOT

README = ROOT / "README.md"
WALKTHROUGH = re.compile(r"^<!-- walkthrough\b.*?-->\n```console\n(?P<body>.*?)^```", re.M | re.S)
README_PORT = "8765"
TIMEOUT = 180.0  # seconds for one command; the whole walkthrough takes well under a minute


def walkthrough() -> list[str]:
    """The walkthrough's commands: the `$ ` lines of the marked console block, verbatim."""
    blocks = WALKTHROUGH.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) == 1, "README.md needs exactly one <!-- walkthrough --> console block"
    lines = blocks[0].splitlines()
    commands = [line[2:] for line in lines if line.startswith("$ ")]
    others = [line for line in lines if line.strip() and not line.startswith("$ ")]
    assert not others, f"the walkthrough block holds lines that are not commands: {others}"
    return commands


def words(command: str) -> list[str]:
    return shlex.split(command, comments=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_port(command: str, port: int) -> str:
    """The one substitution the test makes: the sandbox's port."""
    return re.sub(rf"(?<!\d){README_PORT}(?!\d)", str(port), command)


def asks_to_confirm(command: str) -> bool:
    argv = words(command)
    return (
        argv[:2] == ["ctctform", "apply"]
        and "--auto-approve" not in argv
        and not any(a == "--plan" or a.startswith("--plan=") for a in argv)
    )


def make_demo_only_runs_the_demo(env: dict[str, str]) -> bool:
    """True when `make demo` would run nothing but `.venv/bin/ctctform demo`."""
    if shutil.which("make") is None:
        return False
    dry = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return dry.returncode == 0 and dry.stdout.split("\n")[:-1] == [".venv/bin/ctctform demo"]


@dataclass
class Step:
    command: str
    code: int
    stdout: str
    stderr: str
    log: Path  # the file its standard output went to (a background job's keeps growing)

    def __repr__(self) -> str:
        return f"$ {self.command}\nexit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class Shell:
    """One person's shell, a command at a time: exported variables carry over, background
    jobs keep running (their pids are kept to stop them at the end)."""

    work: Path
    env: dict[str, str]
    background: list[int] = field(default_factory=list)
    count: int = 0

    def run(self, command: str, typed: str | None = None) -> Step:
        self.count += 1
        state, pid = self.work / "exports.sh", self.work / f"{self.count}.pid"
        out, err = self.work / f"{self.count}.out", self.work / f"{self.count}.err"
        # The command is its own line of the script, untouched; what comes before restores
        # the shell's state, what comes after records its exit code, exports and job.
        script = "\n".join(
            [
                f"[ -f {shlex.quote(str(state))} ] && . {shlex.quote(str(state))}",
                command,
                "__status=$?",
                f'echo "${{!:-}}" > {shlex.quote(str(pid))}',
                f"export -p > {shlex.quote(str(state))}",
                'exit "$__status"',
                "",
            ]
        )
        master = slave = None
        stdin: int = subprocess.DEVNULL
        if typed is not None:
            master, slave = pty.openpty()
            os.write(master, typed.encode())  # waits in the terminal until apply reads it
            stdin = slave
        try:
            # Output goes to files, not pipes: a background job keeps its copy open.
            with out.open("wb") as stdout, err.open("wb") as stderr:
                proc = subprocess.run(
                    ["bash", "-c", script],
                    cwd=ROOT,
                    env=self.env,
                    stdin=stdin,
                    stdout=stdout,
                    stderr=stderr,
                    timeout=TIMEOUT,
                )
        finally:
            for fd in (slave, master):
                if fd is not None:
                    os.close(fd)
        job = pid.read_text().strip() if pid.exists() else ""
        if job:
            self.background.append(int(job))
        return Step(command, proc.returncode, read(out), read(err), out)

    def stop_background(self) -> None:
        for pid in self.background:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def alive(pid: int) -> bool:
    """Running (a zombie left to a parent that does not reap it counts as stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_port(port: int, pid: int, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            raise AssertionError(f"the background command exited early:\n{read(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout:g}s:\n{read(log)}")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTCT_")}
    # A person's shell: no CI, no virtualenv yet, not inside a make (`make test` sets these).
    for name in ("CI", "NO_COLOR", "VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(name, None)
    work = tmp_path / "shell"
    work.mkdir()
    sh = Shell(work, env)
    try:
        yield sh
    finally:
        sh.stop_background()


def test_the_walkthrough_block_is_marked_and_holds_the_commands_it_needs() -> None:
    commands = walkthrough()
    argvs = [words(c) for c in commands]
    assert ["make", "demo"] in argvs and [".", ".venv/bin/activate"] in argvs
    (sandbox,) = [
        c for c, a in zip(commands, argvs, strict=True) if a[:2] == ["ctctform", "sandbox"]
    ]
    assert re.search(r"&\s*(#.*)?$", sandbox), (
        "the walkthrough starts the sandbox in the background"
    )
    assert [a[:2] for a in argvs if a[:1] == ["ctctform"]][-1] == ["ctctform", "plan"]
    assert all(README_PORT in c for c in commands if "127.0.0.1" in c or "--port" in c)


@pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "activate").exists(),
    reason="the walkthrough activates .venv in the checkout (made by `make demo`)",
)
def test_the_readme_walkthrough_works_as_written(shell: Shell) -> None:
    port = free_port()
    steps: list[Step] = []
    skipped: list[str] = []
    ran_ctctform: list[str] = []
    for command in walkthrough():
        argv = words(command)
        if argv == ["make", "demo"] and not make_demo_only_runs_the_demo(shell.env):
            skipped.append(command)  # make would (re)install into the virtualenv in use
            continue
        typed = "yes\n" if asks_to_confirm(command) else None
        step = shell.run(with_port(command, port), typed=typed)
        steps.append(step)
        assert step.code == 0, step
        if argv[:1] == ["ctctform"]:
            ran_ctctform.append(command)
        if shell.background and argv[:2] == ["ctctform", "sandbox"]:
            wait_for_port(port, shell.background[-1], step.log)
        if typed is not None:
            assert "Do you want to perform these actions?" in step.stdout, step
            assert "Apply complete!" in step.stdout, step

    print(f"skipped (make would reinstall into the virtualenv in use): {skipped}")
    commands = walkthrough()
    assert ran_ctctform == [c for c in commands if words(c)[:1] == ["ctctform"]]

    # The sandbox printed the exports the walkthrough uses (with the port it was given).
    (sandbox,) = [s for s in steps if words(s.command)[:2] == ["ctctform", "sandbox"]]
    banner = read(sandbox.log)
    assert f"listening on http://127.0.0.1:{port}/v3" in banner, banner
    for step in steps:
        argv = words(step.command)
        if argv[:1] == ["export"]:
            for assignment in argv[1:]:
                assert f"  export {assignment}\n" in banner, (assignment, banner)

    plans = [s for s in steps if words(s.command)[:2] == ["ctctform", "plan"]]
    assert len(plans) >= 2
    assert "Plan: " in plans[0].stdout, plans[0]
    assert "No changes." in plans[-1].stdout, plans[-1]
    validate = next(s for s in steps if words(s.command)[:2] == ["ctctform", "validate"])
    assert "The manifest is valid" in validate.stdout, validate
