"""The one way ctctform talks to Constant Contact: auth, pacing, retries, paging, activities."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from ctctform.api import activities
from ctctform.api.auth import AccountAuth, Auth, Notice, PartnerAuth
from ctctform.api.config import ClientConfig
from ctctform.api.credentials import CredentialStore
from ctctform.api.errors import AnswerError, ApiError, AuthError, QuotaError
from ctctform.api.methods import ApiMethods, is_idempotent
from ctctform.api.partner import AccountProxy, partner_accounts
from ctctform.api.redact import REDACTOR
from ctctform.api.routes import Routes
from ctctform.api.scope import Scope
from ctctform.api.stats import Stats
from ctctform.api.tokens import TokenEndpoint
from ctctform.api.transport import Call, Gate, Params, Transport, answer_words

log = logging.getLogger("ctctform.api")


class Client(ApiMethods):
    """Thread-safe Constant Contact v3 client; share one per run."""

    def __init__(
        self,
        config: ClientConfig,
        notice: Notice | None = None,
        *,
        routes: Routes | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        store: CredentialStore | None = None,
    ) -> None:
        REDACTOR.add(*config.secrets)
        REDACTOR.add_pair(config.client_id, config.client_secret)
        REDACTOR.add_pair(config.partner_client_id, config.partner_client_secret)
        assert config.credentials_file is not None  # ClientConfig fills in the default
        self.store = store or CredentialStore(config.credentials_file)
        config = _with_stored_login(config, self.store)
        self.config = config
        self.routes = routes or Routes()
        self.stats = Stats(routes=self.routes)
        self.gate = Gate()
        self.notice = notice or (lambda message: log.warning("%s", message))
        self._sleep_fn = sleep
        base = config.api_url.rstrip("/")
        parts = urlsplit(base)
        self._base = base
        self.base_path = parts.path.rstrip("/")
        self._host = f"{parts.scheme}://{parts.netloc}"
        self.transport = Transport(config, transport=transport, sleep=sleep)
        self.tokens = TokenEndpoint(self.transport, config, self.stats)
        self._account_auth = AccountAuth(config, self.tokens, self.store, self.notice)
        self._partner_auth = PartnerAuth(config, self.tokens)

    # -- public interface -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one request; parsed JSON, or None for an empty answer (204).

        `path` is relative to the API base (`/contact_lists`). POSTs are not idempotent
        unless the caller says so.
        """
        return self.execute(
            self.call_for(method, path, json, params, idempotent), self.stats, self.gate
        )

    def call_for(
        self, method: str, path: str, json: Any, params: Params, idempotent: bool | None
    ) -> Call:
        """A request to this client's own API base (not wrapped for a client account)."""
        method = method.upper()
        label = path.split("?", 1)[0]
        return Call(
            method=method,
            path=label,
            wire_method=method,
            url=self.url_for(path),
            body=json,
            params=params,
            idempotent=is_idempotent(method, idempotent),
            partner=label.startswith("/partner/"),
        )

    def partner_accounts(self, account_type: str | None = "managed") -> list[dict[str, Any]]:
        """The partner's client accounts (`GET /partner/accounts`, offset paging, ≤50 a page).

        `managed` by default: only managed accounts can be operated (DESIGN §4).
        """
        return partner_accounts(self, account_type)

    def for_account(self, encoded_account_id: str) -> AccountProxy:
        """The same interface, sent on behalf of a client account through the partner API."""
        return AccountProxy(self, encoded_account_id)

    def scoped(self) -> Scope:
        """The same interface, its requests counted apart (and rolled up into this one's)."""
        return Scope(self)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(api_url={self.config.api_url!r}, rate_limit={self.config.rate_limit})"

    # -- shared with the partner proxy ------------------------------------------------------

    def url_for(self, path: str) -> str:
        return self._base + (path if path.startswith("/") else "/" + path)

    def poll_settings(self) -> activities.PollSettings:
        c = self.config
        return activities.PollSettings(
            c.activity_poll_initial, c.activity_poll_max, c.activity_timeout
        )

    def sleep(self, seconds: float) -> None:
        self._sleep_fn(seconds)

    def execute(self, call: Call, stats: Stats, gate: Gate) -> Any:
        """Send `call` with retries; on a 401 refresh the token once and try once more."""
        auth: Auth = self._partner_auth if call.partner else self._account_auth
        try:
            response, maybe_applied, generation = self._send(call, auth, stats, gate)
            if response.status_code == 401:
                auth.refresh(generation, call.where)
                response, maybe_applied, _ = self._send(call, auth, stats, gate)
                if response.status_code == 401:
                    detail = answer_words(response)
                    raise AuthError(
                        f"credentials rejected: 401 Unauthorized on {call.where}"
                        + (f": {detail}" if detail else "")
                    )
        except (QuotaError, AuthError) as exc:
            # The key or the credentials, not this account or resource: nothing else can
            # succeed, so the whole run stops starting requests.
            self.gate.halt(str(exc).splitlines()[0])
            raise
        if response.status_code == 404 and call.method == "DELETE" and maybe_applied:
            # An earlier attempt probably deleted it and its answer was lost: gone is the goal.
            log.info("%s: 404 after a retried delete; treating it as deleted", call.where)
            return None
        if response.is_error:
            raise ApiError(
                response.status_code, call.method, call.path, answer_words(response),
                account=call.account,
            )  # fmt: skip
        return _parse(call, response)

    def _send(
        self, call: Call, auth: Auth, stats: Stats, gate: Gate
    ) -> tuple[httpx.Response, bool, int]:
        generation = 0

        def headers() -> dict[str, str]:
            nonlocal generation
            values, generation = auth.headers()
            return values

        def record(status: int | None, retry: bool) -> None:
            stats.record(call.method, call.path, retry=retry, status=status)

        response, maybe_applied = self.transport.attempts(
            call, headers, record, gate, stats.set_note
        )
        return response, maybe_applied, generation


def _parse(call: Call, response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return response.json()
    except RecursionError:
        raise AnswerError(f"{call.where}: the answer is nested too deep to be real") from None
    except ValueError:
        raise AnswerError(
            f"{call.where}: the answer ({response.status_code}) is not JSON"
        ) from None


def _with_stored_login(config: ClientConfig, store: CredentialStore) -> ClientConfig:
    """After `ctctform login`, a run needs no settings but the API URL: with no access token
    and no client id given, the store's only client (and its token URL) is used."""
    if config.access_token or config.client_id or not store.path.exists():
        return config
    clients = store.clients()  # a damaged store is an error: it is what this run relies on
    if len(clients) != 1:
        return config
    ((client_id, entry),) = clients.items()
    token_url = entry.get("token_url") or config.token_url
    return config.replace(client_id=client_id, token_url=token_url)
