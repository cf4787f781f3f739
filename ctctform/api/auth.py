"""Credentials: the account bearer token (explicit, stored or refreshed) and the partner's.

Precedence (DESIGN §7): an explicit `CTCT_ACCESS_TOKEN` wins; otherwise a stored access token
that has not expired; otherwise a refresh with the stored refresh token, falling back to
`CTCT_REFRESH_TOKEN` only when the store has none or the stored one is refused
(`invalid_grant`). A refresh happens under the store's lock after re-reading it (another run
may have refreshed meanwhile), and every rotation is written back, and handed to
`CTCT_ON_TOKEN_ROTATED`, before the run goes on. A rotation that cannot be kept is an error:
the store's writability is checked before the refresh token is spent.

Both providers hand out headers with a *generation* number. A request that gets a 401 passes
back the generation it used; only the first such caller refreshes, the others pick up the
new token. That is how several threads hitting 401 at once cause exactly one token request.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ctctform.api.config import ClientConfig
from ctctform.api.credentials import CredentialStore, StoredTokens
from ctctform.api.errors import AuthError, CredentialStoreError
from ctctform.api.redact import REDACTOR
from ctctform.api.tokens import OAuthError, TokenEndpoint

Notice = Callable[[str], None]
NO_CREDENTIALS = (
    "no credentials: run `ctctform login`, or set CTCT_ACCESS_TOKEN, or CTCT_CLIENT_ID and "
    "CTCT_REFRESH_TOKEN (with CTCT_CLIENT_SECRET for a confidential app)"
)
HOOK_TIMEOUT = 60.0


class Auth(Protocol):
    def headers(self) -> tuple[dict[str, str], int]: ...

    def refresh(self, generation: int, where: str) -> None: ...


@dataclass
class _TokenState:
    token: str | None = None
    generation: int = 0
    failure: AuthError | None = None


class AccountAuth:
    def __init__(
        self, config: ClientConfig, tokens: TokenEndpoint, store: CredentialStore, notice: Notice
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._store = store
        self._notice = notice
        self._state = _TokenState(token=config.access_token)
        self._lock = threading.Lock()

    def headers(self) -> tuple[dict[str, str], int]:
        with self._lock:
            if self._state.token is None:
                self._obtain_locked(rejected=None)
            assert self._state.token is not None
            return {"Authorization": f"Bearer {self._state.token}"}, self._state.generation

    def refresh(self, generation: int, where: str) -> None:
        with self._lock:
            if generation != self._state.generation:
                return  # another thread already refreshed since this caller's request
            if self._state.failure is not None:
                raise self._state.failure
            if not self._config.client_id:
                raise AuthError(
                    f"the access token was rejected (401 on {where}); set a fresh "
                    "CTCT_ACCESS_TOKEN, or CTCT_CLIENT_ID and a refresh token so ctctform "
                    "can refresh it"
                )
            self._obtain_locked(rejected=self._state.token)

    # -- obtaining a token -------------------------------------------------------------------

    def _obtain_locked(self, rejected: str | None) -> None:
        if self._state.failure is not None:
            raise self._state.failure
        try:
            token = self._obtain(rejected)
        except AuthError as exc:
            # Remember the failure so the other threads waiting on this 401 don't retry it.
            self._state.failure = exc
            raise
        self._state = _TokenState(token=token, generation=self._state.generation + 1)

    def _obtain(self, rejected: str | None) -> str:
        client_id = self._config.client_id
        if not client_id:
            raise AuthError(NO_CREDENTIALS)
        stored = self._read(client_id)
        if stored and stored.access_valid(self._store.now()) and stored.access_token != rejected:
            return stored.access_token  # type: ignore[return-value]
        if not ((stored and stored.refresh_token) or self._config.refresh_token):
            raise AuthError(NO_CREDENTIALS)
        self._check_keepable()
        with self._store.locked():
            # Re-read under the lock: another run may have refreshed (and rotated) meanwhile.
            stored = self._read(client_id)
            if (
                stored
                and stored.access_valid(self._store.now())
                and stored.access_token != rejected
            ):
                return stored.access_token  # type: ignore[return-value]
            used, answer = self._refresh_with(self._candidates(stored))
            return self._keep(client_id, answer, used)

    def _read(self, client_id: str) -> StoredTokens | None:
        """The store's entry, its tokens masked from here on whatever happens next (a token
        endpoint that echoes the refresh token it refused must not print it)."""
        stored = self._store.read(client_id)
        if stored:
            REDACTOR.add(stored.access_token, stored.refresh_token)
        return stored

    def _candidates(self, stored: StoredTokens | None) -> list[tuple[str, str]]:
        out = []
        if stored and stored.refresh_token:
            out.append(("the stored refresh token", stored.refresh_token))
        env = self._config.refresh_token
        if env and not (stored and stored.refresh_token == env):
            out.append(("CTCT_REFRESH_TOKEN", env))
        return out

    def _refresh_with(self, candidates: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
        """The refresh token that worked, and the token endpoint's answer."""
        refused: list[str] = []
        spent: list[str] = []  # refused when sent again after an attempt without an answer
        for label, token in candidates:
            try:
                return token, self._tokens.refresh(token)
            except OAuthError as exc:
                if exc.error == "invalid_client" and self._config.public_client:
                    raise AuthError(
                        f"{str(exc).rstrip('.')}. CTCT_CLIENT_SECRET is not set, so ctctform refreshed as a public "
                        "client (a PKCE or device-flow app); for a confidential app, set it"
                    ) from None
                if exc.error != "invalid_grant":
                    raise
                if exc.retried:
                    spent.append(label)
                refused.append(label)
        if spent:
            # Rotating refresh tokens are spent once: the attempt whose answer was lost used
            # it up, and that answer held the only replacement.
            raise AuthError(
                f"{' and '.join(spent)} {'was' if len(spent) == 1 else 'were'} refused "
                "(invalid_grant) when sent again after an earlier attempt failed (no answer, "
                "or a 5xx): that attempt may have spent it and its lost answer held the new "
                "one (an app that rotates refresh tokens accepts each once); run `ctctform "
                "login`, or set a fresh CTCT_REFRESH_TOKEN"
            )
        raise AuthError(
            f"{' and '.join(refused)} {'was' if len(refused) == 1 else 'were'} refused "
            "(invalid_grant: expired after 180 days unused, or replaced by a newer one when "
            "the app rotates refresh tokens); run `ctctform login`, or set a fresh "
            "CTCT_REFRESH_TOKEN"
        )

    def _keep(self, client_id: str, answer: dict[str, Any], used: str) -> str:
        """Store the answer; a refresh token other than the one just spent is a rotation
        (compared with the one used, not the stored one: a refused stored token replaced by
        an unchanged CTCT_REFRESH_TOKEN is no rotation)."""
        token, refresh = save_answer(self._store, client_id, self._config.token_url, answer, used)
        if refresh != used and refresh is not None:
            self._rotated(refresh)
        return token

    def _check_keepable(self) -> None:
        """Refuse to spend a refresh token whose successor could not be kept."""
        try:
            self._store.check_writable()
        except CredentialStoreError as exc:
            raise AuthError(
                f"{exc}; a rotated refresh token could not be saved, so ctctform did not "
                "refresh. Set CTCT_CREDENTIALS_FILE to a writable path"
            ) from None

    def _rotated(self, new_refresh: str) -> None:
        command = self._config.on_token_rotated
        where = f"saved it to {self._store.path}"
        if command:
            run_hook(command, new_refresh)
            where += " and handed it to CTCT_ON_TOKEN_ROTATED"
        self._notice(f"Constant Contact issued a new refresh token; {where}.")


def save_answer(
    store: CredentialStore,
    client_id: str,
    token_url: str,
    answer: dict[str, Any],
    previous_refresh: str | None,
) -> tuple[str, str | None]:
    """Write a token answer to the store (under its lock): (access token, refresh token)."""
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthError(f"the token endpoint {token_url} gave no access_token")
    new_refresh = answer.get("refresh_token")
    refresh = new_refresh if isinstance(new_refresh, str) and new_refresh else previous_refresh
    expires_at = _expiry(store.now(), answer.get("expires_in"))
    store.write(client_id, StoredTokens(refresh, token, expires_at, token_url))
    return token, refresh


def _expiry(now: float, expires_in: Any) -> float | None:
    """When the access token expires, or None (asked again on a 401) for an `expires_in`
    that is not a sensible number of seconds (a string, a boolean, negative, NaN, 10**400)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return None
    if not 0 < expires_in <= 366 * 86400:  # also False for NaN
        return None
    return now + float(expires_in)


def run_hook(command: str, secret: str) -> None:
    """Give `secret` to `command` on standard input (e.g. `gh secret set CTCT_REFRESH_TOKEN`)."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            input=secret + "\n",
            text=True,
            capture_output=True,
            timeout=HOOK_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuthError(
            f"CTCT_ON_TOKEN_ROTATED failed ({type(exc).__name__}); the new refresh token is "
            "in the credential store only: copy it to your secret store before the next run"
        ) from None
    if done.returncode != 0:
        raise AuthError(
            f"CTCT_ON_TOKEN_ROTATED exited {done.returncode}; the new refresh token is in the "
            "credential store only: copy it to your secret store before the next run"
        )


class PartnerAuth:
    """x-api-key plus a bearer token from the partner client-credentials grant (lazy). The
    token is a 1-hour JWT that cannot be refreshed: a 401 asks for a new one."""

    def __init__(self, config: ClientConfig, tokens: TokenEndpoint) -> None:
        self._config = config
        self._tokens = tokens
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
        try:
            answer = self._tokens.client_credentials()
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise AuthError(f"{self._config.partner_token_url} gave no access_token")
        except AuthError as exc:
            self._state.failure = exc
            raise
        self._state = _TokenState(token=token, generation=self._state.generation + 1)
