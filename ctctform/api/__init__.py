"""The Constant Contact v3 API client: auth, pacing, retries, paging, activities, partner proxy.

from ctctform.api import Client, ClientConfig
with Client(ClientConfig.from_env(os.environ)) as client:
    lists = client.paginate("/contact_lists", "lists")
"""

from ctctform.api.client import Client
from ctctform.api.config import ClientConfig
from ctctform.api.errors import ActivityError, AmbiguousWriteError, ApiError, AuthError
from ctctform.api.paging import PAGE_LIMITS
from ctctform.api.partner import AccountProxy
from ctctform.api.stats import Stats

__all__ = [
    "PAGE_LIMITS",
    "AccountProxy",
    "ActivityError",
    "AmbiguousWriteError",
    "ApiError",
    "AuthError",
    "Client",
    "ClientConfig",
    "Stats",
]
