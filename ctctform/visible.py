"""Text from an account or a manifest, made safe to print: names are data, and a name holding
an escape sequence, a carriage return or a bidirectional override must not redraw a
terminal, forge a log line or break a Markdown table. Such characters are shown escaped."""

from __future__ import annotations

import re

# C0 and C1 controls (newline and tab included: a name is one line), DEL, the Unicode line
# and paragraph separators, and the bidirectional embeddings, overrides and isolates.
_ODD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`Line1\\nFake` -> `Line1\\u000aFake`: every odd character as a visible escape."""
    return _ODD.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
