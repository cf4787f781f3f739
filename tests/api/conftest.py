"""Fixtures for the API client tests: a real sandbox over HTTP and fast client settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ctctform.api import Client
from ctctform.kinds import api_routes
from ctctform.sandbox import Sandbox

from .helpers import CLIENT_ACCOUNT, sandbox_config


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    seed = {"accounts": [{"encoded_account_id": CLIENT_ACCOUNT, "organization_name": "Zeno"}]}
    with Sandbox(port=0, seed=seed) as sandbox:
        yield sandbox


@pytest.fixture
def notices() -> list[str]:
    return []


@pytest.fixture
def make_client(sb: Sandbox, notices: list[str]) -> Iterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(**overrides: Any) -> Client:
        client = Client(sandbox_config(sb, **overrides), notice=notices.append, routes=api_routes())
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()
