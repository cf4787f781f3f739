"""A live line on a terminal while a run reads, waits or retries for more than a moment.

`ctctform plan` of a large account, or one that backs off after a 429, would otherwise show
nothing for many seconds. The line is drawn on stderr only when it is a terminal, only after
`delay` seconds, rewritten in place, and erased when the work is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from ctctform.api.stats import Stats


class LiveLine:
    def __init__(
        self,
        stats: Stats | None,
        stream: TextIO,
        *,
        label: str = "Reading the account",
        text: Callable[[float], str] | None = None,
        delay: float = 1.5,
        every: float = 0.5,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stats = stats
        self.stream = stream
        self.label = label
        self._text = text
        self.delay = delay
        self.every = every
        self.enabled = stream.isatty() if enabled is None else enabled
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        self._started = 0.0

    def __enter__(self) -> LiveLine:
        if self.enabled:
            self._started = self._clock()
            self._thread = threading.Thread(target=self._loop, name="ctctform-live", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def text(self) -> str:
        elapsed = self._clock() - self._started
        if self._text is not None:
            return self._text(elapsed)
        assert self.stats is not None
        line = f"{self.label}... {self.stats.total} requests, {elapsed:.0f}s"
        note = self.stats.note
        return f"{line} ({note})" if note else line

    def _loop(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self.stream.write("\r\x1b[2K" + self.text()[:160])
            self.stream.flush()
            self._drawn = True
            self._stop.wait(self.every)
