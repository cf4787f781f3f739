#!/usr/bin/env python3
"""Post a plan as ONE pull-request comment, updated in place by later runs.

    comment.py --key KEY --markdown FILE [--footer TEXT]

The comment starts with a hidden marker, `<!-- ctctform-plan:KEY -->`. The pull request's
comments are read page by page (following the `Link: rel="next"` header) to find the first one
carrying the marker: it is PATCHed; when none does, a new comment is POSTed. Prints the
comment's URL. Only the standard library, so it runs on any runner with a Python.

Environment: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), CTCTFORM_PR (the pull request
number), GITHUB_API_URL (default https://api.github.com).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# GitHub refuses comment bodies over 65,536 characters; leave room for the marker and footer.
MAX_BODY = 60_000
LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def marker(key: str) -> str:
    return f"<!-- ctctform-plan:{key} -->"


def truncate(markdown: str, limit: int = MAX_BODY) -> str:
    """At most `limit` characters, closing a code fence or <details> the cut leaves open."""
    if len(markdown) <= limit:
        return markdown
    cut = markdown[:limit].rsplit("\n", 1)[0]
    if sum(1 for line in cut.splitlines() if line.startswith("```")) % 2:
        cut += "\n```"
    if cut.count("<details>") > cut.count("</details>"):
        cut += "\n\n</details>"
    return (
        cut
        + f"\n\n_The plan is longer than a comment can be; {len(markdown) - len(cut):,} characters are left out. The job's summary has all of it._\n"
    )


def body(key: str, markdown: str, footer: str = "") -> str:
    parts = [marker(key), truncate(markdown.rstrip("\n"))]
    if footer:
        parts.append(f"<sub>{footer}</sub>")
    return "\n\n".join(parts) + "\n"


class GitHub:
    def __init__(self, api_url: str, token: str, repository: str) -> None:
        self.api = api_url.rstrip("/")
        self.token = token
        self.repo = repository

    def request(self, method: str, url: str, payload: Any = None) -> tuple[Any, dict[str, str]]:
        if not url.startswith(("http://", "https://")):
            url = self.api + url
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", "ctctform-action")
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return (json.loads(text) if text else None), dict(resp.headers.items())

    def comments(self, pr: int) -> list[dict[str, Any]]:
        """Every comment of the pull request, following the pages."""
        out: list[dict[str, Any]] = []
        url: str | None = f"/repos/{self.repo}/issues/{pr}/comments?per_page=100"
        while url:
            page, headers = self.request("GET", url)
            out.extend(page)
            found = LINK_NEXT.search(headers.get("Link", "") or headers.get("link", ""))
            url = found.group(1) if found else None
        return out

    def upsert(self, pr: int, key: str, text: str) -> dict[str, Any]:
        mark = marker(key)
        for comment in self.comments(pr):
            if mark in (comment.get("body") or ""):
                path = f"/repos/{self.repo}/issues/comments/{comment['id']}"
                return self.request("PATCH", path, {"body": text})[0]
        return self.request("POST", f"/repos/{self.repo}/issues/{pr}/comments", {"body": text})[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", required=True, help="what the plan is of (path or fleet)")
    parser.add_argument("--markdown", required=True, type=Path, help="the plan's Markdown")
    parser.add_argument("--footer", default="", help="a line under the plan")
    args = parser.parse_args(argv)
    env = os.environ
    missing = [v for v in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "CTCTFORM_PR") if not env.get(v)]
    if missing:
        print(f"comment.py: {', '.join(missing)} not set; no comment posted", file=sys.stderr)
        return 1
    gh = GitHub(
        env.get("GITHUB_API_URL") or "https://api.github.com",
        env["GITHUB_TOKEN"],
        env["GITHUB_REPOSITORY"],
    )
    text = body(args.key, args.markdown.read_text(), args.footer)
    try:
        comment = gh.upsert(int(env["CTCTFORM_PR"]), args.key, text)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        print(f"comment.py: {exc.code} {exc.reason} on {exc.geturl()}: {detail}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"comment.py: could not reach the GitHub API: {exc}", file=sys.stderr)
        return 1
    print(comment.get("html_url", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
