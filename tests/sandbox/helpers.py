"""Plain helpers for the sandbox tests."""

from __future__ import annotations

import httpx

from ctctform.sandbox import Sandbox

AUTH = {"Authorization": "Bearer sandbox"}
PARTNER_AUTH = {"Authorization": "Bearer sandbox", "x-api-key": "sandbox"}
# The 429 bodies the API guide documents: an object, not the error array.
THROTTLED = {
    "error_key": "throttled",
    "error_message": "Too many requests. You exceeded the request rate limit.",
}
QUOTA_EXCEEDED = {"error_key": "quota_exceeded", "error_message": "Limit Exceeded"}

# No TLS on loopback: verify=False skips loading CA certificates (60 ms per client).
plain = httpx.Client(verify=False, timeout=10)


def client_for(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Client:
    headers = AUTH if headers is None else headers
    return httpx.Client(base_url=sb.base_url, headers=headers, verify=False, timeout=10)


def assert_api_error(response: httpx.Response, status: int, contains: str = "") -> None:
    """The status, and a body in the API's error shape (APIErrorSchema) mentioning `contains`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body, body
    for item in body:
        assert set(item) == {"error_key", "error_message"}
        assert isinstance(item["error_key"], str) and isinstance(item["error_message"], str)
    if contains:
        assert any(contains in item["error_message"] for item in body), body


def href_path(href: str) -> str:
    """`/v3/contact_lists?...` -> `/contact_lists?...` for a client whose base is /v3."""
    assert href.startswith("/v3/"), href
    return href.removeprefix("/v3")
