"""The credential store: the newest refresh token and access token per OAuth client id.

One JSON file (`CTCT_CREDENTIALS_FILE`, default `$XDG_CONFIG_HOME/ctctform/credentials.json`),
mode 0600 in a 0700 directory, replaced atomically (write a temporary file, fsync, rename)
and changed only under an exclusive lock on a sidecar `.lock` file, so that two runs on one
machine never lose a rotation: the second waits, re-reads, and finds the first's new tokens.

    {"version": 1,
     "clients": {"<client id>": {"refresh_token": "...", "access_token": "...",
                                 "expires_at": 1767225600.0, "token_url": "...",
                                 "updated_at": "2026-12-01T22:09:18Z"}}}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ctctform.api.errors import CredentialStoreError
from ctctform.safefile import read_regular

FORMAT_VERSION = 1
MAX_STORE_BYTES = 1024 * 1024  # a store holds a few tokens per client id
# An access token this close to its expiry is treated as expired: a run may take minutes.
EXPIRY_MARGIN = 300.0
LOCK_TIMEOUT = 60.0


@dataclass
class StoredTokens:
    refresh_token: str | None = None
    access_token: str | None = None
    expires_at: float | None = None  # epoch seconds
    token_url: str | None = None
    updated_at: str | None = None

    def access_valid(self, now: float) -> bool:
        return bool(self.access_token and self.expires_at and now < self.expires_at - EXPIRY_MARGIN)


class CredentialStore:
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = LOCK_TIMEOUT,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._sleep = sleep

    def now(self) -> float:
        return self._clock()

    # -- reading ---------------------------------------------------------------------------

    def read(self, client_id: str) -> StoredTokens | None:
        entry = self._load().get(client_id)
        if not isinstance(entry, dict):
            return None
        known = StoredTokens.__dataclass_fields__
        return StoredTokens(**{k: v for k, v in entry.items() if k in known})

    def clients(self) -> dict[str, Any]:
        """Every client id's entry, as stored."""
        return self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = read_regular(self.path, MAX_STORE_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot read the credential store {self.path}: {exc.strerror or exc}"
            ) from None
        try:
            doc = json.loads(data.decode("utf-8")) if len(data) <= MAX_STORE_BYTES else None
        except (ValueError, RecursionError):
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("clients"), dict):
            raise CredentialStoreError(
                f"the credential store {self.path} is not a ctctform credentials file; "
                "fix or remove it (ctctform never overwrites what it cannot read)"
            )
        clients: dict[str, Any] = doc["clients"]
        return clients

    # -- writing ---------------------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise unless the store (and its lock) can be created or replaced: checked before a
        refresh token is spent, so a rotation can never be lost to a read-only directory."""
        directory = self.path.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot create {directory} for the credential store: {exc.strerror}"
            ) from None
        if not os.access(directory, os.W_OK | os.X_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            raise CredentialStoreError(f"the credential store {self.path} is not writable")
        if self.path.exists() and not self.path.is_file():
            # It is replaced atomically: a device (/dev/null) would be replaced by a file.
            raise CredentialStoreError(f"the credential store {self.path} is not a regular file")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's exclusive lock (waiting at most `lock_timeout` seconds)."""
        self.check_writable()
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = self._clock() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if self._clock() >= deadline:
                        raise CredentialStoreError(
                            f"another ctctform holds the lock on {self.path} for more than "
                            f"{self.lock_timeout:g}s"
                        ) from None
                    self._sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def write(self, client_id: str, tokens: StoredTokens) -> None:
        """Replace this client's entry (call while holding `locked()`)."""
        clients = self._load()
        tokens.updated_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        clients[client_id] = {k: v for k, v in asdict(tokens).items() if v is not None}
        self._replace({"version": FORMAT_VERSION, "clients": clients})

    def forget(self, client_id: str) -> bool:
        """Remove this client's entry; True if there was one."""
        if not self.path.exists():
            return False
        with self.locked():
            clients = self._load()
            if client_id not in clients:
                return False
            del clients[client_id]
            self._replace({"version": FORMAT_VERSION, "clients": clients})
            return True

    def _replace(self, doc: dict[str, Any]) -> None:
        if self.path.exists() and not self.path.is_file():
            raise CredentialStoreError(f"the credential store {self.path} is not a regular file")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                json.dump(doc, handle, indent=2, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise CredentialStoreError(
                f"cannot write the credential store {self.path}: {exc.strerror}"
            ) from None
