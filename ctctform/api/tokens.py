"""Requests to the OAuth endpoints: refresh, client credentials, device authorization.

Paced (the token endpoint takes 1 request/second) and retried like API calls, but counted
as token requests, not API requests. Confidential clients authenticate with HTTP Basic;
public clients (PKCE, device flow) have no secret and send `client_id` in the form instead
(DESIGN §4 "Refresh tokens"). OAuth errors come back as `OAuthError` with the RFC 6749 /
RFC 8628 `error` code, so callers can act on `invalid_grant` or `authorization_pending`.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import httpx

from ctctform.api.config import ClientConfig
from ctctform.api.errors import ApiError, AuthError, parse_body, reason_phrase
from ctctform.api.redact import REDACTOR, redact
from ctctform.api.stats import Stats
from ctctform.api.transport import Call, Gate, Transport

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def header_safe(token: str) -> bool:
    """Printable ASCII only: a token goes into an Authorization header as it is."""
    return bool(token) and all(0x21 <= ord(c) <= 0x7E for c in token)


class OAuthError(AuthError):
    """The token endpoint refused a grant; `error` is the OAuth error code."""

    def __init__(self, message: str, error: str, status: int, retried: bool = False) -> None:
        super().__init__(message)
        self.error = error
        self.status = status
        self.retried = retried  # an earlier attempt got no answer: it may have taken effect


class TokenEndpoint:
    def __init__(self, transport: Transport, config: ClientConfig, stats: Stats) -> None:
        self._transport = transport
        self._config = config
        self._stats = stats
        self._gate = Gate()  # token requests are never what a stopped apply holds back

    # -- grants ------------------------------------------------------------------------------

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._client_grant(self._config.token_url, form)

    def device_authorize(self) -> dict[str, Any]:
        cfg = self._config
        assert cfg.client_id
        form = {"client_id": cfg.client_id, "scope": cfg.scope}
        return self.post(cfg.device_auth_url, form, {})

    def device_token(self, device_code: str) -> dict[str, Any]:
        assert self._config.client_id
        form = {
            "grant_type": DEVICE_GRANT,
            "device_code": device_code,
            "client_id": self._config.client_id,
        }
        return self.post(self._config.token_url, form, {})

    def client_credentials(self) -> dict[str, Any]:
        cfg = self._config
        assert cfg.partner_client_id and cfg.partner_client_secret
        # partners_auth.html: the request "uses basic authentication (base64 encoded) to pass
        # data as query parameters (the body of the request is empty)", with the Content-Type
        # header application/x-www-form-urlencoded (without it: 415).
        headers = {
            **_basic(cfg.partner_client_id, cfg.partner_client_secret),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        query = {"grant_type": "client_credentials"}
        return self.post(cfg.partner_token_url, {}, headers, query)

    def _client_grant(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        cfg = self._config
        assert cfg.client_id
        if cfg.client_secret:
            return self.post(url, form, _basic(cfg.client_id, cfg.client_secret))
        # A public client has no secret: it identifies itself in the form body, no Basic.
        return self.post(url, {**form, "client_id": cfg.client_id}, {})

    # -- the request -------------------------------------------------------------------------

    def post(
        self,
        url: str,
        form: dict[str, str],
        headers: dict[str, str],
        query: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST a form to an OAuth endpoint: the parsed JSON answer, or an AuthError."""
        path = urlsplit(url).path
        call = Call("POST", path, "POST", url, params=query, form=form, idempotent=True)
        try:
            response, retried = self._transport.attempts(
                call,
                lambda: headers,
                lambda _status, _retry: self._stats.record_token_request(),
                self._gate,
                token=True,
            )
        except ApiError as exc:
            raise AuthError(f"the token endpoint {url} failed: {exc.message}") from None
        return self._answer(url, response, retried)

    def _answer(self, url: str, response: httpx.Response, retried: bool) -> dict[str, Any]:
        answer = parse_body(response.content)
        if response.is_success:
            if not isinstance(answer, dict):
                raise AuthError(f"{url} answered {response.status_code} without a JSON object")
            texts = [answer.get(k) for k in ("access_token", "refresh_token", "device_code")]
            REDACTOR.add(*(t for t in texts if isinstance(t, str)))
            for key in ("access_token", "refresh_token"):
                value = answer.get(key)
                if value not in (None, "") and not (isinstance(value, str) and header_safe(value)):
                    raise AuthError(
                        f"{url} answered a {key} that is not a token (not text, or characters "
                        "an HTTP header cannot carry)"
                    )
            return answer
        error, words = _oauth_error(answer)
        status = f"{response.status_code} {reason_phrase(response.status_code)}"
        message = f"{url} refused the request ({status})" + (f": {words}" if words else "")
        raise OAuthError(redact(message), error, response.status_code, retried)


def _basic(user: str, password: str) -> dict[str, str]:
    REDACTOR.add_pair(user, password)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _oauth_error(answer: Any) -> tuple[str, str]:
    if not isinstance(answer, dict):
        return "", ""
    error, description = answer.get("error"), answer.get("error_description")
    parts = [str(p) for p in (error, description) if p]
    return (error if isinstance(error, str) else ""), ": ".join(parts)[:300]
