"""ClientConfig: defaults, environment, overrides, validation, and a repr without secrets."""

from __future__ import annotations

import pytest

from ctctform.api import ClientConfig
from ctctform.api.config import DEFAULT_API_URL, DEFAULT_PARTNER_TOKEN_URL, DEFAULT_TOKEN_URL
from ctctform.errors import ConfigError

SECRETS = {
    "CTCT_ACCESS_TOKEN": "AT-zq81-secret-access",
    "CTCT_CLIENT_SECRET": "CS-zq82-secret-client",
    "CTCT_REFRESH_TOKEN": "RT-zq83-secret-refresh",
    "CTCT_PARTNER_API_KEY": "AK-zq84-secret-apikey",
    "CTCT_PARTNER_CLIENT_SECRET": "PS-zq85-secret-partner",
}


def test_defaults_without_environment() -> None:
    config = ClientConfig.from_env({})
    assert config.api_url == DEFAULT_API_URL
    assert config.token_url == DEFAULT_TOKEN_URL
    assert config.partner_token_url == DEFAULT_PARTNER_TOKEN_URL
    assert config.rate_limit == 4
    assert config.max_attempts == 6
    assert config.max_retry_time == 120
    assert config.access_token is None


def test_environment_is_read() -> None:
    env = {
        "CTCT_API_URL": "http://127.0.0.1:9/v3",
        "CTCT_CLIENT_ID": "cid",
        "CTCT_TOKEN_URL": "http://127.0.0.1:9/token",
        "CTCT_PARTNER_CLIENT_ID": "pid",
        "CTCT_PARTNER_TOKEN_URL": "http://127.0.0.1:9/ptoken",
        "CTCT_RATE_LIMIT": "2.5",
        "CTCT_CREDENTIALS_FILE": "/tmp/creds.json",
        "CTCT_ON_TOKEN_ROTATED": "gh secret set CTCT_REFRESH_TOKEN",
    } | SECRETS
    config = ClientConfig.from_env(env)
    assert config.api_url == "http://127.0.0.1:9/v3"
    assert config.access_token == SECRETS["CTCT_ACCESS_TOKEN"]
    assert config.client_id == "cid"
    assert config.client_secret == SECRETS["CTCT_CLIENT_SECRET"]
    assert config.refresh_token == SECRETS["CTCT_REFRESH_TOKEN"]
    assert config.token_url == "http://127.0.0.1:9/token"
    assert config.partner_api_key == SECRETS["CTCT_PARTNER_API_KEY"]
    assert config.partner_client_id == "pid"
    assert config.partner_client_secret == SECRETS["CTCT_PARTNER_CLIENT_SECRET"]
    assert config.partner_token_url == "http://127.0.0.1:9/ptoken"
    assert config.rate_limit == 2.5
    assert config.credentials_file == "/tmp/creds.json"
    assert config.on_token_rotated == "gh secret set CTCT_REFRESH_TOKEN"


def test_partner_keys_are_paced_at_four_until_the_user_says_the_key_was_raised() -> None:
    # Constant Contact raises a partner key to 10/s only on request (DESIGN §4).
    assert ClientConfig.from_env({"CTCT_PARTNER_API_KEY": "k"}).rate_limit == 4
    raised = {"CTCT_PARTNER_API_KEY": "k", "CTCT_RATE_LIMIT": "10"}
    assert ClientConfig.from_env(raised).rate_limit == 10


@pytest.mark.parametrize(
    "url",
    ["https://user:secret@api.example/v3", "https://user:sec/ret@api.example/v3"],
)
def test_an_api_url_with_credentials_is_refused_without_repeating_them(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ClientConfig.from_env({"CTCT_API_URL": url})
    assert "secret" not in str(caught.value) and "sec/ret" not in str(caught.value)
    assert "***@api.example" in str(caught.value)


def test_overrides_win_over_environment_and_none_means_not_given() -> None:
    env = {"CTCT_API_URL": "http://a.example/v3", "CTCT_RATE_LIMIT": "2"}
    config = ClientConfig.from_env(env, api_url="http://b.example/v3", rate_limit=None, timeout=5)
    assert config.api_url == "http://b.example/v3"
    assert config.rate_limit == 2
    assert config.timeout == 5


def test_empty_environment_values_count_as_unset() -> None:
    config = ClientConfig.from_env({"CTCT_API_URL": "", "CTCT_ACCESS_TOKEN": "  "})
    assert config.api_url == DEFAULT_API_URL
    assert config.access_token is None


@pytest.mark.parametrize("raw", ["fast", "0", "-1"])
def test_bad_rate_limit_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="CTCT_RATE_LIMIT"):
        ClientConfig.from_env({"CTCT_RATE_LIMIT": raw})


def test_bad_url_and_bad_numbers_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="api_url"):
        ClientConfig.from_env({"CTCT_API_URL": "api.cc.email/v3"})
    with pytest.raises(ConfigError, match="max_attempts"):
        ClientConfig(max_attempts=0)
    with pytest.raises(ConfigError, match="timeout"):
        ClientConfig(timeout=0)


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(TypeError, match="colour"):
        ClientConfig.from_env({}, colour="blue")


def test_repr_and_str_hide_every_secret() -> None:
    config = ClientConfig.from_env(SECRETS | {"CTCT_CLIENT_ID": "visible-client-id"})
    for text in (repr(config), str(config), f"{config}", repr([config])):
        for secret in SECRETS.values():
            assert secret not in text
        assert "access_token=<set>" in text
        assert "visible-client-id" in text
    assert "access_token=None" in repr(ClientConfig())
