"""Answers are bounded as a whole: a body dripped a byte at a time ends at the request's
timeout (httpx bounds each read, not the answer), and a body that decodes to more than
MAX_ANSWER_BYTES (a gzip bomb) is refused without being kept. A real socket server, since
both are about how bytes arrive."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from ctctform.api import AnswerError, ApiError, Client, ClientConfig
from ctctform.api.transport import MAX_ANSWER_BYTES

from .helpers import FAST


def serve(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A one-thread HTTP server on a free port that reads a request and runs `answer`."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                with contextlib.suppress(OSError):  # the client gave up: that is the point
                    answer(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v3"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def config(url: str) -> ClientConfig:
    return ClientConfig.from_env(
        {}, api_url=url, access_token="bounds-test-token", timeout=1, **FAST
    )


@pytest.fixture
def dripping() -> Iterator[str]:
    def drip(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 100000\r\n\r\n{")
        for _ in range(100):  # a byte every 0.1 s: each read is quick, the whole never ends
            time.sleep(0.1)
            conn.sendall(b" ")

    yield from serve(drip)


@pytest.fixture
def bomb() -> Iterator[str]:
    body = gzip.compress(b" " * (MAX_ANSWER_BYTES + 2**20))

    def explode(conn: socket.socket) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    yield from serve(explode)


def test_a_dripped_answer_ends_at_the_timeout_after_a_few_attempts(dripping: str) -> None:
    started = time.monotonic()
    with Client(config(dripping)) as client, pytest.raises(ApiError) as caught:
        client.get("/contact_tags")
    elapsed = time.monotonic() - started
    assert "took more than 1s to arrive" in str(caught.value)
    assert elapsed < 8  # 3 attempts of about 1 s each, and short backoffs


def test_a_gzip_bomb_is_refused_without_being_kept(bomb: str) -> None:
    with Client(config(bomb)) as client, pytest.raises(AnswerError) as caught:
        client.get("/contact_tags")
    assert str(caught.value) == "GET /contact_tags: the answer is larger than 32 MB"
