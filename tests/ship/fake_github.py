"""A small stand-in for the GitHub REST API's issue-comment endpoints, recording every request.

Comments are listed two to a page with a `Link: <...>; rel="next"` header, so a client that
does not follow the pages misses what is on the later ones.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE_SIZE = 2


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    body: Any


@dataclass
class FakeGitHub:
    repository: str = "octo/account-config"
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    next_id: int = 1000

    def add_comment(self, pr: int, body: str, user: str = "someone") -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "body": body,
            "user": {"login": user},
            "html_url": f"https://github.test/{self.repository}/pull/{pr}#issuecomment-{self.next_id}",
        }
        self.comments.setdefault(pr, []).append(comment)
        return comment

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    def __enter__(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                req = Request(
                    self.command,
                    url.path,
                    parse_qs(url.query),
                    self.headers.get("Authorization"),
                    json.loads(raw) if raw else None,
                )
                fake.requests.append(req)
                repo = re.escape(fake.repository)
                listing = re.fullmatch(rf"/repos/{repo}/issues/(\d+)/comments", url.path)
                single = re.fullmatch(rf"/repos/{repo}/issues/comments/(\d+)", url.path)
                if listing and self.command == "GET":
                    pr = int(listing.group(1))
                    page = int(req.query.get("page", ["1"])[0])
                    items = fake.comments.get(pr, [])
                    chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                    headers = {}
                    if page * PAGE_SIZE < len(items):
                        base = f"http://{self.headers['Host']}{url.path}"
                        headers["Link"] = (
                            f'<{base}?per_page={PAGE_SIZE}&page={page + 1}>; rel="next"'
                        )
                    self.answer(200, chunk, headers)
                elif listing and self.command == "POST":
                    self.answer(
                        201, fake.add_comment(int(listing.group(1)), req.body["body"], "bot")
                    )
                elif single and self.command == "PATCH":
                    for items in fake.comments.values():
                        for comment in items:
                            if comment["id"] == int(single.group(1)):
                                comment["body"] = req.body["body"]
                                self.answer(200, comment)
                                return
                    self.answer(404, {"message": "Not Found"})
                else:
                    self.answer(404, {"message": "Not Found"})

            do_GET = do_POST = do_PATCH = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
