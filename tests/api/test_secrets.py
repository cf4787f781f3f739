"""No secret ever shows up: not in exceptions (with their causes), notices, logs, output,
reprs or stats — on success paths and on every failure path."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import pytest

from ctctform.api import Client, ClientConfig
from ctctform.errors import CtctformError
from ctctform.sandbox import Sandbox

from .helpers import FAST, live_refresh_tokens, revoke_issued_tokens

ACCOUNT = "a08e1izvh8t9"
SERVER_SECRETS = {
    "token": "AT-5ecret-static-Q7",
    "api_key": "AK-5ecret-apikey-Q7",
    "client_secret": "CS-5ecret-client-Q7",
    "refresh_token": "RT-5ecret-refresh-Q7",
    "partner_client_secret": "PS-5ecret-partner-Q7",
}
WRONG = ("CS-wr0ng-client-Q7", "RT-wr0ng-refresh-Q7", "PS-wr0ng-partner-Q7", "AT-wr0ng-Q7")


def config_for(sb: Sandbox, **changes) -> ClientConfig:
    return ClientConfig.from_env(sb.env(), **FAST).replace(**changes)


def test_secrets_never_leak(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture, tmp_path
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx/httpcore/tenacity/ctctform, everything
    captured: list[str] = []
    notices: list[str] = []

    def attempt(action: Callable[[], object]) -> None:
        try:
            action()
        except CtctformError as exc:
            captured.extend([str(exc), repr(exc), *map(str, exc.args)])
            captured.append("".join(traceback.format_exception(exc)))

    seed = {"accounts": [{"encoded_account_id": ACCOUNT}], "tags": [{"name": "Dup"}]}
    with Sandbox(port=0, seed=seed, rotate_refresh_tokens=True, **SERVER_SECRETS) as sb:
        # Success paths: start-up refresh (rotating), reads, writes, 401 refresh, partner.
        good = config_for(sb, access_token=None)
        with Client(good, notice=notices.append) as client:
            client.get("/contact_tags")
            client.request("POST", "/contact_lists", json={"name": "L"})
            revoke_issued_tokens(sb)
            client.get("/contact_tags")
            client.partner_accounts()
            client.for_account(ACCOUNT).paginate("/contact_tags", "tags")
            attempt(lambda: client.request("POST", "/contact_tags", json={"name": "Dup"}))
            proxy = client.for_account(ACCOUNT)
            attempt(lambda: proxy.request("GET", "/contact_tags/nope"))
            sb.faults.drop_after_commit = 1
            attempt(lambda: client.request("POST", "/contact_tags", json={"name": "Drop"}))
            captured += [repr(good), str(good), repr(client), str(client.stats.as_dict())]
        # Failure paths, each with a distinctive wrong secret.
        # (each with its own credential store, so nothing stored earlier stands in for them)
        failures = [
            config_for(sb, access_token=None, client_secret=WRONG[0]),
            config_for(sb, access_token=None, refresh_token=WRONG[1]),
            config_for(sb, access_token=WRONG[3], client_id=None),
        ]
        failures = [
            c.replace(credentials_file=tmp_path / f"store-{i}.json") for i, c in enumerate(failures)
        ]
        for config in failures:
            with Client(config, notice=notices.append) as client:
                attempt(lambda c=client: c.get("/contact_lists"))
        with Client(config_for(sb, partner_client_secret=WRONG[2])) as client:
            attempt(client.partner_accounts)
        with Client(config_for(sb, partner_api_key=None)) as client:
            attempt(client.partner_accounts)
        issued = live_refresh_tokens(sb) | set(sb._state.tokens.access_tokens)
        issued |= set(sb._state.tokens.partner_tokens)
    out, err = capfd.readouterr()
    haystack = "\n".join([*captured, *notices, caplog.text, out, err])
    # The paths above really produced text, logs included.
    for expected in ("invalid_grant", "invalid_client", "409 Conflict", "may have been applied"):
        assert expected in haystack
    assert "HTTP Request: POST" in caplog.text and notices
    secrets = {*SERVER_SECRETS.values(), *WRONG, *issued}
    leaked = sorted(s for s in secrets if s in haystack)
    assert leaked == []


@pytest.mark.parametrize("secret", ['Fleet"pa55\\word', "p<a>ss&w0rd'", "pässwörd-ünï"])
def test_every_encoded_form_of_a_secret_is_masked(secret: str) -> None:
    """A secret echoed back inside JSON (once, or JSON quoted again in a report), in a URL,
    in HTTP Basic, or on an HTML page is masked like the plain value."""
    import base64
    import html
    import json
    from urllib.parse import quote

    from ctctform.api.redact import Redactor

    redactor = Redactor()
    redactor.add_pair("fleet-user", secret)
    once = json.dumps(secret)[1:-1]
    forms = [
        secret,
        once,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(once)[1:-1],
        json.dumps({"error_message": f'body {{"password": "{once}"}}'}),
        quote(secret, safe=""),
        base64.b64encode(f"fleet-user:{secret}".encode()).decode(),
        html.escape(secret),
        html.escape(once),
    ]
    for form in forms:
        masked = redactor.redact(f"before {form} after")
        assert "pa55" not in masked and "ss&" not in masked and "wörd" not in masked, masked
        assert masked.startswith("before ") and masked.endswith(" after"), masked
