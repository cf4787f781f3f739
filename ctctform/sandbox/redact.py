"""Secrets out of the verbose request log: query values that are, or may be, credentials.

Clients put tokens in query strings more often than they should (the API guide's own device
flow example sends `device_code` that way), so `-v` never prints such values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import unquote, unquote_plus, urlencode

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "device_code",
        "code",
        "password",
        "token",
        "api_key",
        "x-api-key",
    }
)
MASK = "REDACTED"


def redact_query(pairs: Iterable[tuple[str, str]], is_secret: Callable[[str], bool]) -> str:
    """The query string with secret values masked, URL-encoded as it is printed.

    A value is masked when its parameter is a known secret one, or when the value (as sent,
    or URL-decoded once more) is a configured credential or a token the sandbox issued.
    """
    shown = []
    for key, value in pairs:
        decoded = {value, unquote(value), unquote_plus(value)}
        if key.lower() in SECRET_PARAMS or any(is_secret(v) for v in decoded if v):
            value = MASK
        shown.append((key, value))
    return urlencode(shown)
