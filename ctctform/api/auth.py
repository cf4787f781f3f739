"""Credentials: account bearer tokens (static or refresh-token grant) and partner credentials.

Both providers hand out headers together with a *generation* number. A request that gets a
401 passes back the generation it used; only the first such caller refreshes, every other
caller (same generation, waiting on the lock) just picks up the new token. That is how
several threads hitting 401 at once cause exactly one token request.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ctctform.api.config import ClientConfig
from ctctform.api.errors import AuthError

# (token url, client id, client secret, form fields) -> parsed JSON of a 2xx answer.
TokenRequester = Callable[[str, str, str, dict[str, str]], dict[str, Any]]
Notice = Callable[[str], None]

NO_CREDENTIALS = (
    "no credentials: set CTCT_ACCESS_TOKEN, or CTCT_CLIENT_ID, CTCT_CLIENT_SECRET and "
    "CTCT_REFRESH_TOKEN"
)


class Auth(Protocol):
    def headers(self) -> tuple[dict[str, str], int]: ...

    def refresh(self, generation: int, where: str) -> None: ...


@dataclass
class _TokenState:
    token: str | None = None
    generation: int = 0
    failure: AuthError | None = None


class AccountAuth:
    """Bearer token for account endpoints: CTCT_ACCESS_TOKEN, or the refresh-token grant."""

    def __init__(self, config: ClientConfig, request_token: TokenRequester, notice: Notice):
        self._config = config
        self._request_token = request_token
        self._notice = notice
        self._refresh_token = config.refresh_token
        self._state = _TokenState(token=config.access_token)
        self._lock = threading.Lock()

    def _missing_grant_settings(self) -> list[str]:
        wanted = {
            "CTCT_CLIENT_ID": self._config.client_id,
            "CTCT_CLIENT_SECRET": self._config.client_secret,
            "CTCT_REFRESH_TOKEN": self._refresh_token,
        }
        return [name for name, value in wanted.items() if not value]

    def headers(self) -> tuple[dict[str, str], int]:
        with self._lock:
            if self._state.token is None:
                self._fetch_locked()
            assert self._state.token is not None
            return {"Authorization": f"Bearer {self._state.token}"}, self._state.generation

    def refresh(self, generation: int, where: str) -> None:
        with self._lock:
            if generation != self._state.generation:
                return  # another thread already refreshed since this caller's request
            if self._state.failure is not None:
                raise self._state.failure
            missing = self._missing_grant_settings()
            if missing:
                raise AuthError(
                    f"the access token was rejected (401 on {where}); set a fresh "
                    "CTCT_ACCESS_TOKEN, or CTCT_CLIENT_ID, CTCT_CLIENT_SECRET and "
                    "CTCT_REFRESH_TOKEN so ctctform can refresh it"
                )
            self._fetch_locked()

    def _fetch_locked(self) -> None:
        if self._state.failure is not None:
            raise self._state.failure
        missing = self._missing_grant_settings()
        if missing:
            if len(missing) < 3:
                raise AuthError(f"{NO_CREDENTIALS} (missing: {', '.join(missing)})")
            raise AuthError(NO_CREDENTIALS)
        assert self._config.client_id and self._config.client_secret and self._refresh_token
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        try:
            answer = self._request_token(
                self._config.token_url, self._config.client_id, self._config.client_secret, form
            )
            token = _access_token(answer, self._config.token_url)
        except AuthError as exc:
            # Remember the failure so the other threads waiting on this 401 don't retry it.
            self._state.failure = exc
            raise
        self._state = _TokenState(token=token, generation=self._state.generation + 1)
        self._rotate(answer.get("refresh_token"))

    def _rotate(self, new_refresh_token: Any) -> None:
        if not isinstance(new_refresh_token, str) or not new_refresh_token:
            return
        if new_refresh_token == self._refresh_token:
            return
        self._refresh_token = new_refresh_token
        path = self._config.refresh_token_file
        if not path:
            self._notice(
                "Constant Contact issued a new refresh token; the old one may stop working. "
                "Set CTCT_REFRESH_TOKEN_FILE (refresh_token_file) to have ctctform save it."
            )
            return
        try:
            write_secret_file(path, new_refresh_token)
        except OSError as exc:
            self._notice(
                "Constant Contact issued a new refresh token; ctctform could not save it to "
                f"{path}: {exc.strerror or type(exc).__name__}"
            )
            return
        self._notice(
            f"Constant Contact issued a new refresh token; saved it to {path} (mode 0600)."
        )


class PartnerAuth:
    """x-api-key plus a bearer token from the partner client-credentials grant (lazy)."""

    def __init__(self, config: ClientConfig, request_token: TokenRequester):
        self._config = config
        self._request_token = request_token
        self._state = _TokenState()
        self._lock = threading.Lock()

    def _check_settings(self) -> None:
        wanted = {
            "CTCT_PARTNER_API_KEY": self._config.partner_api_key,
            "CTCT_PARTNER_CLIENT_ID": self._config.partner_client_id,
            "CTCT_PARTNER_CLIENT_SECRET": self._config.partner_client_secret,
        }
        missing = [name for name, value in wanted.items() if not value]
        if missing:
            raise AuthError(
                "partner endpoints need CTCT_PARTNER_API_KEY, CTCT_PARTNER_CLIENT_ID and "
                f"CTCT_PARTNER_CLIENT_SECRET (missing: {', '.join(missing)})"
            )

    def headers(self) -> tuple[dict[str, str], int]:
        with self._lock:
            if self._state.token is None:
                self._fetch_locked()
            assert self._state.token is not None and self._config.partner_api_key
            headers = {
                "x-api-key": self._config.partner_api_key,
                "Authorization": f"Bearer {self._state.token}",
            }
            return headers, self._state.generation

    def refresh(self, generation: int, where: str) -> None:
        with self._lock:
            if generation != self._state.generation:
                return
            if self._state.failure is not None:
                raise self._state.failure
            self._fetch_locked()

    def _fetch_locked(self) -> None:
        if self._state.failure is not None:
            raise self._state.failure
        self._check_settings()
        assert self._config.partner_client_id and self._config.partner_client_secret
        try:
            answer = self._request_token(
                self._config.partner_token_url,
                self._config.partner_client_id,
                self._config.partner_client_secret,
                {"grant_type": "client_credentials"},
            )
            token = _access_token(answer, self._config.partner_token_url)
        except AuthError as exc:
            self._state.failure = exc
            raise
        self._state = _TokenState(token=token, generation=self._state.generation + 1)


def _access_token(answer: dict[str, Any], url: str) -> str:
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthError(f"token endpoint {url} answered without an access_token")
    return token


def write_secret_file(path: str | os.PathLike[str], value: str) -> None:
    """Replace `path` atomically with `value`, readable by the owner only (0600)."""
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
