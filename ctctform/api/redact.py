"""Secrets never reach output: one redactor for the whole process, fed every secret ctctform
holds (configured tokens, keys and client secrets; tokens the token endpoints hand out;
provisioning passwords), masking them in plain, URL-encoded, base64 (HTTP Basic), JSON- and
HTML-escaped form, and any credentials written inside a URL.

Output paths (the CLI's echo, error messages, log records, reports) pass their text through
`redact`; the API client also redacts what a server echoes back in an error.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
# Shorter values are too likely to be ordinary text (and no real token, key or secret is
# that short): the sandbox's well-known default `sandbox` must not mask every mention of it.
MIN_SECRET = 8
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@]+(?::[^\s@]*)?@")


class Redactor:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._variants: list[str] = []

    def add(self, *secrets: str | None) -> None:
        """Remember secrets (None and short values are ignored)."""
        with self._lock:
            fresh = [s for s in secrets if s and len(s) >= MIN_SECRET and s not in self._secrets]
            if not fresh:
                return
            self._secrets.update(fresh)
            self._variants = _variants(self._secrets)

    def add_pair(self, user: str | None, password: str | None) -> None:
        """An HTTP Basic pair: `base64(user:password)` is a secret too."""
        self.add(password)
        if user and password:
            self.add(base64.b64encode(f"{user}:{password}".encode()).decode())

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
        for variant in self._variants:  # longest first, so a variant never leaves a tail
            if variant in text:
                text = text.replace(variant, MASK)
        return text

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._variants = []


def _escaped(secret: str) -> set[str]:
    """The forms a secret takes inside JSON text (once, and again when JSON holding it is
    itself quoted, as a server's echoed body in a report is) and inside HTML."""
    once = json.dumps(secret)[1:-1]
    return {
        once,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(once)[1:-1],
        html.escape(secret),
        html.escape(once),
    }


def _escaped_more(secret: str) -> set[str]:
    """JSON as other encoders write it (`\\/` for `/`; Go's `\\u0026` for `&`, `<`, `>`) and
    Python's own repr of the text and of its bytes (an HTTP library's "illegal header value
    b'...'" shows a control character as `\\x0b`)."""
    once = json.dumps(secret)[1:-1]
    go = once.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return {once.replace("/", "\\/"), go, repr(secret)[1:-1], repr(secret.encode())[2:-1]}


def _url_encoded(secret: str) -> set[str]:
    """Percent-encoded as the common encoders do it (`/` kept or not, `+` for spaces), in
    either case of hex digits (RFC 3986: the same), and twice."""
    forms = {
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret, safe=""),
        quote_plus(secret, safe="/"),
        quote(quote(secret, safe=""), safe=""),
    }
    return forms | {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in forms}


def _variants(secrets: Iterable[str]) -> list[str]:
    out: set[str] = set()
    for secret in secrets:
        raw = secret.encode()
        out |= _escaped(secret) | _escaped_more(secret) | _url_encoded(secret)
        out |= {
            secret,
            base64.b64encode(raw).decode(),
            base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }
    return sorted((v for v in out if len(v) >= MIN_SECRET), key=len, reverse=True)


REDACTOR = Redactor()


def redact(text: str) -> str:
    return REDACTOR.redact(text)
