"""The Constant Contact v3 API client: auth, pacing, retries, paging, activities, partner proxy.

from ctctform.api import Client, ClientConfig
with Client(ClientConfig.from_env(os.environ), routes=kinds.api_routes()) as client:
    lists = client.paginate("/contact_lists", "lists", 1000)
"""

from ctctform.api.client import Client
from ctctform.api.config import ClientConfig
from ctctform.api.credentials import CredentialStore, StoredTokens
from ctctform.api.errors import (
    ActivityError,
    AmbiguousWriteError,
    AnswerError,
    ApiError,
    AuthError,
    CredentialStoreError,
    Halted,
    QuotaError,
    is_systemic,
)
from ctctform.api.partner import AccountProxy
from ctctform.api.routes import Routes
from ctctform.api.stats import Stats

__all__ = [
    "AccountProxy",
    "ActivityError",
    "AmbiguousWriteError",
    "AnswerError",
    "ApiError",
    "AuthError",
    "Client",
    "ClientConfig",
    "CredentialStore",
    "CredentialStoreError",
    "Halted",
    "QuotaError",
    "Routes",
    "Stats",
    "StoredTokens",
    "is_systemic",
]
