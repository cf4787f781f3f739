"""`ctctform login`, `logout` and `whoami`: credentials kept in the store (DESIGN §7)."""

from __future__ import annotations

import json
import webbrowser
from typing import Any

import click

from ctctform.api import device
from ctctform.api.auth import save_answer
from ctctform.api.errors import AuthError
from ctctform.cli.app import fail, guarded, in_ci, main, out
from ctctform.cli.options import Session, client_config, connection_options, open_client


@main.command()
@click.option("--no-browser", is_flag=True, help="Print the sign-in address; do not open it.")
@click.option("--api-url", help="API base URL [env CTCT_API_URL].")
@guarded
def login(no_browser: bool, api_url: str | None) -> None:
    """Sign in from the terminal (OAuth2 device flow) and store the refresh token."""
    config = client_config({"api_url": api_url})
    if not config.client_id:
        fail("login needs the app's client id: set CTCT_CLIENT_ID (a device-flow app's API key)")
    if config.access_token:
        fail("CTCT_ACCESS_TOKEN is set and would win over the stored login; unset it first")
    if config.client_secret:
        # The device flow is for public apps (no secret). With a secret set, every later
        # refresh would send it, and a public app's refreshes are refused (invalid_client).
        fail(
            "login signs in a public app (device flow), which has no client secret: unset "
            "CTCT_CLIENT_SECRET (a confidential app uses CTCT_REFRESH_TOKEN instead)"
        )
    client = open_client(config)
    try:
        client.store.check_writable()
        code = device.start(client.tokens)
        url = code.verification_uri_complete or code.verification_uri
        out(f"To sign in to Constant Contact, open {url}", err=True)
        out(
            f"and confirm the code {code.user_code} (it expires in {code.expires_in:.0f}s).",
            err=True,
        )
        if not no_browser and not in_ci():
            webbrowser.open(url)
        answer = device.wait(client.tokens, code, sleep=client.sleep)
        if not isinstance(answer.get("refresh_token"), str):
            raise AuthError(
                "the login gave no refresh token (the app must allow offline_access); "
                "nothing was stored"
            )
        with client.store.locked():
            save_answer(client.store, config.client_id, config.token_url, answer, None)
        summary = client.account_summary()
    finally:
        client.close()
    out(
        f"Logged in to {summary.get('organization_name') or 'the account'} "
        f"({summary['encoded_account_id']}); credentials stored in {client.store.path}."
    )


@main.command()
@guarded
def logout() -> None:
    """Forget the stored credentials of this client id (CTCT_CLIENT_ID)."""
    config = client_config({})
    client = open_client(config)
    client_id = client.config.client_id
    client.close()
    if not client_id:
        # No CTCT_CLIENT_ID and not exactly one client in the store to mean.
        stored = sorted(client.store.clients())
        if stored:
            fail(
                f"{client.store.path} holds the credentials of {len(stored)} clients "
                f"({', '.join(stored)}): set CTCT_CLIENT_ID to the one to forget"
            )
        out(f"No credentials are stored in {client.store.path}.")
        return
    if client.store.forget(client_id):
        out(f"Removed the stored credentials of client {client_id} from {client.store.path}.")
    else:
        out(f"No credentials of client {client_id} are stored in {client.store.path}.")


@main.command()
@connection_options
@click.option("--json", "json_out", is_flag=True, help="Print the account summary as JSON.")
@guarded
def whoami(json_out: bool, **kw: Any) -> None:
    """Print the account the credentials open: organization and encoded account id."""
    session = Session(kw)
    try:
        summary = session.client.account_summary()
    finally:
        session.close()
    if json_out:
        keys = ("encoded_account_id", "organization_name", "contact_email", "country_code")
        out(json.dumps({k: summary.get(k) for k in keys}, indent=2))
        return
    name = summary.get("organization_name") or "(no organization name)"
    out(f"{name} ({summary['encoded_account_id']})")
